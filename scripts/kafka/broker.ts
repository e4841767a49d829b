/**
 * Lifecycle of local single-node brokers: format storage, spawn a detached
 * JVM that outlives its parent, wait for a real metadata answer, reuse a live
 * matching broker, and stop it (SIGTERM, then SIGKILL). Each broker lives in
 * `.cache/brokers/<name>/` (server.properties, broker.log, broker.json, data/).
 * The Kafka release is KAFKA_VERSION unless asked otherwise: a KRaft node
 * from 3.3 on, before that a ZooKeeper-mode broker with its own ZooKeeper
 * (zookeeper.ts) in the same folder, each run by the Java it needs (java.ts).
 */

import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { isProcessWith, type SpawnedJvm, spawnDetached, terminate, waitForExit } from "../jvm-process.ts";
import { ensureKafkaJars, KAFKA_VERSION, kafkaClassPath } from "./jars.ts";
import { javaForKafka } from "./java.ts";
import { freeLoopbackPort } from "./loopback.ts";
import { BROKERS_DIR, brokerDir } from "./paths.ts";
import { probeMetadata } from "./probe.ts";
import {
  bootstrapOf,
  brokerProperties,
  type ClusterSettings,
  type KafkaCluster,
  type KafkaNode,
  type ListenerSpec,
  newClusterId,
  renderProperties,
  type ScramCredential,
  storageFormatArguments,
  zookeeperBrokerProperties,
} from "./properties.ts";
import { type KafkaRelease, kafkaRelease } from "./releases.ts";
import { startZooKeeper, stopZooKeeper } from "./zookeeper.ts";

export interface BrokerOptions {
  name: string;
  /** `auto.create.topics.enable`; default true. */
  autoCreateTopics?: boolean;
  /** Client (PLAINTEXT) port; default: a free loopback port. */
  port?: number;
  /** `num.partitions` for auto-created topics; default 1. */
  partitions?: number;
  /** Extra broker properties, applied last (override the defaults). */
  extraProperties?: Record<string, string>;
  /** How long to wait for the first metadata answer; default 90 s. */
  startTimeoutMs?: number;
  /** The Apache Kafka release to run (any of releases.ts); default KAFKA_VERSION. */
  kafkaVersion?: string;
  /** The `java` that runs it; default: the one that release needs (java.ts). */
  java?: string;
}

export interface BrokerHandle {
  name: string;
  /** e.g. "127.0.0.1:41234" */
  bootstrap: string;
  logFile: string;
  pid: number;
  dir: string;
  clusterId: string;
}

/** Contents of `<dir>/broker.json`. */
export interface BrokerState extends BrokerHandle {
  kafkaVersion: string;
  settings: ClusterSettings;
  /** The port the caller asked for, or null if it was picked freely. */
  requestedPort: number | null;
  startedAt: string;
  startupMs: number;
  /** Only for brokers from `startListenerBroker`: listener name → "127.0.0.1:PORT". */
  listeners?: Record<string, string>;
  /** Only for brokers from `startListenerBroker`: what they were started for. */
  fingerprint?: string;
  /** Only for the nodes of a cluster (cluster.ts): the cluster's name, this node's id, the number of nodes. */
  cluster?: { name: string; nodeId: number; nodes: number };
  /** The java binary, when not the default `java`. */
  java?: string;
  /** Only for ZooKeeper-era releases: the ZooKeeper JVM started with the broker, in its folder. */
  zookeeper?: { pid: number; port: number };
}

export interface BrokerStatus {
  name: string;
  state: BrokerState | null;
  alive: boolean;
  answering: boolean;
}

/** Broker JVM flags: capped heap, serial GC (2-core machine), full JIT for realistic throughput. */
export const BROKER_JVM_FLAGS: readonly string[] = [
  "-Xms256m",
  "-Xmx512m",
  "-XX:+UseSerialGC",
  "-XX:MaxInlineLevel=15",
  "-Djava.awt.headless=true",
  "-Dorg.slf4j.simpleLogger.showDateTime=true",
  "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
];

/** Flags for short-lived tool JVMs (storage format). */
const TOOL_JVM_FLAGS: readonly string[] = ["-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"];

const DEFAULT_START_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 15_000;
const LOG_TAIL_LINES = 40;

const run = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const paths = (name: string) => {
  const dir = brokerDir(name);
  return {
    dir,
    state: join(dir, "broker.json"),
    log: join(dir, "broker.log"),
    properties: join(dir, "server.properties"),
    data: join(dir, "data"),
  };
};

function normalizeSettings(
  opts: Pick<BrokerOptions, "autoCreateTopics" | "partitions" | "extraProperties">,
): ClusterSettings {
  const extra = opts.extraProperties ?? {};
  return {
    autoCreateTopics: opts.autoCreateTopics ?? true,
    partitions: opts.partitions ?? 1,
    extraProperties: Object.fromEntries(
      Object.keys(extra)
        .sort()
        .map((k) => [k, String(extra[k])]),
    ),
  };
}

function isBrokerState(value: unknown): value is BrokerState {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.name === "string" &&
    typeof v.bootstrap === "string" &&
    typeof v.pid === "number" &&
    typeof v.clusterId === "string" &&
    typeof v.kafkaVersion === "string" &&
    typeof v.settings === "object" &&
    v.settings !== null
  );
}

/** Reads `<dir>/broker.json`, or null when absent or unreadable. */
export function readBrokerState(name: string): BrokerState | null {
  const file = paths(name).state;
  if (!existsSync(file)) return null;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    return isBrokerState(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * True if `pid` is running and (where /proc exists) is the JVM started for
 * this broker directory — guards against signalling a recycled pid.
 */
function isBrokerProcess(pid: number, name: string): boolean {
  return isProcessWith(pid, paths(name).properties);
}

/** Last `lines` lines of the broker's log ("" if there is no log). */
export function brokerLogTail(name: string, lines = LOG_TAIL_LINES): string {
  const file = paths(name).log;
  if (!existsSync(file)) return "";
  const all = readFileSync(file, "utf8").split("\n");
  if (all.at(-1) === "") all.pop();
  return all.slice(-lines).join("\n");
}

/** The first ERROR/FATAL log lines with their exception messages (start-up diagnostics). */
function brokerLogErrors(name: string, max = 8): string[] {
  const file = paths(name).log;
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, "utf8").split("\n");
  const found: string[] = [];
  lines.forEach((line, i) => {
    if (found.length >= max || !/ (ERROR|FATAL) /.test(line)) return;
    found.push(line);
    const next = lines[i + 1];
    if (next && /^[\w.$]+(Exception|Error)\b/.test(next)) found.push(`  ${next}`);
  });
  return found;
}

/** Formats a node's KRaft storage (`kafka.tools.StorageTool format`) with the cluster id. */
export async function formatStorage(
  classPath: string,
  clusterId: string,
  propertiesFile: string,
  dir: string,
  extraArgs: string[] = [],
  java = "java",
): Promise<void> {
  const args = [
    ...TOOL_JVM_FLAGS,
    "-cp",
    classPath,
    "kafka.tools.StorageTool",
    "format",
    "-t",
    clusterId,
    "-c",
    propertiesFile,
    ...extraArgs,
  ];
  try {
    const { stdout, stderr } = await run(java, args, {
      cwd: dir,
      maxBuffer: 16 * 1024 * 1024,
    });
    await writeFile(join(dir, "format.log"), `${stdout}${stderr}`);
  } catch (error) {
    const detail =
      typeof error === "object" && error !== null && "stderr" in error ? String(error.stderr) : String(error);
    throw new Error(`kafka StorageTool format failed in ${dir}:\n${detail.slice(-4000)}`);
  }
}

/**
 * Spawns broker `name`'s JVM with `java`; `extraFlags` go after BROKER_JVM_FLAGS. A `prefix`
 * (e.g. `ip netns exec <ns>`) runs it through that command, which must exec the JVM in its place.
 */
export function spawnBrokerProcess(
  name: string,
  classPath: string,
  java = "java",
  extraFlags: readonly string[] = [],
  prefix: readonly string[] = [],
): Promise<SpawnedJvm> {
  const p = paths(name);
  const args = [
    ...BROKER_JVM_FLAGS,
    ...extraFlags,
    `-Dkafka.logs.dir=${p.dir}`,
    "-cp",
    classPath,
    "kafka.Kafka",
    p.properties,
  ];
  const [command = java, ...before] = prefix;
  return spawnDetached(command, prefix.length > 0 ? [...before, java, ...args] : args, p.dir, p.log);
}

/** `headline`, then the first errors and the last lines of `name`'s broker.log. */
export function brokerFailureReport(name: string, headline: string): string {
  const errors = brokerLogErrors(name);
  const firstErrors = errors.length > 0 ? `first errors in the log:\n${errors.join("\n")}\n` : "";
  return `${headline}; ${firstErrors}last lines of ${paths(name).log}:\n${brokerLogTail(name)}`;
}

/** Files of the broker called `name` (see the header of this file). */
export function brokerPaths(name: string): {
  dir: string;
  state: string;
  log: string;
  properties: string;
  data: string;
} {
  return paths(name);
}

/**
 * Signals broker `name`'s JVM `pid` (only if it is that broker's JVM, never a
 * recycled pid) and waits for it to exit: SIGTERM with `graceMs` for a clean
 * shutdown, then SIGKILL; or SIGKILL at once. Leaves broker.json alone.
 */
export async function signalBroker(
  name: string,
  pid: number,
  how: "SIGTERM" | "SIGKILL",
  graceMs = STOP_GRACE_MS,
): Promise<void> {
  if (how === "SIGTERM") {
    await terminate(pid, paths(name).properties, graceMs);
    return;
  }
  if (!isBrokerProcess(pid, name)) return;
  process.kill(pid, "SIGKILL");
  await waitForExit(pid, 5_000);
}

/** True while `pid` is running and is the JVM started for broker `name`. */
export function isBrokerRunning(name: string, pid: number): boolean {
  return isBrokerProcess(pid, name);
}

/**
 * Starts a fresh broker called `opts.name` (stopping and wiping any previous
 * one of that name) and resolves once it answers a metadata request.
 */
export async function startBroker(opts: BrokerOptions): Promise<BrokerHandle> {
  const runtime = { kafkaVersion: opts.kafkaVersion ?? KAFKA_VERSION, java: opts.java };
  const state = await launch(opts.name, opts.startTimeoutMs, runtime, async () => {
    const port = opts.port ?? (await freeLoopbackPort());
    let controllerPort = await freeLoopbackPort();
    while (controllerPort === port) controllerPort = await freeLoopbackPort();
    return {
      settings: normalizeSettings(opts),
      listeners: [{ name: "PLAINTEXT", protocol: "PLAINTEXT", port }],
      controllerPort,
      requestedPort: opts.port ?? null,
    };
  });
  return toHandle(state);
}

/** A broker described by its listeners: SASL, TLS, several at once (see properties.ts). */
export interface ListenerBrokerOptions {
  name: string;
  /**
   * Listeners on 127.0.0.1 with ports the caller picked. The first must be
   * PLAINTEXT: it carries inter-broker traffic and the harness probes it.
   */
  listeners: ListenerSpec[];
  /** Default: a free loopback port not among the listeners'. */
  controllerPort?: number;
  /** SCRAM users written into the metadata log at format time. */
  scramCredentials?: ScramCredential[];
  autoCreateTopics?: boolean;
  partitions?: number;
  extraProperties?: Record<string, string>;
  startTimeoutMs?: number;
  /**
   * Identifies what the caller asked for (kept in broker.json); reuse means
   * "alive, answering and the same fingerprint". Ports are not part of it.
   */
  fingerprint: string;
  /** Extra JVM flags (system properties), after the harness's own. */
  jvmFlags?: string[];
}

/** A running broker with several listeners. */
export interface ListenerBrokerHandle extends BrokerHandle {
  /** Listener name → "127.0.0.1:PORT". */
  listeners: Record<string, string>;
  fingerprint: string;
}

/**
 * Starts a fresh broker with the given listeners (stopping and wiping any
 * previous one of that name) and resolves once its first listener answers a
 * metadata request. The listener ports are fixed before the old broker is
 * stopped, so pick them for a name that is not running, or expect a clash.
 */
export async function startListenerBroker(opts: ListenerBrokerOptions): Promise<ListenerBrokerHandle> {
  const first = opts.listeners[0];
  if (first?.protocol !== "PLAINTEXT") {
    throw new Error(`broker "${opts.name}": the first listener must be PLAINTEXT`);
  }
  const runtime = { kafkaVersion: KAFKA_VERSION, java: undefined };
  const state = await launch(opts.name, opts.startTimeoutMs, runtime, async () => {
    const used = new Set(opts.listeners.map((l) => l.port));
    let controllerPort = opts.controllerPort ?? (await freeLoopbackPort());
    while (opts.controllerPort === undefined && used.has(controllerPort)) {
      controllerPort = await freeLoopbackPort();
    }
    return {
      settings: normalizeSettings(opts),
      listeners: opts.listeners,
      controllerPort,
      requestedPort: first.port,
      scramCredentials: opts.scramCredentials,
      fingerprint: opts.fingerprint,
      jvmFlags: opts.jvmFlags,
    };
  });
  return toListenerHandle(state);
}

/**
 * The running broker `name` if it is alive, answering and was started by
 * `startListenerBroker` with this fingerprint; null otherwise.
 */
export async function runningListenerBroker(
  name: string,
  fingerprint: string,
): Promise<ListenerBrokerHandle | null> {
  const state = readBrokerState(name);
  if (!state || state.kafkaVersion !== KAFKA_VERSION || state.fingerprint !== fingerprint) return null;
  const status = await brokerStatus(name);
  return status.answering ? toListenerHandle(state) : null;
}

/** What `launch` needs once the old broker is gone (ports may be picked then). */
interface LaunchPlan {
  settings: ClusterSettings;
  listeners: ListenerSpec[];
  controllerPort: number;
  requestedPort: number | null;
  scramCredentials?: ScramCredential[] | undefined;
  fingerprint?: string | undefined;
  jvmFlags?: string[] | undefined;
}

/** The release a broker runs and the `java` to run it with (undefined: the one the release needs). */
interface Runtime {
  kafkaVersion: string;
  java: string | undefined;
}

/**
 * Stop + wipe `name`, write properties, format storage (KRaft) or start its
 * ZooKeeper, spawn the JVM, wait for metadata.
 */
async function launch(
  name: string,
  startTimeoutMs: number | undefined,
  runtime: Runtime,
  plan: () => Promise<LaunchPlan>,
): Promise<BrokerState> {
  const p = paths(name);
  const release = kafkaRelease(runtime.kafkaVersion);
  const libs = await ensureKafkaJars(release.version);
  const classPath = kafkaClassPath(libs);
  const java = runtime.java ?? (await javaForKafka(release.version));
  await stopBroker(name);
  await rm(p.dir, { recursive: true, force: true });
  await mkdir(p.dir, { recursive: true });
  const logging = await loggingFlags(release, p.dir);

  const {
    settings,
    listeners,
    controllerPort,
    requestedPort,
    scramCredentials,
    fingerprint,
    jvmFlags: extra,
  } = await plan();
  const jvmFlags = [...logging, ...(extra ?? [])];
  const node: KafkaNode = {
    nodeId: 1,
    host: "127.0.0.1",
    listeners,
    controllerPort,
    logDir: p.data,
  };
  const cluster: KafkaCluster = {
    clusterId: newClusterId(),
    nodes: [node],
    ...(scramCredentials ? { scramCredentials } : {}),
  };
  const bootstrap = bootstrapOf(cluster);
  const timeoutMs = startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  let zookeeper: BrokerState["zookeeper"];
  if (release.metadata === "kraft") {
    await writeFile(p.properties, renderProperties(brokerProperties(cluster, node, settings)), {
      mode: 0o600,
    });
    await formatStorage(
      classPath,
      cluster.clusterId,
      p.properties,
      p.dir,
      storageFormatArguments(cluster),
      java,
    );
  } else {
    const used = new Set([controllerPort, ...listeners.map((l) => l.port)]);
    let port = await freeLoopbackPort();
    while (used.has(port)) port = await freeLoopbackPort();
    const { pid } = await startZooKeeper(p.dir, port, { java, classPath, jvmFlags }, timeoutMs);
    zookeeper = { pid, port };
    const props = zookeeperBrokerProperties(cluster, node, settings, `127.0.0.1:${port}`);
    await writeFile(p.properties, renderProperties(props), { mode: 0o600 });
  }

  const started = Date.now();
  const stopZooKeeperIfAny = () => (zookeeper ? stopZooKeeper(p.dir, zookeeper.pid) : Promise.resolve());
  const { pid, exit } = await spawnBrokerProcess(name, classPath, java, jvmFlags).catch(
    async (error: unknown) => {
      await stopZooKeeperIfAny();
      throw error;
    },
  );

  const state: BrokerState = {
    name,
    bootstrap,
    logFile: p.log,
    pid,
    dir: p.dir,
    clusterId: cluster.clusterId,
    kafkaVersion: release.version,
    settings,
    requestedPort,
    startedAt: new Date(started).toISOString(),
    startupMs: -1,
    ...(fingerprint === undefined
      ? {}
      : {
          fingerprint,
          listeners: Object.fromEntries(listeners.map((l) => [l.name, `${node.host}:${l.port}`])),
        }),
    ...(java === "java" ? {} : { java }),
    ...(zookeeper ? { zookeeper } : {}),
  };
  await writeFile(p.state, `${JSON.stringify(state, null, 2)}\n`);

  const fail = async (reason: string): Promise<never> => {
    await terminate(pid, paths(name).properties, 2_000);
    await stopZooKeeperIfAny();
    await rm(p.state, { force: true });
    throw new Error(brokerFailureReport(name, `Kafka broker "${name}" ${reason}`));
  };

  const deadline = started + timeoutMs;
  for (;;) {
    if (exit.reason !== null) {
      return fail(`exited during start-up (${exit.reason})`);
    }
    const answer = await probeMetadata(bootstrap, 2_000);
    if (answer) {
      // A ZooKeeper-mode broker makes up its cluster id itself: take the one it answers with.
      if (zookeeper) state.clusterId = answer.clusterId;
      else if (answer.clusterId !== cluster.clusterId) {
        return fail(`port clash: ${bootstrap} is answered by cluster ${answer.clusterId}`);
      }
      break;
    }
    if (Date.now() > deadline) {
      return fail(`did not answer metadata on ${bootstrap} in time`);
    }
    await sleep(250);
  }

  state.startupMs = Date.now() - started;
  await writeFile(p.state, `${JSON.stringify(state, null, 2)}\n`);
  return state;
}

/**
 * JVM flags for the release's logging: a log4j 1.2 broker (and its ZooKeeper) gets a
 * log4j.properties that writes to stdout, i.e. the log file, in slf4j-simple's level words.
 */
async function loggingFlags(release: KafkaRelease, dir: string): Promise<string[]> {
  if (release.logging !== "log4j") return [];
  const file = join(dir, "log4j.properties");
  await writeFile(
    file,
    renderProperties({
      "log4j.rootLogger": "INFO, stdout",
      "log4j.appender.stdout": "org.apache.log4j.ConsoleAppender",
      "log4j.appender.stdout.layout": "org.apache.log4j.PatternLayout",
      "log4j.appender.stdout.layout.ConversionPattern": "[%d] %p %m (%c)%n",
    }),
  );
  return [`-Dlog4j.configuration=file:${file}`];
}

function toHandle(state: BrokerState): BrokerHandle {
  const { name, bootstrap, logFile, pid, dir, clusterId } = state;
  return { name, bootstrap, logFile, pid, dir, clusterId };
}

function toListenerHandle(state: BrokerState): ListenerBrokerHandle {
  return { ...toHandle(state), listeners: state.listeners ?? {}, fingerprint: state.fingerprint ?? "" };
}

function sameOptions(state: BrokerState, opts: BrokerOptions): boolean {
  const want = normalizeSettings(opts);
  return (
    state.kafkaVersion === (opts.kafkaVersion ?? KAFKA_VERSION) &&
    (opts.java === undefined || (state.java ?? "java") === opts.java) &&
    state.fingerprint === undefined &&
    JSON.stringify(state.settings) === JSON.stringify(want) &&
    (opts.port === undefined || state.bootstrap.endsWith(`:${opts.port}`))
  );
}

/** Liveness of a named broker: pid running and bootstrap answering for its cluster. */
export async function brokerStatus(name: string): Promise<BrokerStatus> {
  const state = readBrokerState(name);
  const alive = state !== null && isBrokerProcess(state.pid, name);
  const answer = state && alive ? await probeMetadata(state.bootstrap, 2_000) : null;
  return {
    name,
    state,
    alive,
    answering: answer !== null && answer.clusterId === state?.clusterId,
  };
}

/**
 * Returns the running broker `opts.name` if it is alive, answering and was
 * started with the same options; otherwise starts a fresh one.
 */
export async function ensureBroker(opts: BrokerOptions): Promise<BrokerHandle> {
  const state = readBrokerState(opts.name);
  if (state && sameOptions(state, opts)) {
    const status = await brokerStatus(opts.name);
    if (status.answering) return toHandle(state);
  }
  return startBroker(opts);
}

/**
 * Stops broker `name` (and then its ZooKeeper, if it has one): SIGTERM, up to
 * ~15 s for a clean shutdown, then SIGKILL. Removes only broker.json; logs and
 * data stay for debugging.
 */
export async function stopBroker(name: string): Promise<void> {
  const p = paths(name);
  const state = readBrokerState(name);
  if (state) {
    await terminate(
      state.pid,
      paths(name).properties,
      state.cluster ? nodeStopGraceMs(state.cluster) : STOP_GRACE_MS,
    );
    if (state.zookeeper) await stopZooKeeper(p.dir, state.zookeeper.pid);
  }
  await rm(p.state, { force: true });
}

/**
 * A cluster node's controlled shutdown needs a controller quorum: once fewer
 * than a majority of its cluster's nodes run (this one included), it would
 * only wait for one until killed, so it gets a short grace.
 */
function nodeStopGraceMs(cluster: NonNullable<BrokerState["cluster"]>): number {
  const running = listBrokers().filter((other) => {
    const state = readBrokerState(other);
    return state?.cluster?.name === cluster.name && isBrokerProcess(state.pid, other);
  }).length;
  return running > Math.floor(cluster.nodes / 2) ? STOP_GRACE_MS : 3_000;
}

/** Names of brokers that have a broker.json (running or not). */
export function listBrokers(): string[] {
  if (!existsSync(BROKERS_DIR)) return [];
  return readdirSync(BROKERS_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(BROKERS_DIR, e.name, "broker.json")))
    .map((e) => e.name)
    .sort();
}
