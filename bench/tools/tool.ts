/**
 * What every producer under test provides: a one-time preparation (build, install, download) that
 * reports its version, the settings it will run a case with (for the report), and one measured run
 * that produces the whole workload into a given topic.
 */
import type { Batching, BenchCase, ValueFormat } from "../cases.ts";
import type { Measurement } from "../measure.ts";
import type { WorkloadFiles } from "../workload.ts";

export type ToolId = "ours" | "kcat" | "java";

export const TOOL_IDS: readonly ToolId[] = ["ours", "kcat", "java"];

export interface ToolInfo {
  id: ToolId;
  /** Human name, e.g. "kcat -P". */
  name: string;
  version: string;
  /** How the run is timed and anything else the reader should know. */
  notes: string[];
}

export interface RunContext {
  bootstrap: string;
  topic: string;
  benchCase: BenchCase;
  /** null: the tool's own defaults. */
  batching: Batching | null;
  workload: WorkloadFiles;
  /** The Schema Registry's URL, for the registry value formats. */
  registryUrl: string | undefined;
  /** A folder for this run's config files and log. */
  runDir: string;
  timeoutMs: number;
}

export interface ToolRun {
  measurement: Measurement;
  /** The timed figure: spawn → exit for the peers, spawn → last STATE on stdout for ours. */
  elapsedMs: number | null;
  /** Why the run does not count, beyond the exit code and the delivered count. */
  problem: string | null;
}

/** Whether `tool` runs `benchCase`: its value format, and socket mode only for ours. */
export function runsCase(tool: Pick<Tool, "id" | "formats">, benchCase: BenchCase): boolean {
  return (
    tool.formats.includes(benchCase.valueFormat) && (benchCase.transport === undefined || tool.id === "ours")
  );
}

export interface Tool {
  id: ToolId;
  /** The value formats it can write (the registry formats are ours alone). */
  formats: readonly ValueFormat[];
  prepare(log: (text: string) => void): Promise<ToolInfo>;
  /** The settings a case runs with, as the tool spells them. */
  settings(benchCase: BenchCase, batching: Batching | null): string[];
  run(context: RunContext): Promise<ToolRun>;
}
