/**
 * Our connector: the compiled binary `dist/destination-kafka` (rebuilt with `bun build.ts --target
 * host` when missing or older than src/), running `write --config --catalog` with the workload's
 * JSONL on stdin, or in a socket-mode case the same workload served over Unix sockets by this
 * process (socket-workload.ts, socket-feed.ts), as Airbyte's source would. Timed from spawn to the
 * last STATE on its stdout: by the checkpoint rule that STATE is echoed only once the records it
 * covers are acknowledged per `acks`.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RUNTIME_ENV } from "../../scripts/image/runtime-env.ts";
import { REPO_ROOT } from "../../scripts/kafka/paths.ts";
import type { Batching, BenchCase } from "../cases.ts";
import { logTail, measure } from "../measure.ts";
import { type SocketFeed, serveSocketFiles } from "../socket-feed.ts";
import { ensureSocketWorkload } from "../socket-workload.ts";
import type { RunContext, Tool, ToolInfo, ToolRun } from "./tool.ts";

export const BINARY = join(REPO_ROOT, "dist", "destination-kafka");

/** The environment ours runs with: the image's (the default) or none beyond the bench's own. */
let extraEnv: Record<string, string> = RUNTIME_ENV;

export function setOursEnvironment(which: "image" | "bare"): void {
  extraEnv = which === "image" ? RUNTIME_ENV : {};
}

/** The environment ours runs with (the image's runtime settings, or none). */
export function oursEnvironment(): Record<string, string> {
  return { ...extraEnv };
}

/** The connector config for a case (bootstrap, topic and registry filled in per run). */
export function oursConfig(
  benchCase: BenchCase,
  batching: Batching | null,
  bootstrap: string,
  topic: string,
  registryUrl = "",
) {
  return {
    bootstrap_servers: bootstrap,
    topic_pattern: topic,
    client_id: "bench-ours",
    acks: benchCase.acks,
    compression_type: benchCase.compression,
    enable_idempotence: benchCase.idempotence,
    ...(batching
      ? {
          batch_size: batching.batchSize,
          linger_ms: String(batching.lingerMs),
          max_in_flight_requests_per_connection: batching.maxInFlight,
          buffer_memory: String(batching.bufferMemory),
          request_timeout_ms: batching.requestTimeoutMs,
          delivery_timeout_ms: batching.deliveryTimeoutMs,
        }
      : {}),
    ...(benchCase.valueFormat === "json"
      ? {}
      : {
          value_format: benchCase.valueFormat,
          schema_registry: { url: registryUrl },
          // Every stream goes to the run's one topic: one subject per stream's record.
          subject_name_strategy: "topic_record",
        }),
  };
}

export const ours: Tool = {
  id: "ours",
  formats: ["json", "avro", "json_schema"],
  async prepare(log): Promise<ToolInfo> {
    await ensureFreshBinary(log);
    const version = await Bun.$`${BINARY} --version`.quiet().nothrow();
    const text = version.stdout.toString().trim() || "unknown";
    return {
      id: "ours",
      name: "destination-kafka write",
      version: `${text} (compiled with Bun ${Bun.version}; git ${await gitState()})`,
      notes: [
        "the compiled binary dist/destination-kafka, JSONL AirbyteMessages on stdin (a file)",
        "timed from spawn to the last STATE on stdout (echoed once every record before it is acknowledged)",
        "batch_size starts a send; while every in-flight slot is busy, waiting records leave together as one batch (up to max_request_size), so its batches can be larger than the peers', whose batch.size is a cap",
        Object.keys(extraEnv).length > 0
          ? `run with the image's environment: ${Object.entries(extraEnv)
              .map(([k, v]) => `${k}=${v}`)
              .join(" ")} (see scripts/image/runtime-env.ts)`
          : "run bare: without the image's runtime environment",
      ],
    };
  },
  settings(benchCase, batching) {
    const {
      bootstrap_servers: _b,
      topic_pattern: _t,
      ...config
    } = oursConfig(benchCase, batching, "", "", "<the local registry>");
    return Object.entries(config).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  },
  async run(context: RunContext): Promise<ToolRun> {
    const { workload, runDir } = context;
    const configFile = join(runDir, "config.json");
    const config = oursConfig(
      context.benchCase,
      context.batching,
      context.bootstrap,
      context.topic,
      context.registryUrl,
    );
    await writeFile(configFile, JSON.stringify(config));
    const expected = workload.meta.states;
    const decoder = new TextDecoder();
    let tail = "";
    let states = 0;
    const transport = context.benchCase.transport;
    let feed: SocketFeed | undefined;
    if (transport) {
      const files = await ensureSocketWorkload(workload, transport.format, transport.sockets);
      feed = await serveSocketFiles(files);
    }
    const socketEnv = feed
      ? {
          DATA_CHANNEL_MEDIUM: "SOCKET",
          DATA_CHANNEL_FORMAT: transport?.format ?? "JSONL",
          DATA_CHANNEL_SOCKET_PATHS: feed.paths.join(","),
        }
      : {};
    const measurement = await measure({
      command: [BINARY, "write", "--config", configFile, "--catalog", workload.catalog],
      env: { ...process.env, ...extraEnv, ...socketEnv },
      // In socket mode the records come over the sockets: stdin carries nothing.
      ...(feed ? {} : { stdinFile: workload.messages }),
      logFile: join(runDir, "ours.log"),
      timeoutMs: context.timeoutMs,
      watchStdout: (chunk) => {
        const lines = (tail + decoder.decode(chunk, { stream: true })).split("\n");
        tail = lines.pop() ?? "";
        for (const line of lines) if (line.startsWith('{"type":"STATE"')) states++;
        return states >= expected;
      },
    }).finally(() => feed?.close());
    const problem =
      measurement.markMs === null
        ? `saw ${states} of ${expected} STATE messages on stdout; log tail:\n${logTail(measurement.logFile)}`
        : null;
    return { measurement, elapsedMs: measurement.markMs, problem };
  },
};

// --- internal ---

/** Builds the binary when it is missing or older than any file under src/ (or build.ts, package.json). */
async function ensureFreshBinary(log: (text: string) => void): Promise<void> {
  const newest = Math.max(
    newestMtime(join(REPO_ROOT, "src")),
    statSync(join(REPO_ROOT, "build.ts")).mtimeMs,
    newestMtime(join(REPO_ROOT, "scripts", "build")),
    statSync(join(REPO_ROOT, "package.json")).mtimeMs,
  );
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= newest) return;
  log(`building ${BINARY} (missing or older than src/) ...`);
  // build.ts builds only this machine's binary with `--target host`; older versions took no flags.
  for (const args of [["--target", "host"], []]) {
    const build = Bun.spawnSync([process.execPath, "build.ts", ...args], {
      cwd: REPO_ROOT,
      stdout: "pipe",
      stderr: "pipe",
    });
    if (build.exitCode === 0 && existsSync(BINARY) && statSync(BINARY).mtimeMs >= newest) return;
    log(`bun build.ts ${args.join(" ")} failed (${build.exitCode}): ${build.stderr.toString().slice(-2000)}`);
  }
  throw new Error(`could not build ${BINARY}`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** The commit and whether src/ has uncommitted changes (read-only git commands). */
async function gitState(): Promise<string> {
  const head = await Bun.$`git -C ${REPO_ROOT} rev-parse --short HEAD`.quiet().nothrow();
  const dirty = await Bun.$`git -C ${REPO_ROOT} status --porcelain -- src build.ts`.quiet().nothrow();
  const commit = head.stdout.toString().trim() || "unknown";
  return dirty.stdout.toString().trim() === "" ? commit : `${commit} + uncommitted changes in src/`;
}
