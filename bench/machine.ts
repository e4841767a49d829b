/**
 * A description of the machine the benchmark ran on: CPU count and model, memory, kernel and OS,
 * and the load average when it started (other work on the machine skews every figure).
 */
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, release, totalmem } from "node:os";

export interface Machine {
  nproc: number;
  cpuModel: string;
  memoryGB: number;
  kernel: string;
  os: string;
  loadAverage: [number, number, number];
}

export function describeMachine(): Machine {
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return {
    nproc: availableParallelism(),
    cpuModel: cpuModel(),
    memoryGB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    os: osName(),
    loadAverage: [one, five, fifteen].map((x) => Math.round(x * 100) / 100) as [number, number, number],
  };
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (match?.[1]) return match[1].trim();
  } catch {
    // fall through
  }
  return cpus()[0]?.model ?? "unknown";
}

function osName(): string {
  if (!existsSync("/etc/os-release")) return process.platform;
  const match = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readFileSync("/etc/os-release", "utf8"));
  return match?.[1] ?? process.platform;
}
