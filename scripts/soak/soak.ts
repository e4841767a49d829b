/**
 * The soak: many records through a 3-broker cluster (RF 3, min ISR 2) while a partition leader is
 * killed (SIGKILL) and restarted again and again, once per mode — idempotence, and transactions —
 * with the compiled connector reading a source's output from a file, as Airbyte pipes it. Each run
 * is then read back with an independent consumer (kcat): with idempotence every record must be
 * there exactly once; with transactions a read_committed reader must see each exactly once. The
 * connector's RSS is sampled every second throughout.
 *
 * The chaos: every `killEveryMs` (once every partition's ISR is whole again, as a careful operator's
 * rolling restart waits), the leader of the next partition is killed, left down `downMs`, and
 * started again (the harness waits until it has rejoined).
 */
import { existsSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { measure } from "../../bench/measure.ts";
import {
  awaitPartition,
  ensureCluster,
  killNode,
  liveBootstrap,
  partitionLeader,
  restartNode,
} from "../kafka/cluster.ts";
import { eachPayloadWithKcat } from "../kafka/kcat.ts";
import { createTopic } from "../kafka/topics.ts";

export type SoakMode = "idempotence" | "transactions";

export interface SoakOptions {
  records: number;
  /** A STATE after every this many records (`records` must be a multiple). */
  stateEvery: number;
  modes: SoakMode[];
  /** The 3-node cluster to use (started, or reused when it runs with the same settings). */
  cluster: string;
  partitions: number;
  killEveryMs: number;
  /** The first kill comes this long after the connector starts. */
  firstKillMs: number;
  downMs: number;
  /** The connector executable. */
  binary: string;
  /** Input file and logs. */
  workDir: string;
  /** Bound on each run. */
  timeoutMs: number;
  log: (line: string) => void;
}

export interface Kill {
  /** Milliseconds after the connector started. */
  atMs: number;
  node: number;
  partition: number;
  /** From the kill until the node had rejoined. */
  downMs: number;
}

export interface ReadBack {
  isolation: "read_committed" | "read_uncommitted";
  /** Records read. */
  read: number;
  /** Record numbers never read. */
  lost: number;
  /** Reads beyond the first of a record. */
  duplicates: number;
}

export interface RssPoint {
  tMs: number;
  mib: number;
}

export interface SoakRun {
  mode: SoakMode;
  records: number;
  exitCode: number | null;
  wallMs: number;
  /** STATEs echoed, and whether they came in input order, each with its count. */
  states: number;
  statesInOrder: boolean;
  /** The TRACE error's message, when there was one. */
  trace: string | null;
  kills: Kill[];
  readBacks: ReadBack[];
  /** One sample a second. */
  rss: RssPoint[];
  cpuSeconds: number;
  logFile: string;
}

export async function runSoak(options: SoakOptions): Promise<SoakRun[]> {
  if (options.records % options.stateEvery !== 0) throw new Error("records must be a multiple of stateEvery");
  await mkdir(options.workDir, { recursive: true });
  const input = await inputFile(options);
  await ensureCluster({ name: options.cluster, nodes: 3 });
  const runs: SoakRun[] = [];
  for (const mode of options.modes) runs.push(await soakOnce(mode, input, options));
  return runs;
}

// --- internal ---

const RUN_ID = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

/** Mode → the settings that differ; everything else is the connector's default. */
const SETTINGS: Record<SoakMode, (id: string) => Record<string, unknown>> = {
  idempotence: () => ({ acks: "all", enable_idempotence: true }),
  transactions: (id) => ({ acks: "all", enable_idempotence: true, transactional_id: `soak-${id}` }),
};

/** `.cache`-style input: `records` RECORDs of ~150 bytes and a STATE every `stateEvery`, made once. */
async function inputFile(options: SoakOptions): Promise<string> {
  const file = join(options.workDir, `input-${options.records}-${options.stateEvery}.jsonl`);
  if (existsSync(file)) return file;
  options.log(`writing ${options.records} records to ${file}`);
  const partial = `${file}.${process.pid}.partial`;
  const sink = Bun.file(partial).writer();
  const pad = "soak".repeat(12);
  for (let i = 0; i < options.records; i++) {
    sink.write(
      `{"type":"RECORD","record":{"stream":"s","data":{"i":${i},"pad":"${pad}"},"emitted_at":1700000000000}}\n`,
    );
    if ((i + 1) % options.stateEvery === 0)
      sink.write(`{"type":"STATE","state":{"data":{"upTo":${i + 1}}}}\n`);
    if (i % 100_000 === 0) await sink.flush();
  }
  await sink.end();
  await rename(partial, file);
  return file;
}

async function soakOnce(mode: SoakMode, input: string, options: SoakOptions): Promise<SoakRun> {
  const id = RUN_ID();
  const topic = `soak_${mode}_${id}`;
  const cluster = options.cluster;
  await createTopic(
    liveBootstrap(cluster),
    topic,
    { "min.insync.replicas": "2" },
    { partitions: options.partitions, replicas: 3 },
  );
  const config = join(options.workDir, `config-${mode}.json`);
  await writeFile(
    config,
    JSON.stringify({
      bootstrap_servers: liveBootstrap(cluster),
      topic_pattern: topic,
      ...SETTINGS[mode](id),
    }),
  );
  const catalog = join(options.workDir, "catalog.json");
  await writeFile(
    catalog,
    JSON.stringify({ streams: [{ stream: { name: "s" }, destination_sync_mode: "append" }] }),
  );

  const states = stateWatcher();
  let running = true;
  const started = performance.now();
  const kills: Kill[] = [];
  const chaos = (async () => {
    let next = started + options.firstKillMs;
    for (let n = 0; running; n++) {
      while (running && performance.now() < next) await Bun.sleep(200);
      if (!running) break;
      await wholeIsr(cluster, topic, options.partitions);
      const partition = n % options.partitions;
      const node = await partitionLeader(liveBootstrap(cluster), topic, partition);
      const killedAt = performance.now();
      await killNode(cluster, node);
      options.log(
        `${mode}: killed node ${node} (leader of partition ${partition}) at ${((killedAt - started) / 1000).toFixed(1)} s`,
      );
      await Bun.sleep(options.downMs);
      await restartNode(cluster, node);
      kills.push({ atMs: killedAt - started, node, partition, downMs: performance.now() - killedAt });
      next = killedAt + options.killEveryMs;
    }
  })();
  const measured = await measure({
    command: [options.binary, "write", "--config", config, "--catalog", catalog],
    stdinFile: input,
    logFile: join(options.workDir, `connector-${mode}.log`),
    timeoutMs: options.timeoutMs,
    sampleEveryMs: 1000,
    watchStdout: states.see,
    // As the image runs it: the collector paced against 1 GiB, not the host's RAM (README, "Memory").
    env: { ...process.env, BUN_JSC_forceRAMSize: "1073741824" },
  }).finally(() => {
    running = false;
  });
  await chaos;
  options.log(
    `${mode}: exit ${measured.exitCode} after ${(measured.wallMs / 1000).toFixed(1)} s, ${states.count()} STATEs`,
  );

  const bootstrap = liveBootstrap(cluster);
  const readBacks = [
    await readBack(
      bootstrap,
      topic,
      options.records,
      mode === "transactions" ? "read_committed" : "read_uncommitted",
    ),
  ];
  if (mode === "transactions")
    readBacks.push(await readBack(bootstrap, topic, options.records, "read_uncommitted"));
  return {
    mode,
    records: options.records,
    exitCode: measured.exitCode,
    wallMs: measured.wallMs,
    states: states.count(),
    statesInOrder: states.inOrder(options.stateEvery),
    trace: states.trace(),
    kills,
    readBacks,
    rss: measured.samples.map((s) => ({ tMs: s.tMs, mib: s.rssBytes / 2 ** 20 })),
    cpuSeconds: measured.cpuUserS + measured.cpuSystemS,
    logFile: measured.logFile,
  };
}

/** Waits until every partition of `topic` has all three replicas in sync. */
async function wholeIsr(cluster: string, topic: string, partitions: number): Promise<void> {
  for (let partition = 0; partition < partitions; partition++) {
    await awaitPartition(cluster, topic, (state) => state.isr.length === 3 && state.leader >= 0, {
      partition,
      timeoutMs: 120_000,
      what: "a whole ISR",
    });
  }
}

/** Watches the connector's stdout for STATEs (their `upTo`, in order) and a TRACE error. */
function stateWatcher() {
  const upTo: number[] = [];
  let traceMessage: string | null = null;
  let rest = "";
  const decoder = new TextDecoder();
  return {
    see: (chunk: Uint8Array) => {
      const lines = (rest + decoder.decode(chunk, { stream: true })).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        if (line.startsWith('{"type":"STATE"'))
          upTo.push((JSON.parse(line) as { state: { data: { upTo: number } } }).state.data.upTo);
        else if (line.startsWith('{"type":"TRACE"'))
          traceMessage = (JSON.parse(line) as { trace: { error: { message: string } } }).trace.error.message;
      }
      return false;
    },
    count: () => upTo.length,
    inOrder: (every: number) => upTo.every((n, k) => n === (k + 1) * every),
    trace: () => traceMessage,
  };
}

/** Reads `topic` back with kcat and counts each record number (0 ≤ i < records). */
async function readBack(
  bootstrap: string,
  topic: string,
  records: number,
  isolation: ReadBack["isolation"],
): Promise<ReadBack> {
  const seen = new Uint8Array(records);
  let duplicates = 0;
  const marker = '"_airbyte_data":{"i":';
  const read = await eachPayloadWithKcat(
    bootstrap,
    topic,
    isolation,
    (payload) => {
      const at = payload.indexOf(marker) + marker.length;
      const i = Number.parseInt(payload.slice(at, payload.indexOf(",", at)), 10);
      if (!(i >= 0 && i < records)) throw new Error(`a record that was never sent: ${payload.slice(0, 200)}`);
      if (seen[i] === 1) duplicates++;
      else seen[i] = 1;
    },
    30 * 60_000,
  );
  let lost = 0;
  for (let i = 0; i < records; i++) if (seen[i] === 0) lost++;
  return { isolation, read, lost, duplicates };
}
