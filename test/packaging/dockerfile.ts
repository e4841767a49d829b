/**
 * Reads the Dockerfile's stages and the final image's metadata (ENTRYPOINT, ENV, USER, WORKDIR,
 * LABEL) so the image test can hold them against the root filesystem. Handles what this project's
 * Dockerfile uses: comments, `\` continuations, exec-form ENTRYPOINT, and `key="value"` pairs.
 */
import { readFileSync } from "node:fs";

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

export interface ImageConfig {
  from: string;
  entrypoint: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
  user?: string;
  workdir?: string;
}

export function readStages(path: string): Stage[] {
  const text = readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n")
    .replace(/\\\n/g, " ");
  const stages: Stage[] = [];
  for (const line of text.split("\n")) {
    const match = /^\s*([A-Za-z]+)\s+(.*\S)\s*$/.exec(line);
    if (!match?.[1] || match[2] === undefined) continue;
    const instruction = { keyword: match[1].toUpperCase(), args: match[2] };
    if (instruction.keyword === "FROM") {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!from?.[1]) throw new Error(`cannot read FROM ${instruction.args}`);
      stages.push({ from: from[1], ...(from[2] ? { name: from[2] } : {}), instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (stage) stage.instructions.push(instruction);
    }
  }
  return stages;
}

/** The metadata the final stage gives the image (later instructions override earlier ones). */
export function imageConfig(stage: Stage): ImageConfig {
  const config: ImageConfig = { from: stage.from, entrypoint: [], env: {}, labels: {} };
  for (const { keyword, args } of stage.instructions) {
    if (keyword === "ENTRYPOINT") {
      const parsed: unknown = JSON.parse(args);
      if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === "string")) {
        throw new Error(`ENTRYPOINT must be in exec form (a JSON array of strings): ${args}`);
      }
      config.entrypoint = parsed;
    } else if (keyword === "ENV") Object.assign(config.env, pairs(args));
    else if (keyword === "LABEL") Object.assign(config.labels, pairs(args));
    else if (keyword === "USER") config.user = args;
    else if (keyword === "WORKDIR") config.workdir = args;
  }
  return config;
}

// --- internal ---

/** `a="x y" b=z` → {a: "x y", b: "z"}; anything else is refused rather than guessed. */
function pairs(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  const pattern = /\s*([A-Za-z_][A-Za-z0-9_.-]*)=(?:"((?:[^"\\]|\\.)*)"|([^\s"]*))/y;
  let at = 0;
  while (at < args.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(args);
    if (!match?.[1]) throw new Error(`cannot read key=value pairs at "${args.slice(at)}"`);
    out[match[1]] = match[2] !== undefined ? match[2].replace(/\\(.)/g, "$1") : (match[3] ?? "");
    at = pattern.lastIndex;
    while (args[at] === " ") at++;
  }
  return out;
}
