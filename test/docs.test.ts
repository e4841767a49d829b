import { describe, expect, it } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../src/config/load.ts";
import { ConfigObjectSchema } from "../src/config/schema.ts";
import { ROOT, tsFilesUnder } from "./helpers/source-files.ts";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");

describe("the README stays true to the code", () => {
  const tableFields = [...readme.matchAll(/^\| `([a-z_]+)` \|/gm)].map((match) => match[1]);

  it("documents every config field in the configuration table, and no other", () => {
    expect([...tableFields].sort()).toEqual(Object.keys(ConfigObjectSchema.entries).sort());
  });

  it("every full config example in it is a valid config", () => {
    const examples = [...readme.matchAll(/```json\n([\s\S]*?)```/g)]
      .map((match) => match[1] ?? "")
      // Examples with placeholders ("...", a certificate left out) show shape only.
      .filter(
        (text) =>
          text.trim().startsWith("{") && text.includes('"bootstrap_servers"') && !text.includes("..."),
      );
    expect(examples.length).toBeGreaterThanOrEqual(4);
    for (const example of examples) expect(() => parseConfig(JSON.parse(example))).not.toThrow();
  });

  it("maps every folder of src/ in its Development section, and no other", () => {
    const development = readme.slice(readme.indexOf("## Development"));
    const mapped = [...development.matchAll(/^src\/([a-z]+)\/ /gm)].map((match) => match[1]);
    const folders = readdirSync(join(ROOT, "src"), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect([...mapped].sort()).toEqual(folders.sort());
  });

  it("names the two commands a new user runs", () => {
    expect(readme).toContain("npm install && npm run demo");
    expect(readme).toContain("npm install && npm test");
  });
});

describe("only the emitter writes to stdout", () => {
  it.each(tsFilesUnder(join(ROOT, "src")).map((path) => [path.slice(ROOT.length + 1)]))("%s", (path) => {
    const text = readFileSync(join(ROOT, path), "utf8");
    expect(text).not.toMatch(/console\.(log|info|warn|error|debug)/);
    if (!path.endsWith("emit.ts") && !path.endsWith("main.ts")) expect(text).not.toContain("process.stdout");
  });
});
