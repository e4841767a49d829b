/**
 * Runs the connector from source as Airbyte does: one process per command, config and catalog in
 * files, messages on stdin, AirbyteMessages on stdout. Bounded in time (SIGKILL at the deadline).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BoundedRun, runBounded } from "./run-bounded.ts";

const MAIN = resolve(import.meta.dir, "../src/main.ts");

/** Writes `value` as JSON to a new temp file and returns its path (config and catalog files). */
export function jsonFile(name: string, value: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "dk-test-"));
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

/** The command line that runs the connector from source with the current Bun. */
export const connectorCommand = (...args: string[]): string[] => [process.execPath, MAIN, ...args];

/** Runs `bun src/main.ts ...args` with `stdin`, killed after `timeoutMs`. */
export function spawnConnector(
  args: string[],
  stdin = "",
  timeoutMs = 60_000,
  env: Record<string, string> = {},
): Promise<BoundedRun> {
  return runBounded(connectorCommand(...args), { stdin, timeoutMs, env });
}
