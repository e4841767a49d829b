/**
 * The shape of a benchmark result (`benchmarks.json`): what ran, where, with which settings, every
 * run's figures, the per-case summaries and the memory curve. The report is rendered from it alone.
 */
import type { Batching, BenchCase } from "./cases.ts";
import type { Machine } from "./machine.ts";
import type { StartupFigures } from "./startup.ts";
import type { CaseSummary, RssSeries, RunRecord } from "./stats.ts";
import type { ToolId, ToolInfo } from "./tools/tool.ts";
import type { WorkloadMeta } from "./workload.ts";

export interface MemoryPoint {
  records: number;
  ok: boolean;
  error: string | null;
  elapsedMs: number | null;
  recordsPerS: number | null;
  peakRssMB: number;
  /** Cores' worth of CPU other processes used during the run. */
  otherCores: number | null;
  rss: RssSeries;
}

export interface BenchResult {
  formatVersion: 1;
  startedAt: string;
  finishedAt: string;
  command: string;
  machine: Machine;
  kafkaVersion: string;
  broker: { name: string; bootstrap: string; jvmFlags: string[] };
  partitions: number;
  runsPerCase: number;
  /** How long each run waited at most for other processes to go quiet (0: not at all). */
  quietWaitMs: number;
  workload: WorkloadMeta;
  /** What every tool was given alike; null: each ran at its own defaults. */
  batching: Batching | null;
  cases: BenchCase[];
  tools: ToolInfo[];
  /** Per tool and case id: the settings as the tool spells them. */
  settings: Record<ToolId, Record<string, string[]>>;
  runs: RunRecord[];
  summaries: CaseSummary[];
  memoryCurve: { caseId: string; points: MemoryPoint[] } | null;
  /** The binary's `spec` and one-record `write`, start-up to exit; null when ours did not run. */
  startup: StartupFigures | null;
  failedRuns: number;
}
