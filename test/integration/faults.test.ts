import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { ensureBroker, stopBroker } from "../../scripts/kafka/broker.ts";
import {
  awaitPartition,
  type ClusterHandle,
  ensureCluster,
  killNode,
  partitionLeader,
  restartNode,
} from "../../scripts/kafka/cluster.ts";
import { assertLoopback } from "../../scripts/kafka/loopback.ts";
import { jsonFile, ofType, runConnector, startConnector } from "../helpers/connector.ts";
import { createTopic, readTopics, testBroker, uniqueName } from "../helpers/kafka.ts";

const stateOfRound = (round: number) => (m: Record<string, unknown>) =>
  m.type === "STATE" && (m.state as { data?: { round?: number } }).data?.round === round;

const record = (i: number) => `{"type":"RECORD","record":{"stream":"s","data":{"i":${i}},"emitted_at":1}}\n`;

describe("faults on a 3-broker cluster (RF 3, min ISR 2)", () => {
  const CLUSTER = "faults";
  let cluster: ClusterHandle;

  beforeAll(async () => {
    cluster = await ensureCluster({ name: CLUSTER, nodes: 3 });
    assertLoopback(cluster.bootstrap);
  }, 180_000);

  afterAll(async () => {
    // Bring every node back for the next test run; the cluster itself is reused.
    for (const node of cluster.nodes) await restartNode(CLUSTER, node.nodeId).catch(() => undefined);
  }, 120_000);

  it.each([
    ["acks all", { acks: "all" }],
    ["idempotence", { acks: "all", enable_idempotence: true }],
  ])(
    "killing the partition leader mid-sync (%s): the sync completes with every record in Kafka",
    async (label, settings) => {
      const topic = uniqueName("leader");
      await createTopic(
        cluster.bootstrap,
        topic,
        { "min.insync.replicas": "2" },
        { partitions: 1, replicas: 3 },
      );
      const config = jsonFile("config.json", {
        bootstrap_servers: cluster.bootstrap,
        topic_pattern: topic,
        request_timeout_ms: 5000,
        delivery_timeout_ms: 60000,
        max_block_ms: "30000",
        ...settings,
      });
      const catalog = jsonFile("catalog.json", {
        streams: [{ stream: { name: "s" }, destination_sync_mode: "append" }],
      });
      const live = startConnector(["write", "--config", config, "--catalog", catalog]);
      const total = 6000;
      let i = 0;
      const feed = (count: number, round: number) => {
        let chunk = "";
        for (let end = i + count; i < end; i++) chunk += record(i);
        live.write(`${chunk}{"type":"STATE","state":{"data":{"round":${round}}}}\n`);
      };
      feed(2000, 1);
      await live.waitFor((m) => m.type === "STATE", 30_000);
      const leader = await partitionLeader(cluster.bootstrap, topic);
      await killNode(CLUSTER, leader);
      feed(2000, 2);
      await awaitPartition(CLUSTER, topic, (state) => state.leader !== leader && state.leader >= 0, {
        timeoutMs: 30_000,
      });
      feed(total - i, 3);
      await live.end();
      const result = await live.finished(90_000);
      expect(ofType(result.messages, "TRACE")).toEqual([]);
      expect(result.exitCode).toBe(0);
      expect(ofType(result.messages, "STATE")).toHaveLength(3);
      const landed = await readTopics(cluster.bootstrap, [topic], 60_000);
      const seen = landed.map((r) => JSON.parse(r.value)._airbyte_data.i as number);
      expect(new Set(seen).size).toBe(total); // every record is there
      if (label === "idempotence") expect(seen).toHaveLength(total); // and none twice
      await restartNode(CLUSTER, leader);
    },
    180_000,
  );
});

describe("restarting the only broker mid-sync, within delivery_timeout_ms", () => {
  const SINGLE = "restart";
  let single: ClusterHandle;

  beforeAll(async () => {
    // A one-node cluster: the harness can kill and restart its node on the same port and data.
    single = await ensureCluster({ name: SINGLE, nodes: 1 });
    assertLoopback(single.bootstrap);
  }, 180_000);

  it.each([
    ["acks all, the direct path", { acks: "all" }],
    ["idempotence, the client's path", { acks: "all", enable_idempotence: true }],
  ])(
    "%s: the sync completes and every record is in Kafka, under the key it was sent with",
    async (label, settings) => {
      const started = Date.now();
      const topic = uniqueName("restart");
      await createTopic(single.bootstrap, topic);
      const config = jsonFile("config.json", {
        bootstrap_servers: single.bootstrap,
        topic_pattern: topic,
        request_timeout_ms: 3000,
        delivery_timeout_ms: 45000,
        max_block_ms: "30000",
        socket_connection_setup_timeout_ms: "1000",
        ...settings,
      });
      const catalog = jsonFile("catalog.json", {
        streams: [{ stream: { name: "s" }, destination_sync_mode: "append" }],
      });
      const live = startConnector(["write", "--config", config, "--catalog", catalog]);
      const total = 26000;
      let i = 0;
      const feed = (count: number, round: number) => {
        let chunk = "";
        for (let end = i + count; i < end; i++) chunk += record(i);
        live.write(`${chunk}{"type":"STATE","state":{"data":{"round":${round}}}}\n`);
      };
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
      feed(total - i, 4);
      await live.end();
      const result = await live.finished(60_000);
      expect(ofType(result.messages, "TRACE")).toEqual([]);
      expect(result.exitCode).toBe(0);
      const rounds = ofType(result.messages, "STATE").map(
        (m) => (m.state as { data: { round: number } }).data.round,
      );
      expect(rounds).toEqual([1, 2, 3, 4]);
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
      if (label.startsWith("idempotence")) expect(landed).toHaveLength(total); // none twice
      console.log(
        `[faults] restart the only broker (${label}): down ${downMs} ms, test ${Date.now() - started} ms`,
      );
    },
    120_000,
  );
});

describe("kill -9 of the connector mid-sync", () => {
  const ROUNDS = 60;
  const PER_ROUND = 1000;
  const roundsOf = (messages: Record<string, unknown>[]) =>
    ofType(messages, "STATE").map((m) => (m.state as { data: { round: number } }).data.round);
  /** Rounds `from`..ROUNDS: each PER_ROUND records, then its STATE. */
  const input = (from: number) => {
    let text = "";
    for (let round = from; round <= ROUNDS; round++) {
      for (let i = (round - 1) * PER_ROUND; i < round * PER_ROUND; i++) text += record(i);
      text += `{"type":"STATE","state":{"data":{"round":${round}}}}\n`;
    }
    return text;
  };

  it.each([
    ["acks all", { acks: "all" }],
    ["idempotence", { acks: "all", enable_idempotence: true }],
  ])(
    "%s: every STATE it echoed is covered, and replaying from the last one leaves no record out",
    async (label, settings) => {
      const started = Date.now();
      const broker = await testBroker();
      const topic = uniqueName("crash");
      await createTopic(broker.bootstrap, topic);
      const config = jsonFile("config.json", {
        bootstrap_servers: broker.bootstrap,
        topic_pattern: topic,
        ...settings,
      });
      const catalog = jsonFile("catalog.json", {
        streams: [{ stream: { name: "s" }, destination_sync_mode: "append" }],
      });
      const args = ["write", "--config", config, "--catalog", catalog];
      const live = startConnector(args);
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
      const replay = await runConnector(args, input(last + 1), 60_000);
      expect(ofType(replay.messages, "TRACE")).toEqual([]);
      expect(replay.exitCode).toBe(0);
      expect(roundsOf(replay.messages)).toEqual(
        Array.from({ length: ROUNDS - last }, (_, k) => last + 1 + k),
      );
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
    const config = jsonFile("config.json", {
      bootstrap_servers: broker.bootstrap,
      topic_pattern: topic,
      acks: "all",
      request_timeout_ms: 2000,
      delivery_timeout_ms: 6000,
      max_block_ms: "3000",
      socket_connection_setup_timeout_ms: "1000",
    });
    const catalog = jsonFile("catalog.json", {
      streams: [{ stream: { name: "s" }, destination_sync_mode: "append" }],
    });
    const live = startConnector(["write", "--config", config, "--catalog", catalog]);
    let input = "";
    for (let i = 0; i < 500; i++) input += record(i);
    live.write(`${input}{"type":"STATE","state":{"data":{"round":1}}}\n`);
    await live.waitFor((m) => m.type === "STATE", 30_000);
    // The STATE is out: the records before it are readable.
    expect(await readTopics(broker.bootstrap, [topic])).toHaveLength(500);

    await stopBroker("outage");
    const stopped = Date.now();
    input = "";
    for (let i = 500; i < 1000; i++) input += record(i);
    live.write(`${input}{"type":"STATE","state":{"data":{"round":2}}}\n`);
    await live.end();
    const result = await live.finished(60_000);
    const elapsed = Date.now() - stopped;

    expect(result.exitCode).toBe(1);
    const traces = ofType(result.messages, "TRACE") as {
      trace: { error: { failure_type: string; message: string } };
    }[];
    expect(traces).toHaveLength(1);
    expect(traces[0]?.trace.error.failure_type).toBe("transient_error");
    const rounds = ofType(result.messages, "STATE").map(
      (m) => (m.state as { data: { round: number } }).data.round,
    );
    expect(rounds).toEqual([1]);
    // delivery_timeout_ms (6 s) bounds it, plus the time to notice and exit.
    expect(elapsed).toBeLessThan(20_000);
  }, 90_000);
});
