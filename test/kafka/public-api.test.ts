/**
 * The connector uses only @platformatic/kafka's public API (its exported classes, codecs and
 * errors), never its internal symbols (`kGetConnection`, `kGetApi`, …): those can change in any
 * minor release without a type error, and the dependency is a caret range.
 */
import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const SRC = join(import.meta.dir, "..", "..", "src");

describe("@platformatic/kafka is used through its public API only", () => {
  it("no source file imports one of its internal symbols or reaches into its dist/ files", () => {
    const offenders: string[] = [];
    for (const file of new Bun.Glob("**/*.ts").scanSync(SRC)) {
      const text = readFileSync(join(SRC, file), "utf8");
      for (const match of text.matchAll(
        /import\s*(type\s*)?\{([^}]*)\}\s*from\s*"@platformatic\/kafka([^"]*)"/g,
      )) {
        const names = (match[2] ?? "").split(",").map((name) => name.trim().replace(/^type\s+/, ""));
        for (const name of names) if (/^k[A-Z]/.test(name)) offenders.push(`${file}: ${name}`);
        if (match[3]) offenders.push(`${file}: @platformatic/kafka${match[3]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
