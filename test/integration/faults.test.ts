import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { ensureBroker, stopBroker } from "../../scripts/kafka/broker.ts";
import {
  awaitPartition,
  type ClusterHandle,
  ensureCluster,
  killNode,
  liveBootstrap,
  partitionLeader,
  restartNode,
} from "../../scripts/kafka/cluster.ts";
import { assertLoopback } from "../../scripts/kafka/loopback.ts";
import { jsonFile, ofType, runConnector, startConnector } from "../helpers/connector.ts";
import { createTopic, readTopics, testBroker, uniqueName } from "../helpers/kafka.ts";
import { useLaunchers } from "../helpers/launchers.ts";
import { describeTransaction, readWithKcat } from "../helpers/transactions.ts";
import { waitUntil } from "../helpers/wait.ts";

/** The `write` arguments for stream "s" into `topic`, with these settings. */
const writeArgs = (bootstrap: string, topic: string, settings: Record<string, unknown>) => [
  "write",
  "--config",
  jsonFile("config.json", { bootstrap_servers: bootstrap, topic_pattern: topic, ...settings }),
  "--catalog",
  jsonFile("catalog.json", { streams: [{ stream: { name: "s" }, destination_sync_mode: "append" }] }),
];

/** Records `from` to `to - 1` of stream "s" (`data.i` is the number). */
function records(from: number, to: number): string {
  let text = "";
  for (let i = from; i < to; i++)
    text += `{"type":"RECORD","record":{"stream":"s","data":{"i":${i}},"emitted_at":1}}\n`;
  return text;
}

/** The STATE of round `round`. */
const stateLine = (round: number) => `{"type":"STATE","state":{"data":{"round":${round}}}}\n`;

/** Records `from` to `to - 1`, then the STATE of `round`. */
const round = (from: number, to: number, r: number): string => records(from, to) + stateLine(r);

const roundsOf = (messages: Record<string, unknown>[]) =>
  ofType(messages, "STATE").map((m) => (m.state as { data: { round: number } }).data.round);

const stateOfRound = (round: number) => (m: Record<string, unknown>) =>
  m.type === "STATE" && (m.state as { data?: { round?: number } }).data?.round === round;

/** A live write fed by hand: `feed(count, round)` sends the next `count` records, then that round's STATE. */
function fedWrite(args: string[]) {
  const live = startConnector(args);
  let fed = 0;
  const feed = (count: number, r: number) => {
    live.write(round(fed, fed + count, r));
    fed += count;
  };
  return { live, feed, fed: () => fed };
}

/** The modes of the one send path: plain batches, and batches with a producer id and sequences. */
const SEND_PATHS: [string, Record<string, unknown>][] = [
  ["acks all", { acks: "all" }],
  ["idempotence", { acks: "all", enable_idempotence: true }],
];

/** Brings up cluster `name` before the tests of the enclosing describe; the getter returns it. */
function useCluster(name: string, nodes: number): () => ClusterHandle {
  let handle: ClusterHandle | undefined;
  beforeAll(async () => {
    handle = await ensureCluster({ name, nodes });
    assertLoopback(handle.bootstrap);
  }, 180_000);
  return () => {
    if (!handle) throw new Error(`cluster "${name}" is not up`);
    return handle;
  };
}

describe("faults on a 3-broker cluster (RF 3, min ISR 2)", () => {
  const CLUSTER = "faults";
  const clusterOf = useCluster(CLUSTER, 3);

  afterAll(async () => {
    // Bring every node back for the next test run; the cluster itself is reused.
    for (const node of clusterOf().nodes) await restartNode(CLUSTER, node.nodeId).catch(() => undefined);
  }, 120_000);

  it.each(SEND_PATHS)(
    "killing the partition leader mid-sync (%s): the sync completes with every record in Kafka",
    async (_label, settings) => {
      const cluster = clusterOf();
      const topic = uniqueName("leader");
      await createTopic(
        cluster.bootstrap,
        topic,
        { "min.insync.replicas": "2" },
        { partitions: 1, replicas: 3 },
      );
      const { live, feed, fed } = fedWrite(
        writeArgs(cluster.bootstrap, topic, {
          request_timeout_ms: 5000,
          delivery_timeout_ms: 60000,
          max_block_ms: "30000",
          ...settings,
        }),
      );
      const total = 6000;
      feed(2000, 1);
      await live.waitFor((m) => m.type === "STATE", 30_000);
      const leader = await partitionLeader(cluster.bootstrap, topic);
      await killNode(CLUSTER, leader);
      feed(2000, 2);
      await awaitPartition(CLUSTER, topic, (state) => state.leader !== leader && state.leader >= 0, {
        timeoutMs: 30_000,
      });
      feed(total - fed(), 3);
      await live.end();
      const result = await live.finished(90_000);
      expect(ofType(result.messages, "TRACE")).toEqual([]);
      expect(result.exitCode).toBe(0);
      expect(ofType(result.messages, "STATE")).toHaveLength(3);
      const landed = await readTopics(cluster.bootstrap, [topic], 60_000);
      const seen = landed.map((r) => JSON.parse(r.value)._airbyte_data.i as number);
      expect(new Set(seen).size).toBe(total); // every record is there
      if (settings.enable_idempotence) expect(seen).toHaveLength(total); // and none twice
      await restartNode(CLUSTER, leader);
    },
    180_000,
  );

  it("killing the partition leader mid-transaction: read_committed sees every record exactly once, in order", async () => {
    const cluster = clusterOf();
    const topic = uniqueName("txleader");
    const transactionalId = uniqueName("txid");
    await createTopic(
      cluster.bootstrap,
      topic,
      { "min.insync.replicas": "2" },
      { partitions: 1, replicas: 3 },
    );
    const { live, feed } = fedWrite(
      writeArgs(cluster.bootstrap, topic, {
        request_timeout_ms: 5000,
        delivery_timeout_ms: 60000,
        max_block_ms: "30000",
        acks: "all",
        enable_idempotence: true,
        transactional_id: transactionalId,
      }),
    );
    const total = 6000;
    feed(2000, 1);
    await live.waitFor(stateOfRound(1), 30_000);
    // Round 2's records go out in an open transaction; the leader dies before its STATE commits it.
    live.write(records(2000, 4000));
    await waitUntil(
      async () => (await describeTransaction(cluster.bootstrap, transactionalId)).state === "Ongoing",
      20_000,
    );
    const leader = await partitionLeader(cluster.bootstrap, topic);
    await killNode(CLUSTER, leader);
    live.write(stateLine(2));
    await awaitPartition(CLUSTER, topic, (state) => state.leader !== leader && state.leader >= 0, {
      timeoutMs: 30_000,
    });
    live.write(records(4000, total) + stateLine(3));
    await live.end();
    const result = await live.finished(90_000);
    expect(ofType(result.messages, "TRACE")).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(roundsOf(result.messages)).toEqual([1, 2, 3]);
    const committed = await readWithKcat(liveBootstrap(CLUSTER), topic, "read_committed", 60_000);
    expect(committed.data.map((d) => d.i)).toEqual([...Array(total).keys()]);
    await restartNode(CLUSTER, leader);
  }, 180_000);
});

describe("restarting the only broker mid-sync, within delivery_timeout_ms", () => {
  const SINGLE = "restart";
  // A one-node cluster: the harness can kill and restart its node on the same port and data.
  const singleOf = useCluster(SINGLE, 1);

  it.each(SEND_PATHS)(
    "%s: the sync completes and every record is in Kafka, under the key it was sent with",
    async (label, settings) => {
      const started = Date.now();
      const single = singleOf();
      const topic = uniqueName("restart");
      await createTopic(single.bootstrap, topic);
      const { live, feed, fed } = fedWrite(
        writeArgs(single.bootstrap, topic, {
          request_timeout_ms: 3000,
          delivery_timeout_ms: 45000,
          max_block_ms: "30000",
          socket_connection_setup_timeout_ms: "1000",
          ...settings,
        }),
      );
      const total = 26000;
      feed(2000, 1);
      await live.waitFor((m) => m.type === "STATE", 30_000);
      const node = single.nodes[0]?.nodeId ?? 1;
      feed(20000, 2); // being sent when the broker dies
      await killNode(SINGLE, node);
      const down = Date.now();
      feed(2000, 3); // sent while no broker runs: their STATE waits for the broker
      const early = await live.waitFor(stateOfRound(3), 1500).catch(() => undefined);
      expect(early).toBeUndefined();
      await restartNode(SINGLE, node, { timeoutMs: 30_000 });
      const downMs = Date.now() - down;
      feed(total - fed(), 4);
      await live.end();
      const result = await live.finished(60_000);
      expect(ofType(result.messages, "TRACE")).toEqual([]);
      expect(result.exitCode).toBe(0);
      expect(roundsOf(result.messages)).toEqual([1, 2, 3, 4]);
      const landed = await readTopics(single.bootstrap, [topic], 30_000);
      const idOf = new Map<number, string>();
      for (const r of landed) {
        const value = JSON.parse(r.value) as { _airbyte_ab_id: string; _airbyte_data: { i: number } };
        expect(r.key).toBe(value._airbyte_ab_id);
        // A copy of a record is a retry of the same bytes, never a re-encoding with a new id.
        expect(idOf.get(value._airbyte_data.i) ?? value._airbyte_ab_id).toBe(value._airbyte_ab_id);
        idOf.set(value._airbyte_data.i, value._airbyte_ab_id);
      }
      expect([...idOf.keys()].sort((a, b) => a - b)).toEqual([...Array(total).keys()]);
      expect(new Set(idOf.values()).size).toBe(total);
      if (settings.enable_idempotence) expect(landed).toHaveLength(total); // none twice
      console.log(
        `[faults] restart the only broker (${label}): down ${downMs} ms, test ${Date.now() - started} ms`,
      );
    },
    120_000,
  );
});

describe("kill -9 of the connector mid-sync", () => {
  const LAUNCHES = useLaunchers();
  const CASES = LAUNCHES.flatMap(([launched, launcher]) =>
    SEND_PATHS.map(([label, settings]) => [`${launched}, ${label}`, launcher, settings] as const),
  );

  // Enough input (100k records) that the connector is still busy with it when the test reacts.
  const ROUNDS = 100;
  const PER_ROUND = 1000;
  /** Rounds `from`..ROUNDS: each PER_ROUND records, then its STATE. */
  const input = (from: number) => {
    let text = "";
    for (let r = from; r <= ROUNDS; r++) text += round((r - 1) * PER_ROUND, r * PER_ROUND, r);
    return text;
  };

  it.each(CASES)(
    "%s: every STATE it echoed is covered, and replaying from the last one leaves no record out",
    async (label, launcher, settings) => {
      const started = Date.now();
      const broker = await testBroker();
      const topic = uniqueName("crash");
      await createTopic(broker.bootstrap, topic);
      const args = writeArgs(broker.bootstrap, topic, settings);
      const live = startConnector(args, launcher());
      // All of it at once, as from a source: when STATE 3 is out, later rounds are being sent.
      live.write(input(1));
      await live.waitFor(stateOfRound(3), 30_000);
      live.signal("SIGKILL");
      const crashed = await live.finished(10_000);
      expect(crashed.exitCode).not.toBe(0);
      const echoed = roundsOf(crashed.messages);
      const last = echoed.at(-1) ?? 0;
      expect(echoed).toEqual(Array.from({ length: last }, (_, k) => k + 1)); // in order, none skipped
      expect(last).toBeLessThan(ROUNDS); // it died mid-sync

      // Every echoed STATE is covered: all records before it are in Kafka.
      const seen = (landed: { value: string }[]) =>
        new Set(landed.map((r) => JSON.parse(r.value)._airbyte_data.i as number));
      const afterCrash = seen(await readTopics(broker.bootstrap, [topic], 30_000));
      const missing = Array.from({ length: last * PER_ROUND }, (_, i) => i).filter((i) => !afterCrash.has(i));
      expect(missing).toEqual([]);

      // Airbyte resumes after the last echoed STATE: the replay sends the rest again.
      const replay = await runConnector(args, input(last + 1), 60_000, {}, launcher());
      expect(ofType(replay.messages, "TRACE")).toEqual([]);
      expect(replay.exitCode).toBe(0);
      expect(roundsOf(replay.messages)).toEqual(
        Array.from({ length: ROUNDS - last }, (_, k) => last + 1 + k),
      );
      // Each STATE, before the crash or in the replay, counts the records of its own round.
      const counts = ofType([...crashed.messages, ...replay.messages], "STATE").map(
        (m) => (m.state as { destinationStats?: { recordCount?: number } }).destinationStats?.recordCount,
      );
      expect(counts).toEqual(Array(ROUNDS).fill(PER_ROUND));
      const landed = await readTopics(broker.bootstrap, [topic], 30_000);
      const all = seen(landed);
      expect(Array.from({ length: ROUNDS * PER_ROUND }, (_, i) => i).filter((i) => !all.has(i))).toEqual([]);
      console.log(
        `[faults] kill -9 of the connector (${label}): ${last} of ${ROUNDS} STATEs echoed, ${afterCrash.size} records landed before the crash, ${landed.length - ROUNDS * PER_ROUND} written twice; test ${Date.now() - started} ms`,
      );
    },
    120_000,
  );
});

describe("an outage longer than delivery_timeout_ms", () => {
  it("fails the sync with a transient_error TRACE within the configured time; every echoed STATE is covered", async () => {
    const broker = await ensureBroker({ name: "outage" });
    assertLoopback(broker.bootstrap);
    const topic = uniqueName("outage");
    const { live, feed } = fedWrite(
      writeArgs(broker.bootstrap, topic, {
        acks: "all",
        request_timeout_ms: 2000,
        delivery_timeout_ms: 6000,
        max_block_ms: "3000",
        socket_connection_setup_timeout_ms: "1000",
      }),
    );
    feed(500, 1);
    await live.waitFor((m) => m.type === "STATE", 30_000);
    // The STATE is out: the records before it are readable.
    expect(await readTopics(broker.bootstrap, [topic])).toHaveLength(500);

    await stopBroker("outage");
    const stopped = Date.now();
    feed(500, 2);
    await live.end();
    const result = await live.finished(60_000);
    const elapsed = Date.now() - stopped;

    expect(result.exitCode).toBe(1);
    const traces = ofType(result.messages, "TRACE") as {
      trace: { error: { failure_type: string; message: string } };
    }[];
    expect(traces).toHaveLength(1);
    expect(traces[0]?.trace.error.failure_type).toBe("transient_error");
    expect(roundsOf(result.messages)).toEqual([1]);
    // delivery_timeout_ms (6 s) bounds it, plus the time to notice and exit.
    expect(elapsed).toBeLessThan(20_000);
    console.log(`[faults] outage past delivery_timeout_ms (6000 ms): TRACE and exit after ${elapsed} ms`);
  }, 90_000);
});
