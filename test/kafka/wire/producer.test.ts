import { describe, expect, it } from "bun:test";
import { Buffer } from "node:buffer";
import { NetworkError } from "@platformatic/kafka";
import type { Compressor } from "../../../src/kafka/compressor.ts";
import { createCluster } from "../../../src/kafka/wire/cluster.ts";
import type { ProducerSettings, TopicRecord } from "../../../src/kafka/wire/producer.ts";
import { createProducer, TopicSendError } from "../../../src/kafka/wire/producer.ts";
import { requirementsOf } from "../../../src/kafka/wire/requirements.ts";
import { type FakeClusterOptions, fakeClock, fakeCluster, result } from "../../helpers/fake-wire.ts";

const settings: ProducerSettings = {
  acks: -1,
  requestTimeoutMs: 30_000,
  deliveryTimeoutMs: 120_000,
  retries: 2147483647,
  compression: "none",
  autoCreateTopics: true,
};

const noCompressor: Compressor = {
  compress: () => Promise.reject(new Error("not used")),
  close: () => undefined,
};

const NEEDS = { compression: "none", idempotent: false, transactional: false, createTopics: false };

function setUp(options: FakeClusterOptions, overrides: Partial<ProducerSettings> = {}) {
  const fake = fakeCluster(options);
  const clock = fakeClock();
  const cluster = createCluster(
    fake.wire,
    [fake.addresses[0] as { host: string; port: number }],
    requirementsOf(NEEDS),
    clock.now,
  );
  const producer = createProducer(cluster, { ...settings, ...overrides }, noCompressor, clock);
  return { ...fake, clock, producer };
}

const records = (topic: string, values: string[], key?: string): TopicRecord[] =>
  values.map((value) => ({
    topic,
    key: key === undefined ? undefined : Buffer.from(key),
    value: Buffer.from(value),
    headers: undefined,
    timestamp: undefined,
  }));

/** A broker that refuses as too large (MESSAGE_TOO_LARGE) any batch of more than `records` records. */
const refusingBatchesOver =
  (records: number) => (call: { args: { batches: { topic: string; partition: number; bytes: Buffer }[] } }) =>
    call.args.batches.map((batch) =>
      result(batch.topic, batch.partition, batch.bytes.readInt32BE(57) > records ? 10 : 0),
    );

const valuesOf = (landed: { values: string[] }[]) => landed.flatMap((batch) => batch.values);

describe("the produce path picks each broker's version", () => {
  it.each([
    ["1.0", 5],
    ["2.8", 9],
    ["4.x", 11],
  ])("a Kafka %s leader gets Produce v%p", async (release, version) => {
    const { producer, produceCalls } = setUp({ brokers: [release], topics: { t: 1 } });
    await producer.send(records("t", ["a"]), ["t"]);
    expect(produceCalls.map((call) => call.version)).toEqual([version]);
  });

  it("asks each broker of a mixed cluster once, and sends each leader its own version", async () => {
    const { producer, produceCalls, calls } = setUp({ brokers: ["1.0", "4.x"], topics: { t: 2 } });
    await producer.send(
      [...records("t", ["a"], "k0"), ...records("t", ["b"], "k1"), ...records("t", ["c"], "k3")],
      ["t"],
    );
    await producer.send(records("t", ["d"], "k0"), ["t"]);
    const versions = new Map(produceCalls.map((call) => [call.broker.host, call.version]));
    expect(versions).toEqual(
      new Map([
        ["broker0", 5],
        ["broker1", 11],
      ]),
    );
    expect(
      calls
        .filter((call) => call.api === "ApiVersions")
        .map((call) => call.broker.host)
        .sort(),
    ).toEqual(["broker0", "broker1"]);
  });

  it("refuses a broker too old for message format v2 with a config_error, before sending anything", async () => {
    const { producer, produceCalls } = setUp({ brokers: ["0.10.2"], topics: { t: 1 } });
    const failure = await producer.send(records("t", ["a"]), ["t"]).catch((error: unknown) => error);
    expect(failure).toMatchObject({ failureType: "config_error" });
    expect(String((failure as Error).message)).toContain("needs Apache Kafka 0.11 or newer");
    expect(String((failure as Error).message)).toContain("the broker at broker0:9092");
    expect(produceCalls).toEqual([]);
  });
});

describe("the produce path's failures", () => {
  it("a partition the answer does not name is retried, never counted as delivered", async () => {
    const { producer, produceCalls, landed } = setUp({
      brokers: ["4.x"],
      topics: { t: 2 },
      // The first answer names partition 0 only.
      onProduce: (_call, index) => (index === 0 ? [result("t", 0)] : undefined),
    });
    await producer.send([...records("t", ["a"], "k0"), ...records("t", ["b"], "k1")], ["t"]);
    expect(produceCalls).toHaveLength(2);
    const secondPartitions = produceCalls[1]?.args.batches.map((batch) => batch.partition);
    expect(secondPartitions).toHaveLength(1);
    expect(valuesOf(landed).sort()).toEqual(["a", "b"]);
  });

  it("a partition never named fails the send once retries run out, naming its topic", async () => {
    const { producer } = setUp({ brokers: ["4.x"], topics: { t: 1 }, onProduce: () => [] }, { retries: 3 });
    const failure = await producer.send(records("t", ["a"]), ["t"]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TopicSendError);
    expect((failure as TopicSendError).topic).toBe("t");
    expect((failure as Error).message).toContain("did not name partition 0 of topic t");
  });

  it("retries what the broker calls retriable with Java's backoff, and gives up before delivery_timeout_ms", async () => {
    const { producer, clock, produceCalls } = setUp(
      { brokers: ["4.x"], topics: { t: 1 }, onProduce: () => [result("t", 0, 19)] }, // NOT_ENOUGH_REPLICAS
      { deliveryTimeoutMs: 5_000, requestTimeoutMs: 1_000 },
    );
    const start = clock.now();
    const failure = await producer.send(records("t", ["a"]), ["t"]).catch((error: unknown) => error);
    expect((failure as Error).message).toContain("in-sync replicas");
    expect(clock.slept.slice(0, 6)).toEqual([100, 200, 400, 800, 1000, 1000]);
    // The last retry leaves room for its request within the delivery timeout.
    expect(clock.now() - start + 1_000).toBeLessThanOrEqual(5_000 + 1_000);
    expect(produceCalls.length).toBe(clock.slept.length + 1);
  });

  it("retries a lost connection and a timed-out request, then delivers", async () => {
    const { producer, landed } = setUp({
      brokers: ["4.x"],
      topics: { t: 1 },
      onProduce: (_call, index) => (index === 0 ? new NetworkError("Connection closed") : undefined),
    });
    await producer.send(records("t", ["a"]), ["t"]);
    expect(valuesOf(landed)).toEqual(["a"]);
  });

  it("retries a round in which no broker could answer for metadata (the only broker restarting)", async () => {
    // The first produce loses its connection; then three metadata requests are refused.
    let refusals = 0;
    const fake = {
      brokers: ["4.x"],
      topics: { t: 1 },
      onRequest: (api: string) =>
        api === "Metadata" && refusals > 0 && refusals++ <= 3
          ? new NetworkError("Connection refused")
          : undefined,
      onProduce: (_call: unknown, index: number) => {
        if (index > 0) return undefined;
        refusals = 1;
        return new NetworkError("Connection closed");
      },
    };
    const { producer, landed, clock } = setUp(fake);
    await producer.send(records("t", ["a"]), ["t"]);
    expect(valuesOf(landed)).toEqual(["a"]);
    expect(clock.slept).toEqual([100, 200, 400, 800]);
  });

  it("fails at once on an error the broker does not call retriable", async () => {
    const { producer, produceCalls } = setUp({
      brokers: ["4.x"],
      topics: { t: 1 },
      onProduce: () => [result("t", 0, 29)], // TOPIC_AUTHORIZATION_FAILED
    });
    const failure = await producer.send(records("t", ["a"]), ["t"]).catch((error: unknown) => error);
    expect((failure as TopicSendError).cause).toMatchObject({ apiId: "TOPIC_AUTHORIZATION_FAILED" });
    expect(produceCalls).toHaveLength(1);
  });

  it("a batch the topic refuses as too large is split in halves, down to one-record batches", async () => {
    const { producer, landed, produceCalls } = setUp({
      brokers: ["4.x"],
      topics: { t: 1 },
      // Any batch of more than one record is too large (MESSAGE_TOO_LARGE).
      onProduce: refusingBatchesOver(1),
    });
    await producer.send(records("t", ["a", "b", "c", "d", "e"]), ["t"]);
    expect(landed.map((batch) => batch.values)).toEqual([["a"], ["b"], ["c"], ["d"], ["e"]]);
    // 5 → 3 + 2 → (2 + 1) + (1 + 1) → …: every split sent once, halves in order.
    expect(produceCalls.map((call) => call.args.batches[0]?.bytes.readInt32BE(57))).toEqual([
      5, 3, 2, 1, 1, 1, 2, 1, 1,
    ]);
  });

  it("a one-record batch refused as too large fails: it cannot be split", async () => {
    const { producer } = setUp({ brokers: ["4.x"], topics: { t: 1 }, onProduce: () => [result("t", 0, 10)] });
    const failure = await producer.send(records("t", ["a"]), ["t"]).catch((error: unknown) => error);
    expect((failure as TopicSendError).cause).toMatchObject({ apiId: "MESSAGE_TOO_LARGE" });
  });
});

describe("the produce path keeps each partition's order", () => {
  it("a later send of a partition waits while an earlier one is retried", async () => {
    const { producer, landed } = setUp({
      brokers: ["4.x"],
      topics: { t: 1 },
      onProduce: (_call, index) => (index === 0 ? [result("t", 0, 6)] : undefined), // NOT_LEADER_OR_FOLLOWER
    });
    await Promise.all([
      producer.send(records("t", ["1", "2"], "k"), ["t"]),
      producer.send(records("t", ["3", "4"], "k"), ["t"]),
      producer.send(records("t", ["5"], "k"), ["t"]),
    ]);
    expect(valuesOf(landed)).toEqual(["1", "2", "3", "4", "5"]);
  });

  it("a later send of a partition waits while an earlier one is split", async () => {
    const { producer, landed } = setUp({
      brokers: ["4.x"],
      topics: { t: 1 },
      onProduce: refusingBatchesOver(2),
    });
    await Promise.all([
      producer.send(records("t", ["1", "2", "3", "4"], "k"), ["t"]),
      producer.send(records("t", ["5", "6"], "k"), ["t"]),
    ]);
    expect(valuesOf(landed)).toEqual(["1", "2", "3", "4", "5", "6"]);
  });

  it("sends of other partitions go on while one partition's batch is out", async () => {
    let release: () => void = () => undefined;
    const held = new Promise<undefined>((resolve) => {
      release = () => resolve(undefined);
    });
    const { producer, landed } = setUp({
      brokers: ["4.x", "4.x"],
      topics: { slow: 1, fast: 1 },
      onProduce: (call) => (call.args.batches[0]?.topic === "slow" ? held : undefined),
    });
    const slow = producer.send(records("slow", ["s"]), ["slow"]);
    await producer.send(records("fast", ["f"]), ["fast"]);
    expect(valuesOf(landed)).toEqual(["f"]);
    release();
    await slow;
    expect(valuesOf(landed)).toEqual(["f", "s"]);
  });

  it("a send after a failed one of the same partition is not sent: it fails with the same error", async () => {
    const { producer, landed } = setUp({
      brokers: ["4.x"],
      topics: { t: 1 },
      onProduce: (_call, index) => (index === 0 ? [result("t", 0, 29)] : undefined),
    });
    const first = producer.send(records("t", ["1"]), ["t"]).catch((error: unknown) => error);
    const second = producer.send(records("t", ["2"]), ["t"]).catch((error: unknown) => error);
    const [a, b] = await Promise.all([first, second]);
    expect(b).toBe(a);
    expect(landed).toEqual([]);
  });
});

describe("the produce path spreads keyless records the same way in every mode", () => {
  it("one send's keyless records stay on one partition; the next send moves to the next", async () => {
    const { producer, landed } = setUp({ brokers: ["4.x"], topics: { t: 3 } });
    for (const value of ["a", "b", "c", "d"])
      await producer.send(records("t", [value, value.toUpperCase()]), ["t"]);
    expect(landed.map((batch) => [batch.partition, batch.values])).toEqual([
      [0, ["a", "A"]],
      [1, ["b", "B"]],
      [2, ["c", "C"]],
      [0, ["d", "D"]],
    ]);
  });

  it("idempotent batches carry the producer id and consecutive sequence numbers per partition, splits included", async () => {
    const { producer, landed } = setUp({
      brokers: ["4.x"],
      topics: { t: 1 },
      onProduce: refusingBatchesOver(2),
    });
    const identity = { producerId: 42n, producerEpoch: 0, transactionalId: null };
    await producer.send(records("t", ["1", "2", "3"]), ["t"], { identity });
    await producer.send(records("t", ["4"]), ["t"], { identity });
    expect(landed.map((batch) => [batch.producerId, batch.firstSequence, batch.values])).toEqual([
      [42n, 0, ["1", "2"]],
      [42n, 2, ["3"]],
      [42n, 3, ["4"]],
    ]);
  });

  it("a duplicate-sequence answer to a retried idempotent batch counts as delivered", async () => {
    const { producer } = setUp({
      brokers: ["4.x"],
      topics: { t: 1 },
      onProduce: (_call, index) => [result("t", 0, index === 0 ? 7 : 46)], // REQUEST_TIMED_OUT, then DUPLICATE_SEQUENCE_NUMBER
    });
    const identity = { producerId: 1n, producerEpoch: 0, transactionalId: null };
    await producer.send(records("t", ["a"]), ["t"], { identity });
  });
});
