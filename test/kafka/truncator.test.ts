import { describe, expect, it } from "bun:test";
import { ConnectorError } from "../../src/errors.ts";
import { createTruncator } from "../../src/kafka/truncator.ts";
import { createCluster } from "../../src/kafka/wire/cluster.ts";
import type { DeleteRecordsArgs } from "../../src/kafka/wire/delete-records.ts";
import { EARLIEST, LATEST, type ListOffsetsArgs } from "../../src/kafka/wire/list-offsets.ts";
import type { BrokerAddress } from "../../src/kafka/wire/request.ts";
import { requirementsOf } from "../../src/kafka/wire/requirements.ts";
import { configWith } from "../helpers/config.ts";
import { fakeClock, fakeCluster } from "../helpers/fake-wire.ts";

const needs = { compression: "none", idempotent: false, transactional: false, createTopics: false };

interface Log {
  api: string;
  broker: string;
  args: ListOffsetsArgs | DeleteRecordsArgs;
}

/**
 * A fake cluster whose partitions hold offsets `start`..`end`; `deleteCode` answers each
 * DeleteRecords partition (default 0, which moves its start).
 */
function setUp(
  options: {
    brokers?: string[];
    topics?: Record<string, number>;
    ends?: number[];
    starts?: number[];
    deleteCode?: (partition: number, call: number) => number;
  } = {},
) {
  const ends = [...(options.ends ?? [10, 20, 30])];
  const starts = [...(options.starts ?? [0, 5, 0])];
  const log: Log[] = [];
  let deletes = 0;
  const fake = fakeCluster({
    brokers: options.brokers ?? ["4.x", "4.x"],
    topics: options.topics ?? { t: 3 },
    onRequest: (api, args, broker: BrokerAddress) => {
      if (api === "ListOffsets") {
        const asked = args as ListOffsetsArgs;
        log.push({ api, broker: broker.host, args: asked });
        return asked.partitions.map(({ topic, partition }) => ({
          topic,
          partition,
          errorCode: 0,
          offset: BigInt((asked.timestamp === LATEST ? ends : starts)[partition] ?? 0),
        }));
      }
      if (api === "DeleteRecords") {
        const asked = args as DeleteRecordsArgs;
        log.push({ api, broker: broker.host, args: asked });
        deletes++;
        return asked.partitions.map(({ topic, partition, offset }) => {
          const errorCode = options.deleteCode?.(partition, deletes) ?? 0;
          if (errorCode === 0) starts[partition] = Math.max(starts[partition] ?? 0, Number(offset));
          return { topic, partition, errorCode, lowWatermark: BigInt(starts[partition] ?? 0) };
        });
      }
      return undefined;
    },
  });
  const clock = fakeClock();
  const cluster = createCluster(
    fake.wire,
    fake.addresses,
    requirementsOf({ ...needs, truncate: true }),
    clock.now,
  );
  const truncator = createTruncator(cluster, configWith({ max_block_ms: 5000 }), clock);
  return { truncator, log, calls: fake.calls, clock, starts };
}

const failureOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as ConnectorError;
  }
  throw new Error("expected a failure");
};

describe("mark: where each partition ends before the sync writes", () => {
  it("asks each leader whether it would delete (below offset 0, which deletes nothing), then the ends", async () => {
    const { truncator, log } = setUp();
    expect(await truncator.mark("t")).toEqual({
      topic: "t",
      partitions: [
        { partition: 0, end: 10n },
        { partition: 1, end: 20n },
        { partition: 2, end: 30n },
      ],
    });
    // Partition p's leader is broker p % 2: one request per leader and API, the probe first.
    const byLeader = (api: string) =>
      log
        .filter((entry) => entry.api === api)
        .map(({ broker, args }) => [broker, args.partitions.map((p) => p.partition)])
        .sort();
    expect(log.map((entry) => entry.api)).toEqual([
      "DeleteRecords",
      "DeleteRecords",
      "ListOffsets",
      "ListOffsets",
    ]);
    expect(byLeader("DeleteRecords")).toEqual([
      ["broker0", [0, 2]],
      ["broker1", [1]],
    ]);
    expect(byLeader("ListOffsets")).toEqual(byLeader("DeleteRecords"));
    for (const entry of log.filter((e) => e.api === "DeleteRecords"))
      expect((entry.args as DeleteRecordsArgs).partitions.every((p) => p.offset === 0n)).toBe(true);
    expect(
      log
        .filter((e) => e.api === "ListOffsets")
        .every((e) => (e.args as ListOffsetsArgs).timestamp === LATEST),
    ).toBe(true);
  });

  it("a topic that does not exist yet has no mark: nothing is older than the sync", async () => {
    const { truncator, log } = setUp({ topics: {} });
    expect(await truncator.mark("t")).toBeUndefined();
    expect(log).toEqual([]);
  });

  it("without the DELETE permission: a config_error naming the topic and the permission", async () => {
    const { truncator } = setUp({ deleteCode: () => 29 });
    const error = await failureOf(truncator.mark("t"));
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.failureType).toBe("config_error");
    expect(error.message).toBe(
      "Kafka error while recording where the topic ends (topic t): not authorized to delete records of topic t: a stream that overwrites (destination_sync_mode overwrite, or a truncate refresh) needs the DELETE permission on its topic, besides DESCRIBE and WRITE.",
    );
  });

  it("a topic kept by compaction alone: a config_error saying why its records cannot be deleted", async () => {
    const { truncator } = setUp({ deleteCode: () => 44 });
    const error = await failureOf(truncator.mark("t"));
    expect(error.failureType).toBe("config_error");
    expect(error.message).toContain("topic t keeps its records by compaction alone (cleanup.policy=compact)");
  });

  it("speaks ListOffsets v2 and DeleteRecords v0 to Kafka 1.0, and the newest both know to 4.x", async () => {
    for (const [release, expected] of [
      ["1.0", { ListOffsets: 2, DeleteRecords: 0 }],
      ["4.x", { ListOffsets: 10, DeleteRecords: 2 }],
    ] as const) {
      const { truncator, calls } = setUp({ brokers: [release] });
      await truncator.mark("t");
      const versions = Object.fromEntries(
        calls.filter((c) => c.api in expected).map((c) => [c.api, c.version] as const),
      );
      expect({ release, versions }).toEqual({ release, versions: expected });
    }
  });
});

describe("truncate: deleting what the sync found, once it succeeded", () => {
  const mark = {
    topic: "t",
    partitions: [
      { partition: 0, end: 10n },
      { partition: 1, end: 20n },
      { partition: 2, end: 30n },
    ],
  };

  it("deletes below each partition's mark and counts the offsets freed from the log start", async () => {
    const { truncator, log, starts } = setUp({ ends: [15, 25, 35] });
    expect(await truncator.truncate(mark)).toBe(10 + 15 + 30);
    expect(starts).toEqual([10, 20, 30]);
    const deletes = log.filter((e) => e.api === "DeleteRecords");
    expect(
      deletes
        .flatMap((e) => (e.args as DeleteRecordsArgs).partitions)
        .sort((a, b) => a.partition - b.partition),
    ).toEqual([
      { topic: "t", partition: 0, offset: 10n },
      { topic: "t", partition: 1, offset: 20n },
      { topic: "t", partition: 2, offset: 30n },
    ]);
    expect(
      log
        .filter((e) => e.api === "ListOffsets")
        .every((e) => (e.args as ListOffsetsArgs).timestamp === EARLIEST),
    ).toBe(true);
  });

  it("a leader that moved is asked again on fresh metadata, after Java's backoff", async () => {
    const { truncator, clock, calls } = setUp({ deleteCode: (_, call) => (call === 1 ? 6 : 0) });
    expect(await truncator.truncate(mark)).toBe(10 + 15 + 30);
    expect(clock.slept).toEqual([100]);
    expect(calls.filter((c) => c.api === "Metadata").length).toBeGreaterThanOrEqual(2);
  });

  it("a leader that keeps moving fails the truncation once delivery_timeout_ms has passed", async () => {
    const { truncator, clock } = setUp({ deleteCode: () => 6 });
    const error = await failureOf(truncator.truncate(mark));
    expect(error.message).toStartWith(
      "Kafka error while deleting the records written before this sync (topic t):",
    );
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(120_000);
    expect(clock.slept.length).toBeGreaterThan(100);
  });
});
