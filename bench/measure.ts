/**
 * Runs one producer process and measures it: wall time from spawn to exit (and to a "mark" seen on
 * its stdout, e.g. the connector's last STATE), CPU time from the kernel's accounting of the reaped
 * child (wait4 rusage: every thread, to the end), and RSS sampled from /proc/<pid>/status every
 * ~50 ms: the peak is the highest VmHWM seen (it misses at most growth in the last interval).
 * rusage's ru_maxrss is not used: Linux folds the spawning parent's RSS into it at exec (the child
 * starts as a copy of the parent), so every child of a 150 MB bench would "peak" at 150 MB.
 * Bounded: the process is killed when `timeoutMs` passes.
 */
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";

export interface Sample {
  /** Milliseconds since spawn. */
  tMs: number;
  rssBytes: number;
  /** user + system CPU seconds of the whole process so far. */
  cpuS: number;
  /** CPU seconds of the main thread (tid = pid) so far. */
  mainThreadCpuS: number;
}

export interface Measurement {
  command: string[];
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  wallMs: number;
  /** Milliseconds from spawn to the mark, or null when it was not seen. */
  markMs: number | null;
  cpuUserS: number;
  cpuSystemS: number;
  /** Highest VmHWM seen while sampling (misses at most the last interval). */
  peakRssBytes: number;
  samples: Sample[];
  logFile: string;
}

export interface MeasureOptions {
  command: string[];
  /** A file given to the process as its stdin. */
  stdinFile?: string;
  /** stderr (and stdout) go here. */
  logFile: string;
  timeoutMs: number;
  /** Sees every stdout chunk (stdout is then still copied to the log); returns true once the mark is reached. */
  watchStdout?: (chunk: Uint8Array) => boolean;
  sampleEveryMs?: number;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`; 100 on Linux). */
const CLK_TCK = 100;

export async function measure(options: MeasureOptions): Promise<Measurement> {
  const log = openSync(options.logFile, "w");
  const watching = options.watchStdout !== undefined;
  const started = performance.now();
  const child = Bun.spawn(options.command, {
    stdin: options.stdinFile === undefined ? "ignore" : Bun.file(options.stdinFile),
    stdout: watching ? "pipe" : log,
    stderr: log,
    env: options.env ?? process.env,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  const pid = child.pid;
  const samples: Sample[] = [];
  let sampledPeak = 0;
  const sample = () => {
    const now = readProc(pid);
    if (!now) return;
    sampledPeak = Math.max(sampledPeak, now.hwmBytes);
    samples.push({
      tMs: Math.round(performance.now() - started),
      rssBytes: now.rssBytes,
      cpuS: now.cpuS,
      mainThreadCpuS: now.mainThreadCpuS,
    });
  };
  sample();
  const sampler = setInterval(sample, options.sampleEveryMs ?? 50);
  let timedOut = false;
  const killer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, options.timeoutMs);

  let markMs: number | null = null;
  const reading = (async () => {
    if (!watching || typeof child.stdout === "number" || !child.stdout) return;
    for await (const chunk of child.stdout as ReadableStream<Uint8Array>) {
      if (markMs === null && options.watchStdout?.(chunk)) {
        markMs = performance.now() - started;
        sample();
      }
      writeSync(log, chunk);
    }
  })();

  const exitCode = await child.exited;
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  clearTimeout(killer);
  await reading;
  closeSync(log);
  const usage = child.resourceUsage();
  return {
    command: options.command,
    exitCode: child.signalCode === null ? exitCode : null,
    signal: child.signalCode === null ? null : String(child.signalCode),
    timedOut,
    wallMs,
    markMs,
    cpuUserS: usage ? Number(usage.cpuTime.user) / 1e6 : Number.NaN,
    cpuSystemS: usage ? Number(usage.cpuTime.system) / 1e6 : Number.NaN,
    peakRssBytes: sampledPeak,
    samples,
    logFile: options.logFile,
  };
}

/** CPU seconds (user + system) a running process has used so far, or null once it is gone. */
export function processCpuSeconds(pid: number): number | null {
  try {
    return statCpuSeconds(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return null;
  }
}

/** Busy CPU seconds of the whole machine so far (all cores: /proc/stat minus idle and iowait), or null. */
export function machineBusyCpuSeconds(): number | null {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
    const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = ticks.reduce((sum, t) => sum + t, 0);
    return (total - (ticks[3] ?? 0) - (ticks[4] ?? 0)) / CLK_TCK;
  } catch {
    return null;
  }
}

/**
 * Waits until the machine's busy CPU, less `ownPid`'s (e.g. the broker's idle chatter), stays under
 * `maxCores` for one second, or `maxWaitMs` passes. Returns the last reading (cores) and the time
 * waited. On a shared machine this keeps runs from starting in the middle of someone else's work.
 */
export async function waitForQuiet(
  maxWaitMs: number,
  maxCores: number,
  ownPid: number,
): Promise<{ cores: number | null; waitedMs: number }> {
  const started = performance.now();
  let cores: number | null = null;
  while (maxWaitMs > 0) {
    const machine0 = machineBusyCpuSeconds();
    const own0 = processCpuSeconds(ownPid) ?? 0;
    await Bun.sleep(1000);
    const machine1 = machineBusyCpuSeconds();
    const own1 = processCpuSeconds(ownPid) ?? 0;
    if (machine0 === null || machine1 === null) break;
    cores = Math.max(0, machine1 - machine0 - (own1 - own0));
    if (cores < maxCores || performance.now() - started >= maxWaitMs) break;
  }
  return { cores, waitedMs: performance.now() - started };
}

/** The last `lines` lines of a log file ("" if unreadable). */
export function logTail(path: string, lines = 20): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

// --- internal ---

interface ProcNow {
  rssBytes: number;
  hwmBytes: number;
  cpuS: number;
  mainThreadCpuS: number;
}

function readProc(pid: number): ProcNow | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
    if (!rss || !hwm) return null; // a zombie has no memory lines
    return {
      rssBytes: Number(rss[1]) * 1024,
      hwmBytes: Number(hwm[1]) * 1024,
      cpuS: statCpuSeconds(readFileSync(`/proc/${pid}/stat`, "utf8")),
      mainThreadCpuS: statCpuSeconds(readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8")),
    };
  } catch {
    return null;
  }
}

/** utime + stime (fields 14 and 15) of a /proc stat line, in seconds. */
function statCpuSeconds(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}
