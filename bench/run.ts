/**
 * `npm run bench`: the whole benchmark. Prepares the tools (builds our binary, installs kcat, fetches
 * Kafka's jars), generates or reuses the workload, starts the local "bench" broker, then for every
 * case runs ours, kcat and Kafka's Java producer one after another, `--runs` times (A B C A B C …),
 * each into a fresh topic that is counted and deleted afterwards; then ours alone at N and 5×N
 * records for the memory curve. Writes benchmarks.json, BENCHMARKS.md and two SVG charts into
 * `--out` (default docs/), and a copy of the JSON into .cache/bench/results/. Exits 1 when any run
 * failed (fewer records delivered, a non-zero exit, a timeout).
 */
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BROKER_JVM_FLAGS, brokerStatus, stopBroker } from "../scripts/kafka/broker.ts";
import { KAFKA_VERSION } from "../scripts/kafka/jars.ts";
import { brokerDir, CACHE_DIR } from "../scripts/kafka/paths.ts";
import { ensureRegistry, registryStatus, stopRegistry } from "../scripts/registry/registry.ts";
import { type BenchOptions, parseBenchArgs, USAGE } from "./args.ts";
import type { BenchCase } from "./cases.ts";
import { BENCH_BROKER, benchBroker, type TopicAdmin, topicAdmin } from "./kafka.ts";
import { batchesOf } from "./log-segments.ts";
import { describeMachine } from "./machine.ts";
import { machineBusyCpuSeconds, processCpuSeconds, type Sample, waitForQuiet } from "./measure.ts";
import { resultJson, writeOutputs } from "./output.ts";
import type { BenchResult, MemoryPoint } from "./result.ts";
import { measureStartup, type StartupFigures } from "./startup.ts";
import { downsample, type RssSeries, type RunRecord, summarise } from "./stats.ts";
import { java } from "./tools/java.ts";
import { kcat } from "./tools/kcat.ts";
import { BINARY, ours, oursEnvironment, setOursEnvironment } from "./tools/ours.ts";
import { runsCase, type Tool, type ToolId, type ToolInfo } from "./tools/tool.ts";
import { ensureWorkload, type WorkloadFiles } from "./workload.ts";

const BENCH_CACHE = join(CACHE_DIR, "bench");
const ALL_TOOLS: Record<ToolId, Tool> = { ours, kcat, java };
const MB = 1e6;
/** Other processes may use this many cores before a run starts (see --quiet-wait). */
const QUIET_CORES = 0.3;

const log = (text: string): void => {
  process.stderr.write(`[bench] ${text}\n`);
};

interface Session {
  options: BenchOptions;
  bootstrap: string;
  brokerPid: number;
  admin: TopicAdmin;
  runsDir: string;
  /** The Schema Registry, when a case writes a registry format. */
  registryUrl: string | undefined;
}

/** The harness registry the bench starts for the registry formats (stopped after, unless it was up). */
const BENCH_REGISTRY = "bench";

/** Runs the benchmark as `argv` says; returns the result (also written to disk). */
export async function runBench(argv: string[]): Promise<BenchResult> {
  const parsed = parseBenchArgs(argv);
  if (parsed === "help") {
    console.log(USAGE);
    process.exit(0);
  }
  const options = parsed;
  setOursEnvironment(options.oursEnv);
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, "-");
  const machine = describeMachine();
  log(`machine: ${machine.nproc} CPUs (${machine.cpuModel}), load ${machine.loadAverage.join(" ")}`);

  const tools = options.tools.map((id) => ALL_TOOLS[id]);
  const infos: ToolInfo[] = [];
  for (const tool of tools) {
    const info = await tool.prepare(log);
    log(`${tool.id}: ${info.version}`);
    infos.push(info);
  }

  const needsKeyValues = options.tools.some((t) => t !== "ours");
  const workloadRoot = join(BENCH_CACHE, "workloads");
  const workload = await ensureWorkload(
    workloadRoot,
    {
      records: options.records,
      bytes: options.bytes,
      streams: options.streams,
      stateEvery: options.stateEvery,
      seed: options.seed,
    },
    { keyValues: needsKeyValues, log },
  );
  const curveWorkload =
    options.memoryCurve && options.tools.includes("ours")
      ? await ensureWorkload(
          workloadRoot,
          { ...workload.meta.params, records: options.memoryRecords },
          { keyValues: false, log },
        )
      : null;

  const wasUp = (await brokerStatus(BENCH_BROKER)).answering;
  const broker = await benchBroker();
  log(`broker ${BENCH_BROKER} at ${broker.bootstrap} (pid ${broker.pid}${wasUp ? ", already running" : ""})`);
  const needsRegistry = options.cases.some((c) => c.valueFormat !== "json") && options.tools.includes("ours");
  const registryWasUp = needsRegistry && (await registryStatus(BENCH_REGISTRY)).answering;
  const registry = needsRegistry ? await ensureRegistry({ name: BENCH_REGISTRY }) : undefined;
  if (registry) log(`registry ${BENCH_REGISTRY} at ${registry.url} (pid ${registry.pid})`);
  const session: Session = {
    options,
    bootstrap: broker.bootstrap,
    brokerPid: broker.pid,
    admin: topicAdmin(broker.bootstrap),
    runsDir: join(BENCH_CACHE, "runs", stamp),
    registryUrl: registry?.url,
  };
  const runs: RunRecord[] = [];
  let memoryCurve: BenchResult["memoryCurve"] = null;
  let startup: StartupFigures | null = null;
  try {
    if (options.tools.includes("ours")) {
      await mkdir(session.runsDir, { recursive: true });
      startup = await measureStartup(
        BINARY,
        { ...process.env, ...oursEnvironment() },
        broker.bootstrap,
        session.runsDir,
      );
      log(
        `start-up: spec ${startup.spec.wallMs?.median.toFixed(0)} ms, ${startup.spec.peakRssMB?.median.toFixed(0)} MB; one-record write ${startup.oneRecordWrite.wallMs?.median.toFixed(0)} ms, ${startup.oneRecordWrite.peakRssMB?.median.toFixed(0)} MB`,
      );
    }
    const firstCase = options.cases[0] as BenchCase;
    if (options.warmup) {
      const warm = tools.find((t) => t.id === "kcat") ?? (tools[0] as Tool);
      log(`warm-up (not measured): ${warm.id}, ${firstCase.id}`);
      const record = await runOnce(session, warm, firstCase, 0, workload, 0);
      if (!record.ok) log(`warm-up failed: ${record.error}`);
    }
    for (const benchCase of options.cases) {
      for (let iteration = 1; iteration <= options.runs; iteration++) {
        for (const tool of tools) {
          if (!runsCase(tool, benchCase)) continue;
          const record = await runOnce(session, tool, benchCase, iteration, workload, 150);
          runs.push(record);
          log(describeRun(record, options.runs));
        }
      }
    }
    if (curveWorkload) {
      const points: MemoryPoint[] = [];
      for (const files of [workload, curveWorkload]) {
        const record = await runOnce(session, ours, firstCase, 0, files, 400);
        log(`memory curve ${describeRun(record, 1)}`);
        points.push({
          records: record.records,
          ok: record.ok,
          error: record.error,
          elapsedMs: record.elapsedMs,
          recordsPerS: record.recordsPerS,
          peakRssMB: record.peakRssMB,
          otherCores: record.otherCpuS === null ? null : record.otherCpuS / (record.wallMs / 1000),
          rss: record.rss,
        });
      }
      memoryCurve = { caseId: firstCase.id, points };
    }
  } finally {
    await session.admin.close().catch(() => undefined);
    if (!wasUp && !options.keepBroker) {
      log(`stopping broker ${BENCH_BROKER} (started by this run; --keep-broker keeps it)`);
      await stopBroker(BENCH_BROKER);
    }
    if (registry && !registryWasUp && !options.keepBroker) {
      log(`stopping registry ${BENCH_REGISTRY} (started by this run)`);
      await stopRegistry(BENCH_REGISTRY);
    }
  }

  const settings = Object.fromEntries(
    tools.map((tool) => [
      tool.id,
      Object.fromEntries(
        options.cases.filter((c) => runsCase(tool, c)).map((c) => [c.id, tool.settings(c, options.batching)]),
      ),
    ]),
  ) as BenchResult["settings"];
  const failedRuns =
    runs.filter((r) => !r.ok).length +
    (memoryCurve?.points.filter((p) => !p.ok).length ?? 0) +
    (startup ? startup.spec.failures + startup.oneRecordWrite.failures : 0);
  const result: BenchResult = {
    formatVersion: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: ["npm run bench --", ...argv].join(" ").replace(/ --$/, ""),
    machine,
    kafkaVersion: KAFKA_VERSION,
    broker: { name: BENCH_BROKER, bootstrap: broker.bootstrap, jvmFlags: [...BROKER_JVM_FLAGS] },
    partitions: options.partitions,
    runsPerCase: options.runs,
    quietWaitMs: options.quietWaitMs,
    workload: workload.meta,
    batching: options.batching,
    cases: options.cases,
    tools: infos,
    settings,
    runs,
    summaries: options.cases.map((c) => summarise(c.id, options.tools, runs)),
    memoryCurve,
    startup,
    failedRuns,
  };
  await writeResult(result, options.out, stamp);
  return result;
}

// --- internal ---

async function runOnce(
  session: Session,
  tool: Tool,
  benchCase: BenchCase,
  iteration: number,
  workload: WorkloadFiles,
  maxSamples: number,
): Promise<RunRecord> {
  const { options, admin } = session;
  const records = workload.meta.records;
  const timeoutMs = options.runTimeoutMs ?? 60_000 + records / 5;
  const label = `${benchCase.id}-${tool.id}-${iteration === 0 ? `extra-${records}` : iteration}`;
  const runDir = join(session.runsDir, label);
  await mkdir(runDir, { recursive: true });
  const topic = `bench_${label.replace(/[^A-Za-z0-9]/g, "_")}_${randomBytes(4).toString("hex")}`;
  const base: RunRecord = {
    caseId: benchCase.id,
    tool: tool.id,
    iteration,
    topic,
    records,
    delivered: null,
    batches: null,
    batchBytes: null,
    ok: false,
    error: null,
    elapsedMs: null,
    wallMs: 0,
    exitCode: null,
    cpuUserS: 0,
    cpuSystemS: 0,
    peakRssMB: 0,
    brokerCpuS: null,
    otherCpuS: null,
    otherCoresBefore: null,
    recordsPerS: null,
    mbPerS: null,
    cpuSPerMillion: 0,
    mainThreadBusy: null,
    rss: { tMs: [], mb: [] },
  };
  await admin.create(topic, options.partitions);
  try {
    const quiet = await waitForQuiet(options.quietWaitMs, QUIET_CORES, session.brokerPid);
    if (quiet.cores !== null && quiet.cores >= QUIET_CORES) {
      log(
        `machine still busy (${quiet.cores.toFixed(2)} cores used by others) after ${Math.round(quiet.waitedMs / 1000)} s; running anyway`,
      );
    }
    const brokerBefore = processCpuSeconds(session.brokerPid);
    const machineBefore = machineBusyCpuSeconds();
    const run = await tool.run({
      bootstrap: session.bootstrap,
      topic,
      benchCase,
      batching: options.batching,
      workload,
      registryUrl: session.registryUrl,
      runDir,
      timeoutMs,
    });
    const brokerAfter = processCpuSeconds(session.brokerPid);
    const machineAfter = machineBusyCpuSeconds();
    const m = run.measurement;
    const delivered = await admin.count(topic, options.partitions);
    const stored = batchesOf(join(brokerDir(BENCH_BROKER), "data"), topic);
    const seconds = run.elapsedMs === null ? null : run.elapsedMs / 1000;
    const cpu = m.cpuUserS + m.cpuSystemS;
    const brokerCpu = brokerBefore === null || brokerAfter === null ? null : brokerAfter - brokerBefore;
    const lastSample = [...m.samples].reverse().find((s) => run.elapsedMs === null || s.tMs <= run.elapsedMs);
    const problems = [
      m.timedOut ? `timed out after ${timeoutMs / 1000} s` : null,
      m.exitCode !== 0 ? `exit code ${m.exitCode ?? `signal ${m.signal}`}` : null,
      delivered !== records ? `delivered ${delivered} of ${records} records` : null,
      run.problem,
    ].filter((p): p is string => p !== null);
    return {
      ...base,
      delivered,
      batches: stored.batches > 0 ? stored.batches : null,
      batchBytes: stored.batches > 0 ? stored.bytes : null,
      ok: problems.length === 0 && seconds !== null,
      error: problems.length > 0 ? `${problems.join("; ")} (log: ${m.logFile})` : null,
      elapsedMs: run.elapsedMs,
      wallMs: m.wallMs,
      exitCode: m.exitCode,
      cpuUserS: m.cpuUserS,
      cpuSystemS: m.cpuSystemS,
      peakRssMB: m.peakRssBytes / MB,
      brokerCpuS: brokerCpu,
      otherCoresBefore: quiet.cores,
      otherCpuS:
        brokerCpu === null || machineBefore === null || machineAfter === null
          ? null
          : Math.max(0, machineAfter - machineBefore - cpu - brokerCpu),
      recordsPerS: seconds ? records / seconds : null,
      mbPerS: seconds ? (workload.meta.keyBytes + workload.meta.valueBytes) / MB / seconds : null,
      cpuSPerMillion: (cpu * 1e6) / records,
      mainThreadBusy:
        lastSample && lastSample.tMs > 0 ? lastSample.mainThreadCpuS / (lastSample.tMs / 1000) : null,
      rss:
        tool.id === "ours" && maxSamples > 0
          ? rssSeries(downsample(m.samples, maxSamples))
          : { tMs: [], mb: [] },
    };
  } catch (error) {
    return { ...base, error: error instanceof Error ? error.message : String(error) };
  } finally {
    await admin
      .remove(topic)
      .catch((error: unknown) => log(`could not delete topic ${topic}: ${String(error)}`));
    await Bun.sleep(1000);
  }
}

function rssSeries(samples: Sample[]): RssSeries {
  return {
    tMs: samples.map((s) => s.tMs),
    mb: samples.map((s) => Math.round((s.rssBytes / MB) * 10) / 10),
  };
}

function describeRun(r: RunRecord, runs: number): string {
  const where = `${r.caseId} ${r.iteration === 0 ? `(${r.records} records)` : `${r.iteration}/${runs}`} ${r.tool}`;
  if (!r.ok) return `${where}: FAILED ${r.error}`;
  return `${where}: ${Math.round(r.recordsPerS ?? 0).toLocaleString("en-US")} rec/s, ${(r.mbPerS ?? 0).toFixed(1)} MB/s, ${(
    (r.elapsedMs ?? 0) / 1000
  ).toFixed(2)} s, RSS ${r.peakRssMB.toFixed(0)} MB, CPU ${r.cpuSPerMillion.toFixed(1)} s/M, broker ${(
    r.brokerCpuS ?? 0
  ).toFixed(
    1,
  )} s, others ${(r.otherCpuS ?? 0).toFixed(1)} s, ${r.batches ? Math.round(r.records / r.batches) : "?"} records a batch`;
}

async function writeResult(result: BenchResult, out: string, stamp: string): Promise<void> {
  const history = join(BENCH_CACHE, "results");
  await mkdir(history, { recursive: true });
  await writeFile(join(history, `${stamp}.json`), resultJson(result));
  const written = await writeOutputs(result, out);
  log(`wrote ${written.join(", ")}`);
}

if (import.meta.main) {
  try {
    const result = await runBench(process.argv.slice(2));
    if (result.failedRuns > 0) {
      log(`${result.failedRuns} run(s) failed`);
      process.exit(1);
    }
    process.exit(0);
  } catch (error) {
    log(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  }
}
