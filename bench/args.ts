/**
 * The benchmark's command line → validated options. `bun bench/run.ts --help` prints the flags.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "../scripts/kafka/paths.ts";
import { type Batching, type BenchCase, DEFAULT_BATCHING, selectCases } from "./cases.ts";
import { TOOL_IDS, type ToolId } from "./tools/tool.ts";

export interface BenchOptions {
  records: number;
  bytes: number;
  streams: number;
  stateEvery: number;
  seed: number;
  runs: number;
  cases: BenchCase[];
  tools: ToolId[];
  partitions: number;
  /** What every tool is given alike; null: each at its own defaults (`--batching defaults`). */
  batching: Batching | null;
  /** Folder for benchmarks.json, BENCHMARKS.md and the charts. */
  out: string;
  /** Also run ours on `memoryRecords` records (the RSS curve at 1× and 5×). */
  memoryCurve: boolean;
  memoryRecords: number;
  /** One unmeasured run before the measured ones, so the broker's JIT is warm for everyone. */
  warmup: boolean;
  /** Before each run, wait up to this long for the machine to be quiet (other processes < 0.3 cores). */
  quietWaitMs: number;
  /** Bound of one run, in ms; null: 60 s + 0.2 ms per record of that run's workload. */
  runTimeoutMs: number | null;
  /** Leave the bench broker running at the end even when this run started it. */
  keepBroker: boolean;
  /** Run ours with the image's runtime environment (scripts/image/runtime-env.ts), or bare. */
  oursEnv: "image" | "bare";
}

export const USAGE = `bun bench/run.ts [flags]   (npm run bench)
  --records N          RECORD messages in the workload (default 1000000)
  --bytes N            size of each record's data JSON in bytes (default 500)
  --streams N          streams, the first with a namespace (default 4)
  --state-every N      a STATE every N records (default 10000)
  --seed N             workload PRNG seed (default 1)
  --runs N             repetitions of each case, tools interleaved A B C A B C (default 3)
  --cases LIST         all | comma-separated: all-none, all-lz4, 1-none, idem-none (default all)
  --tools LIST         comma-separated: ours, kcat, java (default all three)
  --partitions N       partitions of each run's topic (default 1)
  --batching MODE      defaults: each tool at its own batching defaults (default); equal: every tool
                       gets the same batch size, linger, in-flight, buffer and timeouts
  --batch-size N       with --batching equal: batch size in bytes (default 16384)
  --linger-ms N        with --batching equal: linger in ms (default 0)
  --out DIR            where benchmarks.json, BENCHMARKS.md and the SVG charts go (default docs)
  --memory-curve       also run ours on --memory-records records for the RSS curve (default on)
  --no-memory-curve    skip it
  --memory-records N   records of the memory-curve run (default 5 × --records)
  --no-warmup          skip the unmeasured warm-up run
  --quiet-wait S       before each run, wait up to S seconds until other processes use < 0.3 cores (default 60; 0: off)
  --run-timeout S      seconds one run may take (default 60 + records / 5000 of that run)
  --keep-broker        leave the "bench" broker running at the end (it is stopped if this run started it)
  --ours-env ENV       image: ours with the image's runtime environment (default); bare: without it
  --help`;

export function parseBenchArgs(argv: string[]): BenchOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      records: { type: "string" },
      bytes: { type: "string" },
      streams: { type: "string" },
      "state-every": { type: "string" },
      seed: { type: "string" },
      runs: { type: "string" },
      cases: { type: "string" },
      tools: { type: "string" },
      partitions: { type: "string" },
      batching: { type: "string" },
      "batch-size": { type: "string" },
      "linger-ms": { type: "string" },
      out: { type: "string" },
      "memory-curve": { type: "boolean" },
      "no-memory-curve": { type: "boolean" },
      "memory-records": { type: "string" },
      "no-warmup": { type: "boolean" },
      "quiet-wait": { type: "string" },
      "run-timeout": { type: "string" },
      "keep-broker": { type: "boolean" },
      "ours-env": { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return "help";
  const records = int("records", values.records, 1_000_000, 1);
  const tools = (values.tools ?? TOOL_IDS.join(","))
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
  for (const tool of tools) {
    if (!TOOL_IDS.includes(tool as ToolId))
      throw new Error(`unknown tool ${tool}; one of ${TOOL_IDS.join(", ")}`);
  }
  if (tools.length === 0) throw new Error("--tools names no tool");
  const oursEnv = values["ours-env"] ?? "image";
  if (oursEnv !== "image" && oursEnv !== "bare")
    throw new Error(`--ours-env must be image or bare, got ${oursEnv}`);
  const cases = selectCases(values.cases ?? "all");
  if (cases.length === 0) throw new Error("--cases names no case");
  return {
    records,
    bytes: int("bytes", values.bytes, 500, 1),
    streams: int("streams", values.streams, 4, 1),
    stateEvery: int("state-every", values["state-every"], 10_000, 1),
    seed: int("seed", values.seed, 1, 0),
    runs: int("runs", values.runs, 3, 1),
    cases,
    tools: tools as ToolId[],
    partitions: int("partitions", values.partitions, 1, 1),
    batching: batchingOf(values.batching ?? "defaults", values["batch-size"], values["linger-ms"]),
    out: resolve(REPO_ROOT, values.out ?? "docs"),
    memoryCurve: values["no-memory-curve"] ? false : (values["memory-curve"] ?? true),
    memoryRecords: int("memory-records", values["memory-records"], records * 5, 1),
    warmup: !values["no-warmup"],
    quietWaitMs: int("quiet-wait", values["quiet-wait"], 60, 0) * 1000,
    runTimeoutMs:
      values["run-timeout"] === undefined ? null : int("run-timeout", values["run-timeout"], 0, 1) * 1000,
    keepBroker: values["keep-broker"] ?? false,
    oursEnv,
  };
}

/** `--batching` and its two settings: null for each tool's own defaults. */
function batchingOf(
  mode: string,
  batchSize: string | undefined,
  lingerMs: string | undefined,
): Batching | null {
  if (mode !== "defaults" && mode !== "equal")
    throw new Error(`--batching must be defaults or equal, got ${mode}`);
  if (mode === "defaults") {
    if (batchSize !== undefined || lingerMs !== undefined)
      throw new Error(
        "--batch-size and --linger-ms need --batching equal (the defaults mode passes no batching)",
      );
    return null;
  }
  return {
    ...DEFAULT_BATCHING,
    batchSize: int("batch-size", batchSize, DEFAULT_BATCHING.batchSize, 0),
    lingerMs: int("linger-ms", lingerMs, DEFAULT_BATCHING.lingerMs, 0),
  };
}

function int(flag: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw.replaceAll("_", ""));
  if (!Number.isSafeInteger(n) || n < min)
    throw new Error(`--${flag} must be an integer ≥ ${min}, got ${raw}`);
  return n;
}
