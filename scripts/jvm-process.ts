/**
 * The detached JVMs the harness runs (brokers, the schema registry): is one still ours and alive, and
 * how to stop it. A pid is signalled only when its command line still carries the marker its start
 * gave it, so a recycled pid is never hit.
 */
import { existsSync, readFileSync } from "node:fs";

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
