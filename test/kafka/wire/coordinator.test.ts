import { describe, expect, it } from "bun:test";
import { createCluster } from "../../../src/kafka/wire/cluster.ts";
import { ADD_PARTITIONS_RETRY_BACKOFF_MS, createCoordinator } from "../../../src/kafka/wire/coordinator.ts";
import { requirementsOf } from "../../../src/kafka/wire/requirements.ts";
import { fakeClock, fakeCluster } from "../../helpers/fake-wire.ts";

const needs = { compression: "none", idempotent: true, transactional: true, createTopics: false };
const identityAnswer = { errorCode: 0, errorMessage: null, producerId: 9n, producerEpoch: 3 };
const at = (nodeId: number) => ({
  errorCode: 0,
  errorMessage: null,
  nodeId,
  host: `broker${nodeId}`,
  port: 9092,
});

function setUp(
  onRequest: (api: string, args: unknown, host: string) => unknown,
  transactionalId: string | null = "tx",
) {
  const fake = fakeCluster({
    brokers: ["4.x", "4.x"],
    topics: {},
    onRequest: (api, args, broker) => onRequest(api, args, broker.host),
  });
  const clock = fakeClock();
  const cluster = createCluster(fake.wire, fake.addresses, requirementsOf(needs), clock.now);
  const coordinator = createCoordinator(
    cluster,
    { transactionalId, transactionTimeoutMs: 60_000, maxBlockMs: 3_000 },
    clock,
  );
  const asked = (api: string) => fake.calls.filter((call) => call.api === api);
  return { coordinator, clock, asked };
}

describe("producer ids and transactions", () => {
  it("an idempotent producer takes an id from the bootstrap broker, once", async () => {
    const { coordinator, asked } = setUp(
      (api) => (api === "InitProducerId" ? identityAnswer : undefined),
      null,
    );
    const identity = await coordinator.identity();
    await coordinator.identity();
    expect(identity).toEqual({ producerId: 9n, producerEpoch: 3, transactionalId: null });
    expect(asked("InitProducerId").map((call) => [call.broker.host, call.args])).toEqual([
      ["broker0", { transactionalId: null, transactionTimeoutMs: 60_000 }],
    ]);
    expect(asked("FindCoordinator")).toEqual([]);
  });

  it("a transactional producer asks its coordinator, retrying while the previous run's transaction ends", async () => {
    let tries = 0;
    const { coordinator, asked, clock } = setUp((api) => {
      if (api === "FindCoordinator") return at(1);
      if (api === "InitProducerId")
        return ++tries < 3 ? { ...identityAnswer, errorCode: 51 } : identityAnswer; // CONCURRENT_TRANSACTIONS
      return undefined;
    });
    expect(await coordinator.identity()).toEqual({ producerId: 9n, producerEpoch: 3, transactionalId: "tx" });
    expect(asked("InitProducerId").map((call) => call.broker.host)).toEqual([
      "broker1",
      "broker1",
      "broker1",
    ]);
    expect(clock.slept).toEqual([100, 200]);
  });

  it("a coordinator that moved is looked up again", async () => {
    let found = 0;
    const { coordinator, asked } = setUp((api, _args, host) => {
      if (api === "FindCoordinator") return at(found++ === 0 ? 0 : 1);
      if (api === "InitProducerId")
        return host === "broker0" ? { ...identityAnswer, errorCode: 16 } : identityAnswer; // NOT_COORDINATOR
      return undefined;
    });
    await coordinator.identity();
    expect(asked("FindCoordinator")).toHaveLength(2);
    expect(asked("InitProducerId").map((call) => call.broker.host)).toEqual(["broker0", "broker1"]);
  });

  it("a fenced producer fails at once; a coordinator that never answers fails after max_block_ms", async () => {
    const fenced = setUp((api) =>
      api === "FindCoordinator"
        ? at(1)
        : api === "InitProducerId"
          ? { ...identityAnswer, errorCode: 90 }
          : undefined,
    );
    await expect(fenced.coordinator.identity()).rejects.toMatchObject({ apiId: "PRODUCER_FENCED" });
    expect(fenced.asked("InitProducerId")).toHaveLength(1);

    const loading = setUp((api) => (api === "FindCoordinator" ? { ...at(1), errorCode: 15 } : undefined)); // COORDINATOR_NOT_AVAILABLE
    await expect(loading.coordinator.identity()).rejects.toMatchObject({
      apiId: "COORDINATOR_NOT_AVAILABLE",
    });
    expect(loading.clock.slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(3_000);
  });

  it("registering partitions while the previous commit is still written retries after 20 ms, as Java does", async () => {
    let tries = 0;
    const { coordinator, clock, asked } = setUp((api) => {
      if (api === "FindCoordinator") return at(1);
      if (api === "InitProducerId") return identityAnswer;
      if (api === "AddPartitionsToTxn") {
        tries++;
        // CONCURRENT_TRANSACTIONS three times, then COORDINATOR_LOAD_IN_PROGRESS, then accepted.
        const errorCode = tries <= 3 ? 51 : tries === 4 ? 14 : 0;
        return [{ topic: "a", partition: 0, errorCode, errorMessage: null }];
      }
      return undefined;
    });
    const identity = await coordinator.identity();
    await coordinator.addPartitions(identity, [{ topic: "a", partition: 0 }]);
    expect(asked("AddPartitionsToTxn")).toHaveLength(5);
    // Other refusals keep Java's usual backoff (100 ms doubling, by attempt).
    expect(clock.slept).toEqual([
      ADD_PARTITIONS_RETRY_BACKOFF_MS,
      ADD_PARTITIONS_RETRY_BACKOFF_MS,
      ADD_PARTITIONS_RETRY_BACKOFF_MS,
      800,
    ]);
  });

  it("registering partitions reports the refusal, not the partitions left untried because of it", async () => {
    const { coordinator } = setUp((api) => {
      if (api === "FindCoordinator") return at(1);
      if (api === "InitProducerId") return identityAnswer;
      if (api === "AddPartitionsToTxn")
        return [
          { topic: "a", partition: 0, errorCode: 55, errorMessage: null }, // OPERATION_NOT_ATTEMPTED
          { topic: "b", partition: 0, errorCode: 53, errorMessage: null }, // TRANSACTIONAL_ID_AUTHORIZATION_FAILED
        ];
      return undefined;
    });
    const identity = await coordinator.identity();
    const partitions = [
      { topic: "a", partition: 0 },
      { topic: "b", partition: 0 },
    ];
    await expect(coordinator.addPartitions(identity, partitions)).rejects.toMatchObject({
      apiId: "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
    });
  });

  it("ends a transaction at the coordinator, committing or aborting", async () => {
    const { coordinator, asked } = setUp((api) => {
      if (api === "FindCoordinator") return at(1);
      if (api === "InitProducerId") return identityAnswer;
      if (api === "EndTxn") return { errorCode: 0, errorMessage: null };
      return undefined;
    });
    const identity = await coordinator.identity();
    await coordinator.endTransaction(identity, true);
    await coordinator.endTransaction(identity, false);
    expect(asked("EndTxn").map((call) => (call.args as { committed: boolean }).committed)).toEqual([
      true,
      false,
    ]);
  });
});
