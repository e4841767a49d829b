/**
 * The two test tiers. `npm test` runs every test file. `npm run test:unit` runs the unit tier: every
 * test file outside the folders below, so no broker, Schema Registry, JVM, qemu or chroot (what the
 * unit tier may reach is pinned by test/tiers.test.ts).
 */
import { readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "..");

/** Test folders that need real brokers, a registry, JVMs, qemu or a chroot. */
export const SLOW_TEST_FOLDERS = ["test/integration", "test/harness", "test/packaging", "test/bench"];

/** The unit tier's test files, relative to the repository root, sorted. */
export function unitTestFiles(): string[] {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return SLOW_TEST_FOLDERS.includes(relative(ROOT, path)) ? [] : files(path);
      return entry.name.endsWith(".test.ts") ? [relative(ROOT, path)] : [];
    });
  return files(join(ROOT, "test")).sort();
}
