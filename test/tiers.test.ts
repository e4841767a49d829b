/**
 * The unit tier (`npm run test:unit`, scripts/test-tiers.ts) stays fast and self-contained: none of
 * its test files reaches, through its imports, a module that starts a broker, a Schema Registry, a
 * JVM, a build, qemu or a chroot. The harness pieces it may use are the TLS material (openssl) and
 * the bounded spawn of the connector from source (spec, check without a broker).
 */
import { describe, expect, it } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { SLOW_TEST_FOLDERS, unitTestFiles } from "../scripts/test-tiers.ts";
import { ROOT, relativeImports } from "./helpers/source-files.ts";

/** What outside src/ and the test helpers a unit test may import. */
const ALLOWED_HARNESS = new Set([
  "scripts/test-tiers.ts",
  "scripts/kafka/tls.ts",
  "scripts/kafka/paths.ts",
  "scripts/connector.ts",
  "scripts/run-bounded.ts",
]);
const SLOW_HELPERS = new Set(["test/helpers/kafka.ts", "test/helpers/transactions.ts"]);

/** Every repository file `file` reaches through relative imports (src/ is not followed: it starts nothing). */
function reached(file: string, seen = new Set<string>()): Set<string> {
  for (const specifier of relativeImports(readFileSync(join(ROOT, file), "utf8"))) {
    const target = relative(ROOT, resolve(join(ROOT, dirname(file)), specifier));
    // package.json and other data files start nothing.
    if (!target.endsWith(".ts") || seen.has(target) || !existsSync(join(ROOT, target))) continue;
    seen.add(target);
    if (!target.startsWith("src/")) reached(target, seen);
  }
  return seen;
}

/** Why a unit test may not reach `target`, or undefined when it may. */
function slowness(target: string): string | undefined {
  if (target.startsWith("src/") || ALLOWED_HARNESS.has(target)) return undefined;
  if (SLOW_HELPERS.has(target) || SLOW_TEST_FOLDERS.some((folder) => target.startsWith(`${folder}/`))) {
    return `${target} needs a broker or a build`;
  }
  if (target.startsWith("test/") && !target.endsWith(".test.ts")) return undefined;
  return `${target} is harness code`;
}

describe("the unit tier", () => {
  const files = unitTestFiles();

  it("holds the tests of every src folder and none of the slow folders", () => {
    expect(files.length).toBeGreaterThan(40);
    expect(files.filter((file) => SLOW_TEST_FOLDERS.some((folder) => file.startsWith(`${folder}/`)))).toEqual(
      [],
    );
    expect(files).toContain("test/pipeline/checkpoint.test.ts");
  });

  it.each(files.map((file) => [file]))("%s reaches no broker, registry, JVM or build", (file) => {
    const problems = [...reached(file)].map(slowness).filter((problem) => problem !== undefined);
    expect(problems).toEqual([]);
  });

  it("the rule refuses the broker harness", () => {
    expect(slowness("test/helpers/kafka.ts")).toBe("test/helpers/kafka.ts needs a broker or a build");
    expect(slowness("scripts/kafka/broker.ts")).toBe("scripts/kafka/broker.ts is harness code");
    expect([...reached("test/integration/write.test.ts")]).toContain("test/helpers/kafka.ts");
  });
});
