/**
 * The benchmark cannot rot: the whole pipeline (tool preparation — kcat installed if missing —,
 * workload, broker, interleaved runs of ours / kcat / Java, counts, report) on a tiny workload,
 * written into a temp folder so docs/ is never touched.
 */
import { describe, expect, it } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BenchResult } from "../../bench/result.ts";

const ROOT = resolve(import.meta.dir, "../..");
const RECORDS = 10_000;

describe("npm run bench (smoke)", () => {
  it(
    "runs every tool on a tiny workload, each delivering exactly every record, and writes the report",
    async () => {
      const out = mkdtempSync(join(tmpdir(), "bench-smoke-"));
      try {
        await smoke(out);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
    { timeout: 300_000 },
  );
});

async function smoke(out: string): Promise<void> {
  const child = Bun.spawn(
    [
      process.execPath,
      "bench/run.ts",
      "--records",
      String(RECORDS),
      "--state-every",
      "1000",
      "--runs",
      "1",
      "--cases",
      "all-none",
      "--no-memory-curve",
      "--no-warmup",
      "--quiet-wait",
      "0",
      "--out",
      out,
    ],
    { cwd: ROOT, stdout: "pipe", stderr: "pipe" },
  );
  const timer = setTimeout(() => child.kill("SIGKILL"), 290_000);
  const [exitCode, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
  clearTimeout(timer);
  if (exitCode !== 0) console.error(stderr);
  expect(exitCode).toBe(0);

  const result = JSON.parse(readFileSync(join(out, "benchmarks.json"), "utf8")) as BenchResult;
  expect(result.workload.records).toBe(RECORDS);
  expect(result.workload.states).toBe(RECORDS / 1000);
  expect(result.runs.map((run) => run.tool).sort()).toEqual(["java", "kcat", "ours"]);
  for (const run of result.runs) {
    expect({ tool: run.tool, ok: run.ok, delivered: run.delivered, error: run.error }).toEqual({
      tool: run.tool,
      ok: true,
      delivered: RECORDS,
      error: null,
    });
    expect(run.recordsPerS).toBeGreaterThan(0);
    expect(run.peakRssMB).toBeGreaterThan(0);
    expect(run.cpuSPerMillion).toBeGreaterThan(0);
    // What the broker stored: every record in some batch.
    expect(run.batches).toBeGreaterThan(0);
    expect(run.batches).toBeLessThanOrEqual(RECORDS);
  }
  // The binary's start-up: spec and a one-record write, each measured without failure.
  expect(result.startup?.spec.failures).toBe(0);
  expect(result.startup?.oneRecordWrite.failures).toBe(0);
  expect(result.startup?.oneRecordWrite.peakRssMB?.median).toBeGreaterThan(0);
  // At its defaults no tool is given batching settings.
  expect(result.batching).toBeNull();
  expect(result.settings.kcat["all-none"]?.some((setting) => setting.startsWith("batch.size="))).toBe(false);
  expect(result.runs.find((run) => run.tool === "ours")?.rss.tMs.length).toBeGreaterThan(0);
  expect(result.summaries[0]?.tools.find((t) => t.tool === "kcat")?.oursRatio?.median).toBeGreaterThan(0);

  const markdown = readFileSync(join(out, "BENCHMARKS.md"), "utf8");
  expect(markdown).toContain(
    "| tool | records/s | MB/s | peak RSS (MB) | CPU s/M | broker CPU s/M | records/batch |",
  );
  expect(markdown).toContain("## Targets (issue 14), every tool at its own defaults");
  expect(markdown).toContain("| `spec` |");
  expect(markdown).toContain("destination-kafka write");
  // Ours runs as the image runs it, and the report says so.
  expect(markdown).toContain("run with the image's environment: BUN_JSC_forceRAMSize=1073741824");
  for (const chart of ["bench-throughput.svg", "bench-rss.svg"]) {
    expect(existsSync(join(out, chart))).toBe(true);
    expect(readFileSync(join(out, chart), "utf8")).toStartWith("<svg");
  }
}
