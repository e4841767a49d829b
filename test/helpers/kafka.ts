/**
 * Integration-test access to a real local Kafka: brokers come from the harness in scripts/kafka
 * (the one place that knows how to run Kafka), and records are read back with a separate consumer.
 * Tests only ever talk to brokers on loopback.
 */
import { randomUUID } from "node:crypto";
import { Admin, Consumer } from "@platformatic/kafka";
import { brokerLogTail, ensureBroker } from "../../scripts/kafka/broker.ts";
import { assertLoopback } from "../../scripts/kafka/loopback.ts";

export interface TestBroker {
  name: string;
  bootstrap: string;
  logTail: () => string;
}

/** The shared auto-creating broker ("default") or the one that refuses to create topics ("noauto"). */
export async function testBroker(kind: "default" | "noauto" = "default"): Promise<TestBroker> {
  const handle = await ensureBroker({ name: kind, autoCreateTopics: kind === "default" });
  assertLoopback(handle.bootstrap);
  return { name: kind, bootstrap: handle.bootstrap, logTail: () => brokerLogTail(kind) };
}

/** A topic name no other test uses. */
export function uniqueName(prefix = "test"): string {
  return `${prefix}_${randomUUID().replaceAll("-", "")}`;
}

export interface LandedRecord {
  topic: string;
  partition: number;
  offset: bigint;
  key: string | null;
  value: string;
  timestamp: bigint;
  headers: [string, string][];
}

/**
 * Every record in `topics`, read from the beginning up to each partition's end offset at the time
 * of the call (so the count is exact, not "at least"). Bounded by `timeoutMs`.
 */
export async function readTopics(
  bootstrap: string,
  topics: string[],
  timeoutMs = 20_000,
): Promise<LandedRecord[]> {
  assertLoopback(bootstrap);
  const consumer = new Consumer({
    clientId: "test-reader",
    groupId: uniqueName("reader"),
    bootstrapBrokers: [bootstrap],
    autocommit: false,
  });
  try {
    const offsets = await consumer.listOffsets({ topics });
    let expected = 0;
    for (const partitions of offsets.values()) for (const end of partitions) expected += Number(end);
    if (expected === 0) return [];
    const stream = await consumer.consume({ topics, mode: "earliest", maxWaitTime: 200 });
    const landed: LandedRecord[] = [];
    const deadline = setTimeout(
      () => stream.destroy(new Error(`read ${landed.length} of ${expected} records in time`)),
      timeoutMs,
    );
    try {
      for await (const message of stream) {
        landed.push({
          topic: message.topic,
          partition: message.partition,
          offset: message.offset,
          key: message.key ? message.key.toString() : null,
          value: message.value.toString(),
          timestamp: message.timestamp,
          headers: [...message.headers].map(([k, v]) => [k.toString(), v.toString()]),
        });
        if (landed.length >= expected) break;
      }
    } finally {
      clearTimeout(deadline);
      await stream.close();
    }
    return landed;
  } finally {
    await consumer.close(true);
  }
}

/** Creates a topic with the given configs (e.g. a small max.message.bytes). */
export async function createTopic(bootstrap: string, topic: string, configs: Record<string, string> = {}) {
  assertLoopback(bootstrap);
  const admin = new Admin({ clientId: "test-admin", bootstrapBrokers: [bootstrap] });
  try {
    await admin.createTopics({
      topics: [topic],
      partitions: 1,
      replicas: 1,
      configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
    });
  } finally {
    await admin.close();
  }
}
