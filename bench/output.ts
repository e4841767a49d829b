/**
 * Writes a result where it belongs: `<out>/benchmarks.json`, `<out>/BENCHMARKS.md` and the SVG
 * charts next to it. The JSON is formatted by the project's Biome (as `npm run format` would), so
 * the committed file passes `biome ci` and its long number arrays stay compact.
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { REPO_ROOT } from "../scripts/kafka/paths.ts";
import { renderReport } from "./report.ts";
import type { BenchResult } from "./result.ts";

export const RESULT_FILE = "benchmarks.json";
export const REPORT_FILE = "BENCHMARKS.md";

const BIOME = join(REPO_ROOT, "node_modules", ".bin", "biome");

/** The result as JSON text, Biome-formatted when Biome is installed. */
export function resultJson(result: BenchResult): string {
  const text = `${JSON.stringify(result, null, 2)}\n`;
  if (!existsSync(BIOME)) return text;
  const formatted = Bun.spawnSync([BIOME, "format", `--stdin-file-path=docs/${RESULT_FILE}`], {
    cwd: REPO_ROOT,
    stdin: new TextEncoder().encode(text),
    stdout: "pipe",
    stderr: "pipe",
  });
  return formatted.exitCode === 0 && formatted.stdout.length > 0 ? formatted.stdout.toString() : text;
}

/** Writes the JSON, the markdown and the charts into `out`; returns the files written. */
export async function writeOutputs(result: BenchResult, out: string): Promise<string[]> {
  await mkdir(out, { recursive: true });
  const written: string[] = [];
  const put = async (file: string, text: string) => {
    await writeFile(join(out, file), text);
    written.push(join(out, file));
  };
  await put(RESULT_FILE, resultJson(result));
  const report = renderReport(result);
  await put(REPORT_FILE, report.markdown);
  for (const chart of report.charts) await put(chart.file, chart.svg);
  return written;
}
