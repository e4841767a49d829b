/**
 * The harness's 3-node KRaft cluster (scripts/kafka/cluster.ts), exercised with @platformatic/kafka:
 * it starts with replication factor 3 and min.insync.replicas 2 everywhere, keeps acks=all writes
 * going through the kill of a partition leader, takes a restarted node back into the ISR, and a
 * clean stop moves leadership at once and makes min.insync.replicas bite.
 *
 * Every step is bounded; the phases' durations and each node's memory are printed.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { Admin, ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import {
  awaitPartition,
  type ClusterHandle,
  clusterHandle,
  clusterStatus,
  ensureCluster,
  killNode,
  liveBootstrap,
  partitionLeader,
  restartNode,
  stopNode,
} from "../../scripts/kafka/cluster.ts";
import { assertLoopback } from "../../scripts/kafka/loopback.ts";
import { createTopic } from "../../scripts/kafka/topics.ts";
import { readTopics, uniqueName } from "../helpers/kafka.ts";

const CLUSTER = "cluster";
const START_TIMEOUT_MS = 180_000;
/** Fencing a killed node takes broker.session.timeout.ms (6 s), then an election. */
const FAILOVER_BOUND_MS = 20_000;
const REJOIN_BOUND_MS = 60_000;

let cluster: ClusterHandle;

beforeAll(async () => {
  const started = Date.now();
  cluster = await ensureCluster({ name: CLUSTER, nodes: 3 });
  console.log(`[cluster] ensureCluster: ${Date.now() - started} ms`);
}, START_TIMEOUT_MS);

/** Values sent with the given acks to partition 0, one request; rejects with the client's error. */
async function produce(bootstrap: string, topic: string, values: string[], acks: number, retries = 3) {
  assertLoopback(bootstrap);
  const producer = new Producer({
    clientId: "harness-cluster-test",
    bootstrapBrokers: bootstrap.split(","),
    serializers: stringSerializers,
    retries,
    retryDelay: 250,
    timeout: 10_000,
  });
  try {
    // acks must be given per send: @platformatic/kafka 2.12 ignores the constructor's `acks` there.
    await producer.send({ messages: values.map((value) => ({ topic, value, partition: 0 })), acks });
  } finally {
    await producer.close().catch(() => undefined);
  }
}

/** Every `apiId` in a client error's tree (MultipleErrors → ResponseError → ProtocolError). */
function apiIds(error: unknown): string[] {
  if (typeof error !== "object" || error === null) return [];
  const e = error as { apiId?: unknown; errors?: unknown; cause?: unknown };
  return [
    ...(typeof e.apiId === "string" ? [e.apiId] : []),
    ...(Array.isArray(e.errors) ? e.errors.flatMap(apiIds) : []),
    ...apiIds(e.cause),
  ];
}

function memoryOf(pid: number): { rssMiB: number; hwmMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rssMiB: Math.round(kib("VmRSS") / 1024), hwmMiB: Math.round(kib("VmHWM") / 1024) };
}

function logMemory(when: string): void {
  for (const node of clusterHandle(CLUSTER).nodes) {
    if (node.pid <= 0) continue;
    const { rssMiB, hwmMiB } = memoryOf(node.pid);
    console.log(
      `[cluster] ${when}: node ${node.nodeId} (pid ${node.pid}) RSS ${rssMiB} MiB, peak ${hwmMiB} MiB`,
    );
    // -Xmx512m plus metaspace, code cache and buffers; far more means the heap cap is gone.
    expect(rssMiB).toBeLessThan(1024);
  }
}

describe("the 3-node cluster", () => {
  test("runs three combined nodes on loopback, each its own JVM, each seeing all three", async () => {
    expect(cluster.nodes.map((n) => n.nodeId)).toEqual([1, 2, 3]);
    expect(new Set(cluster.nodes.map((n) => n.pid)).size).toBe(3);
    expect(new Set(cluster.nodes.map((n) => n.bootstrap)).size).toBe(3);
    expect(cluster.bootstrap).toBe(cluster.nodes.map((n) => n.bootstrap).join(","));
    assertLoopback(cluster.bootstrap);

    const status = await clusterStatus(CLUSTER);
    expect(status.healthy).toBe(true);
    expect(status.nodes.map((n) => n.brokersSeen)).toEqual([3, 3, 3]);

    for (const node of cluster.nodes) {
      const properties = readFileSync(`${node.dir}/server.properties`, "utf8");
      for (const line of [
        "process.roles=broker,controller",
        `node.id=${node.nodeId}`,
        "default.replication.factor=3",
        "min.insync.replicas=2",
        "offsets.topic.replication.factor=3",
        "transaction.state.log.replication.factor=3",
        "transaction.state.log.min.isr=2",
      ]) {
        expect(properties).toContain(`${line}\n`);
      }
      expect(properties).toMatch(
        /^controller\.quorum\.voters=1@127\.0\.0\.1:\d+,2@127\.0\.0\.1:\d+,3@127\.0\.0\.1:\d+$/m,
      );
    }
    logMemory("idle");
  }, 30_000);

  test("is reused while it runs with the same options", async () => {
    const started = Date.now();
    const again = await ensureCluster({ name: CLUSTER, nodes: 3 });
    expect(again.bootstrap).toBe(cluster.bootstrap);
    expect(again.nodes.map((n) => n.pid)).toEqual(cluster.nodes.map((n) => n.pid));
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 20_000);

  test("creates topics with replication factor 3 by default", async () => {
    const topic = uniqueName("auto");
    const admin = new Admin({
      clientId: "harness-cluster-test",
      bootstrapBrokers: cluster.bootstrap.split(","),
    });
    try {
      await admin.metadata({ topics: [topic], autocreateTopics: true });
    } finally {
      await admin.close();
    }
    const state = await awaitPartition(CLUSTER, topic, (s) => s.isr.length === 3, { what: "ISR of 3" });
    expect([...state.replicas].sort()).toEqual([1, 2, 3]);
  }, 30_000);
});

describe("faults on the 3-node cluster", () => {
  test("acks=all keeps working through a leader kill; the restarted node rejoins the ISR", async () => {
    const t0 = Date.now();
    const topic = uniqueName("failover");
    await createTopic(cluster.bootstrap, topic, { "min.insync.replicas": "2" }, { replicas: 3 });
    const before = await awaitPartition(CLUSTER, topic, (s) => s.leader > 0 && s.isr.length === 3, {
      what: "a leader and an ISR of 3",
    });
    expect(await partitionLeader(cluster.bootstrap, topic)).toBe(before.leader);

    const first = Array.from({ length: 10 }, (_, i) => `before-${i}`);
    await produce(cluster.bootstrap, topic, first, ProduceAcks.ALL);
    expect((await readTopics(cluster.bootstrap, [topic])).map((r) => r.value)).toEqual(first);

    const killed = before.leader;
    const killedAt = Date.now();
    await killNode(CLUSTER, killed);
    const after = await awaitPartition(
      CLUSTER,
      topic,
      (s) => s.leader > 0 && s.leader !== killed && !s.isr.includes(killed),
      { what: `a leader other than node ${killed}`, timeoutMs: FAILOVER_BOUND_MS },
    );
    const failoverMs = Date.now() - killedAt;
    expect(after.isr).toHaveLength(2);
    expect(after.leaderEpoch).toBeGreaterThan(before.leaderEpoch);

    const second = Array.from({ length: 10 }, (_, i) => `after-${i}`);
    await produce(liveBootstrap(CLUSTER), topic, second, ProduceAcks.ALL);

    const restartedAt = Date.now();
    const node = await restartNode(CLUSTER, killed, { timeoutMs: REJOIN_BOUND_MS });
    expect(node.nodeId).toBe(killed);
    expect(node.bootstrap).toBe(cluster.nodes[killed - 1]?.bootstrap ?? "");
    const back = await awaitPartition(CLUSTER, topic, (s) => s.isr.includes(killed) && s.isr.length === 3, {
      what: `node ${killed} back in the ISR`,
      timeoutMs: REJOIN_BOUND_MS,
    });
    const rejoinMs = Date.now() - restartedAt;
    expect(back.leader).toBeGreaterThan(0);
    expect((await clusterStatus(CLUSTER)).healthy).toBe(true);

    const landed = await readTopics(cluster.bootstrap, [topic]);
    expect(landed.map((r) => r.value)).toEqual([...first, ...second]);
    console.log(
      `[cluster] killed leader ${killed}: new leader ${after.leader} in ${failoverMs} ms; restarted node back in the ISR in ${rejoinMs} ms; test ${Date.now() - t0} ms`,
    );
    logMemory("after the failover");
  }, 150_000);

  test("a clean stop moves leadership at once, min.insync.replicas refuses acks=all, and ensureCluster heals", async () => {
    const t0 = Date.now();
    const topic = uniqueName("minisr");
    // With every replica required in sync, one node down is enough to refuse acks=all.
    await createTopic(cluster.bootstrap, topic, { "min.insync.replicas": "3" }, { replicas: 3 });
    const before = await awaitPartition(CLUSTER, topic, (s) => s.leader > 0 && s.isr.length === 3, {
      what: "a leader and an ISR of 3",
    });

    const stopped = before.leader;
    const othersPids = clusterHandle(CLUSTER)
      .nodes.filter((n) => n.nodeId !== stopped)
      .map((n) => n.pid);
    const stoppedAt = Date.now();
    await stopNode(CLUSTER, stopped);
    const stopMs = Date.now() - stoppedAt;
    const after = await awaitPartition(
      CLUSTER,
      topic,
      (s) => s.leader > 0 && s.leader !== stopped && !s.isr.includes(stopped),
      { what: `a leader other than node ${stopped}`, timeoutMs: 5_000 },
    );
    const moveMs = Date.now() - stoppedAt;

    const refused = await produce(liveBootstrap(CLUSTER), topic, ["refused"], ProduceAcks.ALL, 0).then(
      () => [] as string[],
      apiIds,
    );
    expect(refused).toContain("NOT_ENOUGH_REPLICAS");
    await produce(liveBootstrap(CLUSTER), topic, ["leader-only"], ProduceAcks.LEADER);

    const healedAt = Date.now();
    const healed = await ensureCluster({ name: CLUSTER, nodes: 3 });
    expect(healed.bootstrap).toBe(cluster.bootstrap);
    // Only the stopped node was started again.
    expect(healed.nodes.filter((n) => n.nodeId !== stopped).map((n) => n.pid)).toEqual(othersPids);
    await awaitPartition(CLUSTER, topic, (s) => s.isr.length === 3, {
      what: `node ${stopped} back in the ISR`,
      timeoutMs: REJOIN_BOUND_MS,
    });
    const healMs = Date.now() - healedAt;
    await produce(cluster.bootstrap, topic, ["all-in-sync"], ProduceAcks.ALL);
    expect((await readTopics(cluster.bootstrap, [topic])).map((r) => r.value)).toEqual([
      "leader-only",
      "all-in-sync",
    ]);
    console.log(
      `[cluster] stopped leader ${stopped} in ${stopMs} ms (leader ${after.leader} after ${moveMs} ms); healed in ${healMs} ms; test ${Date.now() - t0} ms`,
    );
  }, 150_000);
});
