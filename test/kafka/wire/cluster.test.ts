import { describe, expect, it } from "bun:test";
import { NetworkError } from "@platformatic/kafka";
import { createCluster } from "../../../src/kafka/wire/cluster.ts";
import { requirementsOf } from "../../../src/kafka/wire/requirements.ts";
import { fakeCluster } from "../../helpers/fake-wire.ts";

const plain = requirementsOf({
  compression: "none",
  idempotent: false,
  transactional: false,
  createTopics: false,
});

describe("the cluster view", () => {
  it("bootstraps from the next server when one does not answer, and asks each broker's versions once", async () => {
    const fake = fakeCluster({
      brokers: ["4.x", "4.x"],
      topics: { t: 1 },
      onRequest: (_api, _args, broker) =>
        broker.host === "down" ? new NetworkError("Connection refused") : undefined,
    });
    const cluster = createCluster(fake.wire, [{ host: "down", port: 1 }, ...fake.addresses], plain);
    expect(await cluster.bootstrap()).toEqual({ host: "broker0", port: 9092 });
    await cluster.metadata(["t"], { autoCreate: true });
    await cluster.metadata(["t"], { autoCreate: true, refresh: true });
    const asked = fake.calls.filter((call) => call.api === "ApiVersions").map((call) => call.broker.host);
    expect(asked).toEqual(["down", "broker0"]);
  });

  it("asks another broker for metadata when the one that answered last went away", async () => {
    let gone = "";
    const fake = fakeCluster({
      brokers: ["4.x", "4.x"],
      topics: { t: 1 },
      onRequest: (_api, _args, broker) =>
        broker.host === gone ? new NetworkError("Connection refused") : undefined,
    });
    const cluster = createCluster(fake.wire, [fake.addresses[0] as { host: string; port: number }], plain);
    await cluster.metadata(["t"], { autoCreate: true });
    gone = "broker0";
    const snapshot = await cluster.metadata(["t"], { autoCreate: true, refresh: true });
    expect(snapshot.topics.has("t")).toBe(true);
    expect(fake.calls.filter((call) => call.api === "Metadata").map((call) => call.broker.host)).toEqual([
      "broker0",
      "broker0",
      "broker1",
    ]);
  });

  it("a broker too old for the config ends the bootstrap with its config_error", async () => {
    const fake = fakeCluster({ brokers: ["0.10.2", "4.x"], topics: {} });
    const cluster = createCluster(fake.wire, fake.addresses, plain);
    await expect(cluster.bootstrap()).rejects.toMatchObject({ failureType: "config_error" });
    expect(fake.calls.map((call) => call.broker.host)).toEqual(["broker0"]);
  });

  it("when no server answers, the failure carries each cause", async () => {
    const fake = fakeCluster({
      brokers: ["4.x"],
      topics: {},
      onRequest: () => new NetworkError("Connection refused"),
    });
    const cluster = createCluster(fake.wire, [...fake.addresses, { host: "other", port: 1 }], plain);
    const failure = await cluster.bootstrap().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).errors).toHaveLength(2);
  });

  it("caches metadata until asked to refresh, a topic is new to it, or five minutes have passed", async () => {
    let now = 0;
    const fake = fakeCluster({ brokers: ["4.x"], topics: { a: 1, b: 2 } });
    const cluster = createCluster(fake.wire, fake.addresses, plain, () => now);
    const asks = () => fake.calls.filter((call) => call.api === "Metadata").length;
    await cluster.metadata(["a"], { autoCreate: true });
    await cluster.metadata(["a"], { autoCreate: true });
    expect(asks()).toBe(1);
    const snapshot = await cluster.metadata(["b"], { autoCreate: true });
    expect(asks()).toBe(2);
    expect(snapshot.topics.get("b")?.partitions).toHaveLength(2);
    await cluster.metadata(["a"], { autoCreate: true, refresh: true });
    now += 300_001;
    await cluster.metadata(["a"], { autoCreate: true });
    expect(asks()).toBe(4);
  });

  it("a topic the answer refuses is an error with the broker's code", async () => {
    const fake = fakeCluster({
      brokers: ["4.x"],
      topics: {},
      onRequest: (api) =>
        api === "Metadata"
          ? {
              brokers: new Map(),
              controllerId: 0,
              topics: new Map([["gone", { errorCode: 3, partitions: [] }]]),
            }
          : undefined,
    });
    const cluster = createCluster(fake.wire, fake.addresses, plain);
    await expect(cluster.metadata(["gone"], { autoCreate: false })).rejects.toMatchObject({
      apiId: "UNKNOWN_TOPIC_OR_PARTITION",
    });
  });

  it("sends each request at the version both sides speak", async () => {
    const fake = fakeCluster({ brokers: ["1.0"], topics: { t: 1 } });
    const cluster = createCluster(fake.wire, fake.addresses, plain);
    await cluster.metadata(["t"], { autoCreate: true });
    expect(fake.calls.find((call) => call.api === "Metadata")?.version).toBe(5);
  });
});
