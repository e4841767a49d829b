/**
 * The import graph of src/ follows the layers below: a module imports only from its own folder and
 * from the folders its folder may use, never from one above it. The core owns the send contract
 * (contract/), and the Kafka edge (kafka/) depends on it, never on the pipeline that drives it;
 * validating a config never loads the Kafka client. Root files (errors.ts, deadline.ts,
 * is-object.ts) are shared by all. A new folder must be placed here before anything imports it.
 */
import { describe, expect, it } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { ROOT, relativeImports, tsFilesUnder } from "./helpers/source-files.ts";

const SRC = join(ROOT, "src");

/** Each folder of src/ and the folders it may import from ("shared": the files at src/'s root). */
const MAY_IMPORT: Record<string, string[]> = {
  shared: [],
  memory: ["shared"],
  topic: ["shared"],
  protocol: ["shared"],
  formats: ["shared"],
  config: ["shared", "topic"],
  contract: ["shared", "memory"],
  registry: ["shared", "config"],
  codec: ["shared", "memory", "contract", "protocol", "formats", "config", "registry"],
  kafka: ["shared", "memory", "contract", "topic", "config"],
  pipeline: ["shared", "contract", "codec", "topic", "protocol", "formats", "config", "registry"],
  commands: ["shared", "protocol", "config", "registry", "kafka", "pipeline"],
  main: ["shared", "protocol", "commands"],
};

interface Arrow {
  from: string;
  to: string;
}

/** The arrows between src files, from their static and dynamic relative imports. */
function importArrows(): Arrow[] {
  return tsFilesUnder(SRC).flatMap((file) =>
    relativeImports(readFileSync(file, "utf8")).map((specifier) => ({
      from: relative(SRC, file),
      to: relative(SRC, normalize(join(dirname(file), specifier))),
    })),
  );
}

/** The folder (layer unit) of a path relative to src/; outside src/ (package.json): undefined. */
function folderOf(path: string): string | undefined {
  if (path.startsWith("..")) return undefined;
  if (path === "main.ts") return "main";
  return path.includes("/") ? path.slice(0, path.indexOf("/")) : "shared";
}

/** Why `arrow` breaks the layers, or undefined when it keeps them. */
function violation({ from, to }: Arrow): string | undefined {
  const source = folderOf(from);
  const target = folderOf(to);
  if (source === undefined || target === undefined || source === target) return undefined;
  const allowed = MAY_IMPORT[source];
  if (allowed === undefined) return `${from}: folder ${source} has no place in the layers`;
  if (allowed.includes(target)) return undefined;
  return `${from} imports ${to}: ${source} may import only ${allowed.join(", ") || "nothing"}`;
}

describe("the import graph follows the layers", () => {
  it("every arrow between folders goes to a folder the importer may use", () => {
    const arrows = importArrows();
    expect(arrows.length).toBeGreaterThan(100);
    expect(arrows.map(violation).filter((problem) => problem !== undefined)).toEqual([]);
  });

  it("every folder of src/ has its place", () => {
    const folders = readdirSync(SRC, { withFileTypes: true }).filter((entry) => entry.isDirectory());
    expect(folders.map((entry) => entry.name).filter((name) => !(name in MAY_IMPORT))).toEqual([]);
  });

  it("the layers have no cycle: each folder sits above every folder it may import", () => {
    const rank = new Map<string, number>();
    const rankOf = (folder: string, path: string[] = []): number => {
      if (path.includes(folder)) throw new Error(`cycle: ${[...path, folder].join(" → ")}`);
      const known = rank.get(folder);
      if (known !== undefined) return known;
      const below = (MAY_IMPORT[folder] ?? []).map((lower) => rankOf(lower, [...path, folder]));
      const own = Math.max(-1, ...below) + 1;
      rank.set(folder, own);
      return own;
    };
    for (const folder of Object.keys(MAY_IMPORT)) rankOf(folder);
    expect(rank.get("kafka")).toBeGreaterThan(rank.get("contract") ?? Number.POSITIVE_INFINITY);
    expect(rank.get("pipeline")).toBeGreaterThan(rank.get("contract") ?? Number.POSITIVE_INFINITY);
  });

  it.each<[string, Arrow]>([
    ["the Kafka edge importing the pipeline", { from: "kafka/sender.ts", to: "pipeline/write.ts" }],
    ["config validation loading the Kafka client", { from: "config/load.ts", to: "kafka/security.ts" }],
    ["the pipeline importing the Kafka edge", { from: "pipeline/write.ts", to: "kafka/sender.ts" }],
    ["a lower layer importing a command", { from: "protocol/parse.ts", to: "commands/write.ts" }],
    ["a shared file importing a folder", { from: "errors.ts", to: "protocol/emit.ts" }],
  ])("refuses %s", (_, arrow) => {
    expect(violation(arrow)).toStartWith(`${arrow.from} imports ${arrow.to}:`);
  });
});
