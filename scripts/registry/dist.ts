/**
 * Fetches an Apicurio Registry server distribution from Maven Central with `mvn`
 * (`io.apicurio:apicurio-registry-app:<version>:tar.gz:all`, a Quarkus application) and unpacks it
 * into `.cache/apicurio-registry-<version>/`. Idempotent: a marker file naming the artifact is
 * written only after a complete unpack, and the folder appears by an atomic rename, so concurrent
 * callers never see half a distribution.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { CACHE_DIR } from "../kafka/paths.ts";

/** A registry release this harness knows how to run. */
export interface RegistryRelease {
  version: string;
  /** Oldest Java feature version it runs on. */
  minJava: number;
  /** The jar `java -jar` starts, relative to the distribution folder. */
  launcher: string;
  /** Whether it serves health and metrics on a separate management port. */
  management: boolean;
}

/** The release the harness prefers (Java 21+). */
export const REGISTRY_RELEASE: RegistryRelease = {
  version: "3.3.3",
  minJava: 21,
  launcher: "quarkus-run.jar",
  management: true,
};

/** The fallback for machines with only Java 17 (no management port in this build). */
export const LEGACY_REGISTRY_RELEASE: RegistryRelease = {
  version: "3.0.9",
  minJava: 17,
  launcher: "apicurio-registry-app-3.0.9-runner.jar",
  management: false,
};

/** Folder of an unpacked release (it holds the launcher jar and `lib/`). */
export function registryHome(release: RegistryRelease): string {
  return join(CACHE_DIR, `apicurio-registry-${release.version}`);
}

/** Ensures the release is unpacked and returns its folder. Fast no-op when the marker matches. */
export async function ensureRegistryDist(release: RegistryRelease): Promise<string> {
  const home = registryHome(release);
  const dist = join(home, "dist");
  const marker = join(home, ".complete");
  const coordinate = artifact(release);
  const isComplete = (): boolean =>
    existsSync(marker) &&
    existsSync(join(dist, release.launcher)) &&
    readFileSync(marker, "utf8").trim() === coordinate;
  if (isComplete()) return dist;

  await mkdir(home, { recursive: true });
  const staging = join(home, `staging-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, "dist"), { recursive: true });
  try {
    await runTool(
      "mvn",
      ["-q", "-B", COPY_GOAL, `-Dartifact=${coordinate}`, `-DoutputDirectory=${staging}`],
      `mvn failed to fetch ${coordinate}`,
      staging,
    );
    const archive = readdirSync(staging).find((file) => file.endsWith(".tar.gz"));
    if (!archive) throw new Error(`mvn finished but ${staging} holds no .tar.gz`);
    await runTool(
      "tar",
      ["-xzf", join(staging, archive), "-C", join(staging, "dist")],
      `could not unpack ${archive}`,
      staging,
    );
    await rm(join(staging, archive), { force: true });
    if (!existsSync(join(staging, "dist", release.launcher))) {
      throw new Error(`${archive} has no ${release.launcher}`);
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  if (isComplete()) {
    // Another process finished first; keep its copy (it may be in use).
    await rm(staging, { recursive: true, force: true });
    return dist;
  }
  await rm(marker, { force: true });
  await rm(dist, { recursive: true, force: true });
  await rename(join(staging, "dist"), dist);
  await rm(staging, { recursive: true, force: true });
  await writeFile(marker, `${coordinate}\n`);
  return dist;
}

// --- internal ---

/** Pinned so the result does not depend on Maven's default plugin binding (the Kafka jars use it too). */
const COPY_GOAL = "org.apache.maven.plugins:maven-dependency-plugin:2.8:copy";

const run = promisify(execFile);

function artifact(release: RegistryRelease): string {
  return `io.apicurio:apicurio-registry-app:${release.version}:tar.gz:all`;
}

/** Runs in `cwd` (the staging folder): no project pom.xml nearby can change what mvn does. */
async function runTool(command: string, args: string[], failure: string, cwd: string): Promise<void> {
  try {
    await run(command, args, { cwd, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const out =
      typeof error === "object" && error !== null && "stdout" in error && "stderr" in error
        ? `${String(error.stdout)}${String(error.stderr)}`
        : String(error);
    throw new Error(`${failure}:\n${out.slice(-4000)}`);
  }
}
