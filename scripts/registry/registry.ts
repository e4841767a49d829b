import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isProcessWith, spawnDetached, terminate } from "../jvm-process.ts";
import { assertLoopback, freeLoopbackPorts } from "../kafka/loopback.ts";
import { CACHE_DIR } from "../kafka/paths.ts";
import {
  ensureRegistryDist,
  LEGACY_REGISTRY_RELEASE,
  REGISTRY_RELEASE,
  type RegistryRelease,
} from "./dist.ts";
import { describeRuntimes, findJavaRuntimes, type JavaRuntime } from "./java.ts";

export interface RegistryOptions {
  /** Default "default". */
  name?: string;
  /** How long to wait for the Confluent API to answer; default 60 s. */
  startTimeoutMs?: number;
}

export interface RegistryHandle {
  name: string;
  /** The Confluent-compatible API, e.g. http://127.0.0.1:41234/apis/ccompat/v7 (a client's registry URL). */
  url: string;
  /** The server's root, e.g. http://127.0.0.1:41234 (Apicurio's own API is under /apis/registry/v3). */
  serverUrl: string;
  pid: number;
  logFile: string;
  /** Apicurio Registry version, e.g. "3.3.3". */
  version: string;
  /** Java feature version it runs on. */
  javaMajor: number;
}

/** Contents of `<dir>/registry.json`. */
export interface RegistryState extends RegistryHandle {
  dir: string;
  javaHome: string;
  /** The management interface (health, metrics), when the release has one. */
  managementUrl: string | null;
  startedAt: string;
  /** Spawn to first Confluent API answer; -1 while starting. */
  startupMs: number;
}

export interface RegistryStatus {
  name: string;
  state: RegistryState | null;
  alive: boolean;
  answering: boolean;
}

/** Default name of the harness's registry. */
export const DEFAULT_REGISTRY_NAME = "default";

/** Path of the Confluent-compatible API on an Apicurio server. */
export const CCOMPAT_PATH = "/apis/ccompat/v7";

/** The compatibility level the harness sets (Confluent's default). */
export const REGISTRY_COMPATIBILITY = "BACKWARD";

/** Registry JVM flags: capped heap, serial GC (2-core machines). */
export const REGISTRY_JVM_FLAGS: readonly string[] = ["-Xms64m", "-Xmx384m", "-XX:+UseSerialGC"];

/**
 * Returns registry `name` if it is alive and answering (its compatibility set to BACKWARD again,
 * since a test may have changed it); otherwise starts a fresh one.
 */
export async function ensureRegistry(opts: RegistryOptions = {}): Promise<RegistryHandle> {
  const name = opts.name ?? DEFAULT_REGISTRY_NAME;
  const status = await registryStatus(name);
  if (status.state && status.answering) {
    await setCompatibility(status.state.url, REGISTRY_COMPATIBILITY);
    return toHandle(status.state);
  }
  return toHandle(await startRegistry(name, opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS));
}

/** Stops registry `name`: SIGTERM, up to ~10 s, then SIGKILL. Removes registry.json; the log stays. */
export async function stopRegistry(name: string = DEFAULT_REGISTRY_NAME): Promise<void> {
  const p = paths(name);
  const state = readRegistryState(name);
  if (state) await terminate(state.pid, `-D${IDENTITY_PROPERTY}=${paths(name).dir}`, STOP_GRACE_MS);
  await rm(p.state, { force: true });
}

/** Liveness of a named registry: its JVM running, and its Confluent API answering. */
export async function registryStatus(name: string = DEFAULT_REGISTRY_NAME): Promise<RegistryStatus> {
  const state = readRegistryState(name);
  const alive = state !== null && isRegistryProcess(state.pid, name);
  const answering = state !== null && alive && (await answers(state.url));
  return { name, state, alive, answering };
}

/** Reads `<dir>/registry.json`, or null when absent or unreadable. */
export function readRegistryState(name: string): RegistryState | null {
  const file = paths(name).state;
  if (!existsSync(file)) return null;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    return isRegistryState(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/** Names of registries that have a registry.json (running or not). */
export function listRegistries(): string[] {
  if (!existsSync(REGISTRIES_DIR)) return [];
  return readdirSync(REGISTRIES_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(REGISTRIES_DIR, e.name, "registry.json")))
    .map((e) => e.name)
    .sort();
}

/** Last `lines` lines of the registry's log ("" if there is none). */
export function registryLogTail(name: string, lines = LOG_TAIL_LINES): string {
  const file = paths(name).log;
  if (!existsSync(file)) return "";
  const all = readFileSync(file, "utf8").split("\n");
  if (all.at(-1) === "") all.pop();
  return all.slice(-lines).join("\n");
}

/** Resident memory of a running process in MiB (from /proc), or undefined. */
export function residentMiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match?.[1] ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

// --- internal ---

const REGISTRIES_DIR = join(CACHE_DIR, "registries");
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const DEFAULT_START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const PROBE_TIMEOUT_MS = 2_000;
const LOG_TAIL_LINES = 40;
/** Marks the JVM's command line so a recycled pid is never signalled. */
const IDENTITY_PROPERTY = "harness.registry.dir";
const CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function paths(name: string): { dir: string; state: string; log: string } {
  if (!NAME_PATTERN.test(name)) {
    throw new Error(`invalid registry name ${JSON.stringify(name)}: use letters, digits, '_', '.', '-'`);
  }
  const dir = join(REGISTRIES_DIR, name);
  return { dir, state: join(dir, "registry.json"), log: join(dir, "registry.log") };
}

async function startRegistry(name: string, startTimeoutMs: number): Promise<RegistryState> {
  const p = paths(name);
  const { release, runtime } = await pickRuntime();
  const dist = await ensureRegistryDist(release);
  await stopRegistry(name);
  await rm(p.dir, { recursive: true, force: true });
  await mkdir(p.dir, { recursive: true });

  const [port, managementPort] = await freeLoopbackPorts(2);
  if (port === undefined || managementPort === undefined) throw new Error("no free loopback ports");
  const serverUrl = `http://127.0.0.1:${port}`;
  const url = `${serverUrl}${CCOMPAT_PATH}`;

  const started = Date.now();
  const { pid, exit } = await spawnDetached(
    runtime.java,
    jvmArguments(release, p.dir, port, managementPort),
    dist,
    p.log,
  );

  const state: RegistryState = {
    name,
    url,
    serverUrl,
    pid,
    logFile: p.log,
    version: release.version,
    javaMajor: runtime.major,
    dir: p.dir,
    javaHome: runtime.home,
    managementUrl: release.management ? `http://127.0.0.1:${managementPort}` : null,
    startedAt: new Date(started).toISOString(),
    startupMs: -1,
  };
  await writeFile(p.state, `${JSON.stringify(state, null, 2)}\n`);

  const fail = async (reason: string): Promise<never> => {
    await terminate(pid, `-D${IDENTITY_PROPERTY}=${paths(name).dir}`, 2_000);
    await rm(p.state, { force: true });
    throw new Error(
      `Apicurio Registry ${release.version} "${name}" ${reason}; last lines of ${p.log}:\n${registryLogTail(name)}`,
    );
  };

  const deadline = started + startTimeoutMs;
  for (;;) {
    if (exit.reason !== null) return fail(`exited during start-up (${exit.reason})`);
    // The log line proves the answer comes from this JVM, not from another server on a reused port.
    if (listening(p.log, port) && (await answers(url))) break;
    if (Date.now() > deadline) return fail(`did not serve ${url} within ${startTimeoutMs} ms`);
    await sleep(200);
  }
  state.startupMs = Date.now() - started;
  try {
    await setCompatibility(url, REGISTRY_COMPATIBILITY);
  } catch (error) {
    return fail(
      `refused the compatibility setting (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  await writeFile(p.state, `${JSON.stringify(state, null, 2)}\n`);
  return state;
}

/**
 * 3.3.x on the newest Java 21+ found; 3.0.9 on Java 17+ when there is none (said on stderr).
 * `$REGISTRY_JAVA_HOME` forces a runtime (and so the release it can run).
 */
async function pickRuntime(): Promise<{ release: RegistryRelease; runtime: JavaRuntime }> {
  const runtimes = await findJavaRuntimes();
  const modern = runtimes.find((runtime) => runtime.major >= REGISTRY_RELEASE.minJava);
  if (modern) return { release: REGISTRY_RELEASE, runtime: modern };
  const legacy = runtimes.find((runtime) => runtime.major >= LEGACY_REGISTRY_RELEASE.minJava);
  if (legacy) {
    console.error(
      `registry: no Java ${REGISTRY_RELEASE.minJava}+ found, so Apicurio Registry ${LEGACY_REGISTRY_RELEASE.version} runs on Java ${legacy.major} (${legacy.home})`,
    );
    return { release: LEGACY_REGISTRY_RELEASE, runtime: legacy };
  }
  throw new Error(
    `Apicurio Registry needs Java ${LEGACY_REGISTRY_RELEASE.minJava}+ (${REGISTRY_RELEASE.minJava}+ for ${REGISTRY_RELEASE.version}): ${describeRuntimes(runtimes)}`,
  );
}

function jvmArguments(release: RegistryRelease, dir: string, port: number, managementPort: number): string[] {
  const properties: Record<string, string> = {
    [IDENTITY_PROPERTY]: dir,
    "quarkus.http.host": "127.0.0.1",
    "quarkus.http.port": String(port),
    "quarkus.http.access-log.enabled": "false",
    // The start-up line "Listening on: http://127.0.0.1:<port>" is INFO; 3.0.x logs WARN by default.
    'quarkus.log.category."io.quarkus".level': "INFO",
    "apicurio.storage.snapshot.location": dir,
    "apicurio.import.work-dir": dir,
    "java.io.tmpdir": dir,
  };
  if (release.management) {
    properties["quarkus.management.host"] = "127.0.0.1";
    properties["quarkus.management.port"] = String(managementPort);
  }
  return [
    ...REGISTRY_JVM_FLAGS,
    ...Object.entries(properties).map(([key, value]) => `-D${key}=${value}`),
    "-jar",
    release.launcher,
  ];
}

function listening(logFile: string, port: number): boolean {
  try {
    return new RegExp(`Listening on: http://127\\.0\\.0\\.1:${port}(?!\\d)`).test(
      readFileSync(logFile, "utf8"),
    );
  } catch {
    return false;
  }
}

async function answers(url: string): Promise<boolean> {
  assertLoopback(new URL(url).host);
  try {
    const response = await fetch(`${url}/config`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

async function setCompatibility(url: string, level: string): Promise<void> {
  assertLoopback(new URL(url).host);
  const response = await fetch(`${url}/config`, {
    method: "PUT",
    headers: { "content-type": CONTENT_TYPE },
    body: JSON.stringify({ compatibility: level }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`PUT ${url}/config: HTTP ${response.status} ${body.slice(0, 500)}`);
}

function isRegistryState(value: unknown): value is RegistryState {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.name === "string" &&
    typeof v.url === "string" &&
    typeof v.serverUrl === "string" &&
    typeof v.pid === "number" &&
    typeof v.logFile === "string" &&
    typeof v.version === "string"
  );
}

function toHandle(state: RegistryState): RegistryHandle {
  const { name, url, serverUrl, pid, logFile, version, javaMajor } = state;
  return { name, url, serverUrl, pid, logFile, version, javaMajor };
}

/** True if `pid` runs and (where /proc exists) is the JVM started for registry `name`. */
function isRegistryProcess(pid: number, name: string): boolean {
  return isProcessWith(pid, `-D${IDENTITY_PROPERTY}=${paths(name).dir}`);
}
