/**
 * Finds the Java runtimes installed on this machine, with their major versions, so a service that
 * needs a newer Java than the default `java` on PATH (Apicurio Registry 3.3 needs 21+) can pick
 * one without a hard-coded path. Candidates: `$JAVA_HOME`, every folder under /usr/lib/jvm,
 * /usr/java, /opt/java and /opt that has a `bin/java`, the `update-alternatives` entries for
 * `java`, and the `java` on PATH; `$REGISTRY_JAVA_HOME` replaces them all (to force a runtime).
 * A runtime's version comes from its `release` file, or else from `java -version`.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

export interface JavaRuntime {
  /** The runtime's home folder (holds bin/java). */
  home: string;
  /** Absolute path of its `java` executable. */
  java: string;
  /** Feature version: 17, 21, 25… */
  major: number;
  /** Where it was found (for messages). */
  source: string;
}

/**
 * Every distinct runtime found, highest major version first (ties: discovery order). When
 * `$REGISTRY_JAVA_HOME` is set, only that one (an error if it holds no working `bin/java`).
 */
export async function findJavaRuntimes(): Promise<JavaRuntime[]> {
  const explicit = process.env.REGISTRY_JAVA_HOME;
  if (explicit) {
    const runtime = await inspect({ home: explicit, source: "REGISTRY_JAVA_HOME" });
    if (!runtime) throw new Error(`REGISTRY_JAVA_HOME=${explicit} holds no working bin/java`);
    return [runtime];
  }
  const found: JavaRuntime[] = [];
  const seen = new Set<string>();
  for (const candidate of await candidates()) {
    let real: string;
    try {
      real = realpathSync(join(candidate.home, "bin", "java"));
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    const runtime = await inspect(candidate);
    if (runtime) found.push(runtime);
  }
  return found.sort((a, b) => b.major - a.major);
}

/** The newest runtime of at least Java `minimum` (see `findJavaRuntimes`), or undefined. */
export async function findJava(minimum: number): Promise<JavaRuntime | undefined> {
  return (await findJavaRuntimes()).find((runtime) => runtime.major >= minimum);
}

/** One line per runtime, for error messages ("none found" when empty). */
export function describeRuntimes(runtimes: readonly JavaRuntime[]): string {
  if (runtimes.length === 0) return "no Java runtime found";
  return runtimes.map((r) => `Java ${r.major} at ${r.home} (${r.source})`).join("; ");
}

// --- internal ---

const JVM_PARENTS = ["/usr/lib/jvm", "/usr/java", "/opt/java", "/opt"];
const run = promisify(execFile);

interface Candidate {
  home: string;
  source: string;
}

async function inspect(candidate: Candidate): Promise<JavaRuntime | undefined> {
  const java = join(candidate.home, "bin", "java");
  if (!existsSync(java)) return undefined;
  const major = releaseMajor(candidate.home) ?? (await versionMajor(java));
  return major === undefined ? undefined : { home: candidate.home, java, major, source: candidate.source };
}

async function candidates(): Promise<Candidate[]> {
  const list: Candidate[] = [];
  const javaHome = process.env.JAVA_HOME;
  if (javaHome) list.push({ home: javaHome, source: "JAVA_HOME" });
  for (const parent of JVM_PARENTS) {
    for (const entry of listDirectories(parent)) list.push({ home: join(parent, entry), source: parent });
  }
  for (const java of await alternatives())
    list.push({ home: dirname(dirname(java)), source: "update-alternatives" });
  const onPath = await which("java");
  if (onPath) list.push({ home: dirname(dirname(onPath)), source: "PATH" });
  return list;
}

function listDirectories(parent: string): string[] {
  try {
    return readdirSync(parent)
      .filter((entry) => {
        try {
          return statSync(join(parent, entry)).isDirectory();
        } catch {
          return false;
        }
      })
      .sort();
  } catch {
    return [];
  }
}

async function alternatives(): Promise<string[]> {
  try {
    const { stdout } = await run("update-alternatives", ["--list", "java"], { timeout: 5_000 });
    return stdout
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line.startsWith("/"));
  } catch {
    return [];
  }
}

async function which(command: string): Promise<string | undefined> {
  for (const folder of (process.env.PATH ?? "").split(":")) {
    if (folder === "") continue;
    const path = join(folder, command);
    if (existsSync(path)) {
      try {
        return realpathSync(path);
      } catch {}
    }
  }
  return undefined;
}

/** `JAVA_VERSION="21.0.3"` (or `"1.8.0_402"`) in `<home>/release`. */
function releaseMajor(home: string): number | undefined {
  try {
    const match = /^JAVA_VERSION="([^"]+)"/m.exec(readFileSync(join(home, "release"), "utf8"));
    return match?.[1] ? parseMajor(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function versionMajor(java: string): Promise<number | undefined> {
  try {
    const { stdout, stderr } = await run(java, ["-version"], { timeout: 15_000 });
    const match = /version "([^"]+)"/.exec(`${stderr}${stdout}`);
    return match?.[1] ? parseMajor(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

function parseMajor(version: string): number | undefined {
  const parts = version.split(/[.+_-]/);
  const first = Number(parts[0]);
  const major = first === 1 ? Number(parts[1]) : first;
  return Number.isInteger(major) && major > 0 ? major : undefined;
}
