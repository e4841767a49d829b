/**
 * Figures of one run and their summary over repeated runs: median with min–max spread per tool and
 * case, and the ratio of ours to each peer taken run by run (ours in iteration i ÷ the peer in
 * iteration i, both measured back to back) before the median is taken.
 */
import type { ToolId } from "./tools/tool.ts";

/** One measured run, as stored in benchmarks.json. */
export interface RunRecord {
  caseId: string;
  tool: ToolId;
  /** 1-based repetition number. */
  iteration: number;
  topic: string;
  records: number;
  /** Records the topic held after the run (sum of end offsets). */
  delivered: number | null;
  /** What the broker stored: record batches and their bytes (bench/log-segments.ts). */
  batches: number | null;
  batchBytes: number | null;
  ok: boolean;
  error: string | null;
  /** The timed figure (spawn → exit; ours: spawn → last STATE). */
  elapsedMs: number | null;
  /** Spawn → exit for every tool. */
  wallMs: number;
  exitCode: number | null;
  cpuUserS: number;
  cpuSystemS: number;
  /** Peak RSS: the highest VmHWM seen by the 50 ms sampler. */
  peakRssMB: number;
  /** CPU seconds the broker used during the run. */
  brokerCpuS: number | null;
  /** CPU seconds everything else on the machine used during the run (machine − tool − broker). */
  otherCpuS: number | null;
  /** Cores other processes used in the second before the run started (after waiting for quiet). */
  otherCoresBefore: number | null;
  recordsPerS: number | null;
  mbPerS: number | null;
  cpuSPerMillion: number;
  /** Share of one core the main thread used over the timed interval (last sample), when known. */
  mainThreadBusy: number | null;
  /** RSS samples, downsampled (ours only). */
  rss: RssSeries;
}

/** RSS over time as two parallel arrays: ms since spawn, and RSS in MB. */
export interface RssSeries {
  tMs: number[];
  mb: number[];
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export interface ToolSummary {
  tool: ToolId;
  okRuns: number;
  failedRuns: number;
  recordsPerS: Spread | null;
  mbPerS: Spread | null;
  peakRssMB: Spread | null;
  cpuSPerMillion: Spread | null;
  brokerCpuSPerMillion: Spread | null;
  mainThreadBusy: Spread | null;
  /** Records and stored bytes per record batch: what the tool actually batched. */
  recordsPerBatch: Spread | null;
  bytesPerBatch: Spread | null;
  /** Cores' worth of CPU other processes used during the runs (contention). */
  otherCores: Spread | null;
  /** ours ÷ this tool in records/s, per iteration (null for ours itself). */
  oursRatio: Spread | null;
}

export interface CaseSummary {
  caseId: string;
  tools: ToolSummary[];
}

export function spread(values: (number | null | undefined)[]): Spread | null {
  const xs = values
    .filter((v): v is number => typeof v === "number" && Number.isFinite(v))
    .sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = Math.floor(xs.length / 2);
  const median =
    xs.length % 2 === 1 ? (xs[mid] as number) : ((xs[mid - 1] as number) + (xs[mid] as number)) / 2;
  return { median, min: xs[0] as number, max: xs[xs.length - 1] as number, n: xs.length };
}

export function summarise(caseId: string, tools: ToolId[], runs: RunRecord[]): CaseSummary {
  const ofCase = runs.filter((r) => r.caseId === caseId);
  const okOf = (tool: ToolId) => ofCase.filter((r) => r.tool === tool && r.ok);
  const oursByIteration = new Map(okOf("ours").map((r) => [r.iteration, r]));
  return {
    caseId,
    // A tool that cannot write the case's format (kcat and Java for the registry formats) ran none.
    tools: tools
      .filter((tool) => ofCase.some((r) => r.tool === tool))
      .map((tool) => {
        const ok = okOf(tool);
        const perMillion = (r: RunRecord) =>
          r.brokerCpuS === null ? null : (r.brokerCpuS * 1e6) / r.records;
        return {
          tool,
          okRuns: ok.length,
          failedRuns: ofCase.filter((r) => r.tool === tool && !r.ok).length,
          recordsPerS: spread(ok.map((r) => r.recordsPerS)),
          mbPerS: spread(ok.map((r) => r.mbPerS)),
          peakRssMB: spread(ok.map((r) => r.peakRssMB)),
          cpuSPerMillion: spread(ok.map((r) => r.cpuSPerMillion)),
          brokerCpuSPerMillion: spread(ok.map(perMillion)),
          mainThreadBusy: spread(ok.map((r) => r.mainThreadBusy)),
          recordsPerBatch: spread(ok.map((r) => (r.batches ? r.records / r.batches : null))),
          bytesPerBatch: spread(
            ok.map((r) => (r.batches && r.batchBytes !== null ? r.batchBytes / r.batches : null)),
          ),
          otherCores: spread(ok.map((r) => (r.otherCpuS === null ? null : r.otherCpuS / (r.wallMs / 1000)))),
          oursRatio:
            tool === "ours"
              ? null
              : spread(
                  ok.map((r) => {
                    const mine = oursByIteration.get(r.iteration)?.recordsPerS;
                    return mine && r.recordsPerS ? mine / r.recordsPerS : null;
                  }),
                ),
        };
      }),
  };
}

/** At most `max` points, evenly picked, always keeping the first and the last. */
export function downsample<T>(points: T[], max: number): T[] {
  if (points.length <= max) return points;
  const out: T[] = [];
  const step = (points.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(points[Math.round(i * step)] as T);
  return out;
}
