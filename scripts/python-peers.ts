/**
 * Python peers for end-to-end tests: a real Airbyte source (source-faker) installed from PyPI into
 * the git-ignored `.venv/` at the repository root. Pinned versions; idempotent: a marker file
 * recording the pins is written only after a successful, verified install, so a second call is a
 * fast no-op. Concurrent callers (several test processes) serialise on a lock file.
 *
 * Run directly (`bun scripts/python-peers.ts`, or `bun run peers:install`) to install ahead of time.
 */
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";

/** Repository root (this file is `scripts/python-peers.ts`). */
export const REPO_ROOT: string = resolve(import.meta.dir, "..");

/** The virtual environment (git-ignored as `/.venv/`). */
export const VENV_DIR: string = join(REPO_ROOT, ".venv");

/**
 * Pinned packages. `airbyte-protocol-models` itself (the pydantic-v1 build) cannot be installed next
 * to source-faker 7.x, whose airbyte-cdk needs pydantic 2; `airbyte-protocol-models-pdv2` is the
 * same protocol models (same `airbyte_protocol.models` import path) built for pydantic 2.
 * airbyte-cdk and the dataclasses models are pinned at what source-faker resolves today, so a new
 * CDK release cannot change the source's behaviour under the tests. `fastavro` is the independent
 * Avro decoder the Schema Registry tests read messages back with (not the connector's avsc).
 */
export const PINS: Readonly<Record<string, string>> = {
  "airbyte-source-faker": "7.2.1",
  "airbyte-cdk": "6.61.6",
  "airbyte-protocol-models-dataclasses": "0.17.1",
  "airbyte-protocol-models-pdv2": "0.18.0",
  fastavro: "1.12.2",
};

/** Python versions source-faker 7.2.1 accepts (`>=3.10,<3.13`). */
const PYTHON_MIN: [number, number] = [3, 10];
const PYTHON_MAX_EXCLUSIVE: [number, number] = [3, 13];

const MARKER = join(VENV_DIR, ".python-peers.json");
/** Outside `.venv/` (which may be recreated), in the git-ignored cache folder. */
const LOCK = join(REPO_ROOT, ".cache", "python-peers.lock");

const VENV_TIMEOUT_MS = 120_000;
const PIP_TIMEOUT_MS = 15 * 60_000;
const VERIFY_TIMEOUT_MS = 60_000;
const LOCK_WAIT_MS = PIP_TIMEOUT_MS + 5 * 60_000;

export interface PythonPeers {
  /** The `source-faker` entry point in `.venv/bin`. */
  sourceFaker: string;
  /** The venv's Python interpreter. */
  python: string;
}

const peers = (): PythonPeers => ({
  sourceFaker: join(VENV_DIR, "bin", "source-faker"),
  python: join(VENV_DIR, "bin", "python"),
});

const log = (message: string) => process.stderr.write(`[python-peers] ${message}\n`);

/** Ensures `.venv/` holds the pinned peers and returns their paths. Throws with the reason on failure. */
export async function ensurePythonPeers(): Promise<PythonPeers> {
  if (isComplete()) return peers();
  const release = await acquireLock();
  try {
    if (isComplete()) return peers(); // another process finished while we waited
    await install();
    return peers();
  } finally {
    release();
  }
}

// --- internal ---

function markerText(): string {
  return `${JSON.stringify({ pins: PINS }, null, 2)}\n`;
}

function isComplete(): boolean {
  const { sourceFaker, python } = peers();
  if (!existsSync(MARKER) || !existsSync(sourceFaker) || !existsSync(python)) return false;
  try {
    return readFileSync(MARKER, "utf8") === markerText();
  } catch {
    return false;
  }
}

async function install(): Promise<void> {
  const started = Date.now();
  const { python, sourceFaker } = peers();
  await rm(MARKER, { force: true });

  if (!(await venvUsable(python))) {
    const base = await findBasePython();
    log(`creating ${VENV_DIR} with ${base}`);
    await rm(VENV_DIR, { recursive: true, force: true });
    await run([base, "-m", "venv", VENV_DIR], VENV_TIMEOUT_MS, "python -m venv");
  }

  const specs = Object.entries(PINS).map(([name, version]) => `${name}==${version}`);
  log(`installing ${specs.join(" ")} into .venv (a first install downloads ~350 MB: a minute or more)`);
  await run(
    [python, "-m", "pip", "install", "--progress-bar", "off", "--no-input", ...specs],
    PIP_TIMEOUT_MS,
    "pip install",
  );
  await run([python, "-m", "pip", "check"], VERIFY_TIMEOUT_MS, "pip check");

  log("verifying: source-faker spec");
  const spec = await run([sourceFaker, "spec"], VERIFY_TIMEOUT_MS, "source-faker spec", false);
  if (!spec.split("\n").some((line) => line.startsWith("{") && JSON.parse(line).type === "SPEC")) {
    throw new Error(`source-faker spec printed no SPEC message:\n${tail(spec)}`);
  }

  await writeFile(MARKER, markerText());
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${sourceFaker}`);
}

/** True if the venv's interpreter runs and is a version source-faker accepts. */
async function venvUsable(python: string): Promise<boolean> {
  if (!existsSync(python)) return false;
  const version = await pythonVersion(python);
  return version !== undefined && versionFits(version);
}

/** `$PYTHON` if set, else the first of python3, python3.12, python3.11, python3.10 that fits. */
async function findBasePython(): Promise<string> {
  const candidates = process.env.PYTHON
    ? [process.env.PYTHON]
    : ["python3", "python3.12", "python3.11", "python3.10"];
  const seen: string[] = [];
  for (const candidate of candidates) {
    const path = Bun.which(candidate);
    if (path === null) continue;
    const version = await pythonVersion(path);
    if (version === undefined) continue;
    if (versionFits(version)) return path;
    seen.push(`${candidate} is ${version.join(".")}`);
  }
  throw new Error(
    `no Python >=${PYTHON_MIN.join(".")},<${PYTHON_MAX_EXCLUSIVE.join(".")} found for source-faker ` +
      `(${seen.length > 0 ? seen.join("; ") : `tried ${candidates.join(", ")}`}); set PYTHON to one.`,
  );
}

async function pythonVersion(python: string): Promise<[number, number] | undefined> {
  try {
    const out = await run(
      [python, "-c", "import sys; print(sys.version_info[0], sys.version_info[1])"],
      VERIFY_TIMEOUT_MS,
      "python --version",
      false,
    );
    const [major, minor] = out.trim().split(" ").map(Number);
    return major !== undefined && minor !== undefined ? [major, minor] : undefined;
  } catch {
    return undefined;
  }
}

function versionFits([major, minor]: [number, number]): boolean {
  const value = major * 1000 + minor;
  return (
    value >= PYTHON_MIN[0] * 1000 + PYTHON_MIN[1] &&
    value < PYTHON_MAX_EXCLUSIVE[0] * 1000 + PYTHON_MAX_EXCLUSIVE[1]
  );
}

/**
 * Runs `argv` bounded by `timeoutMs`; returns stdout. With `echo`, output is forwarded to stderr as
 * it comes (progress). On failure the error carries the command's output tail.
 */
async function run(argv: string[], timeoutMs: number, label: string, echo = true): Promise<string> {
  const child = Bun.spawn(argv, {
    cwd: REPO_ROOT,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: "1", PIP_NO_INPUT: "1", PYTHONNOUSERSITE: "1" },
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  const collect = async (stream: ReadableStream<Uint8Array>): Promise<string> => {
    const decoder = new TextDecoder();
    let text = "";
    for await (const chunk of stream) {
      const piece = decoder.decode(chunk, { stream: true });
      text += piece;
      if (echo) process.stderr.write(piece);
    }
    return text + decoder.decode();
  };
  try {
    const [stdout, stderr, exitCode] = await Promise.all([
      collect(child.stdout),
      collect(child.stderr),
      child.exited,
    ]);
    if (timedOut)
      throw new Error(`${label} did not finish within ${timeoutMs / 1000} s:\n${tail(stdout + stderr)}`);
    if (exitCode !== 0) throw new Error(`${label} failed (exit ${exitCode}):\n${tail(stdout + stderr)}`);
    return stdout;
  } finally {
    clearTimeout(timer);
  }
}

const tail = (text: string, lines = 40) => text.trimEnd().split("\n").slice(-lines).join("\n");

/** A lock file holding the owner's pid; a lock whose owner is gone is taken over. */
async function acquireLock(): Promise<() => void> {
  await mkdir(dirname(LOCK), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(LOCK, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(LOCK, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = Number.parseInt(safeRead(LOCK), 10);
    // An empty lock may be one whose owner has not written its pid yet: stale only once it is old.
    const stale = Number.isFinite(owner) ? !alive(owner) : ageMs(LOCK) > 10_000;
    if (stale) {
      rmSync(LOCK, { force: true }); // stale (owner died mid-install)
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK} (held by pid ${owner})`);
    if (!announced) {
      log(`waiting for pid ${owner}, which is installing the Python peers`);
      announced = true;
    }
    await Bun.sleep(500);
  }
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

if (import.meta.main) {
  try {
    const { sourceFaker, python } = await ensurePythonPeers();
    log(`source-faker: ${sourceFaker}`);
    log(`python: ${python}`);
  } catch (error) {
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
