/**
 * Re-renders BENCHMARKS.md and the charts (and reformats the JSON) from an existing result without
 * running anything:
 *   bun bench/render.ts [dir]     (default docs; reads <dir>/benchmarks.json)
 * For changes to the report's layout; the figures stay those of the recorded run.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { REPO_ROOT } from "../scripts/kafka/paths.ts";
import { RESULT_FILE, writeOutputs } from "./output.ts";
import type { BenchResult } from "./result.ts";

const dir = resolve(REPO_ROOT, process.argv[2] ?? "docs");
const result = JSON.parse(readFileSync(join(dir, RESULT_FILE), "utf8")) as BenchResult;
for (const file of await writeOutputs(result, dir)) console.error(`wrote ${file}`);
