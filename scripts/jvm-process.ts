/**
 * The detached JVMs the harness runs (brokers, the schema registry): is one still ours and alive, and
 * how to stop it. A pid is signalled only when its command line still carries the marker its start
 * gave it, so a recycled pid is never hit.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";

/** A JVM just spawned: its pid, and why it exited (null while it runs). */
export interface SpawnedJvm {
  pid: number;
  exit: { reason: string | null };
}

/**
 * Spawns `java` detached (it outlives this process), appending its output to `logFile`. Throws when
 * no process could be started.
 */
export async function spawnDetached(
  java: string,
  args: string[],
  cwd: string,
  logFile: string,
): Promise<SpawnedJvm> {
  const logFd = openSync(logFile, "a");
  const child = spawn(java, args, { cwd, detached: true, stdio: ["ignore", logFd, logFd] });
  closeSync(logFd);
  const exit: { reason: string | null } = { reason: null };
  child.once("exit", (code, signal) => {
    exit.reason = `exit code ${code}, signal ${signal}`;
  });
  child.once("error", (error) => {
    exit.reason = `spawn error: ${error.message}`;
  });
  child.unref();
  const pid = child.pid;
  if (pid === undefined) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    throw new Error(`could not spawn ${java}: ${exit.reason ?? "no pid"}`);
  }
  return { pid, exit };
}

/** True while `pid` exists and is not a zombie. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return !existsSync("/proc/self");
  }
}

/** True if `pid` runs and (where /proc exists) its command line holds the argument `marker`. */
export function isProcessWith(pid: number, marker: string): boolean {
  if (!isRunning(pid)) return false;
  if (!existsSync("/proc/self")) return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(marker);
  } catch {
    return false;
  }
}

export async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isRunning(pid);
}

/** SIGTERM, up to `graceMs` for a clean exit, then SIGKILL — only if `pid` still carries `marker`. */
export async function terminate(pid: number, marker: string, graceMs: number): Promise<void> {
  if (!isProcessWith(pid, marker)) return;
  process.kill(pid, "SIGTERM");
  if (await waitForExit(pid, graceMs)) return;
  if (isRunning(pid)) process.kill(pid, "SIGKILL");
  await waitForExit(pid, 5_000);
}
