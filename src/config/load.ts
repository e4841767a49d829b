/**
 * Config file → validated `Config`, or a `ConnectorError` naming each bad field and why. Messages
 * are built from issue paths and our own texts only: valibot's default messages quote the input,
 * which may be a password.
 */
import { readFile } from "node:fs/promises";
import process from "node:process";
import * as v from "valibot";
import { configError } from "../errors.ts";
import { secretValues } from "./redact.ts";
import { type Config, ConfigSchema } from "./schema.ts";
import { securitySettings } from "./security.ts";

export async function loadJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
    throw configError(`Cannot read the ${what} file ${path} (${code}).`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw configError(`The ${what} file ${path} is not valid JSON.`);
  }
}

export function parseConfig(raw: unknown): Config {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw configError("Invalid config: the config must be a JSON object.");
  }
  const result = v.safeParse(ConfigSchema, raw, { abortPipeEarly: true });
  if (!result.success) {
    const problems = result.issues.map(describeIssue);
    throw configError(`Invalid config: ${[...new Set(problems)].join("; ")}.`);
  }
  // What the schema alone cannot judge: the security settings, read exactly as the client will use
  // them (a JAAS string that does not parse, a key its password does not open).
  securitySettings(result.output.protocol);
  return result.output;
}

/**
 * Reads and validates the config file. `redact` receives the config's secret values before anything
 * is validated, so no message written from then on can carry one.
 */
export async function loadConfig(path: string, redact: (secrets: string[]) => void): Promise<Config> {
  return checkedConfig(await loadJsonFile(path, "config"), redact);
}

/**
 * Where a command's config comes from: a file (`--config`, also a process substitution such as
 * `--config <(vault read …)`), or an environment variable (`--config-env NAME`) — never the command
 * line itself, where secrets would show in process listings.
 */
export interface ConfigSource {
  config?: string | undefined;
  configEnv?: string | undefined;
}

export async function loadConfigFrom(
  source: ConfigSource,
  redact: (secrets: string[]) => void,
  env: Record<string, string | undefined> = process.env,
): Promise<Config> {
  if (source.config && source.configEnv)
    throw configError("Give either --config FILE or --config-env NAME, not both.");
  if (source.config) return loadConfig(source.config, redact);
  if (!source.configEnv) throw configError("The config is missing: give --config FILE or --config-env NAME.");
  const text = env[source.configEnv];
  if (text === undefined || text.trim() === "") {
    throw configError(`The environment variable ${source.configEnv} (--config-env) is not set.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw configError(`The environment variable ${source.configEnv} (--config-env) is not valid JSON.`);
  }
  return checkedConfig(raw, redact);
}

// --- internal ---

function checkedConfig(raw: unknown, redact: (secrets: string[]) => void): Config {
  redact(secretValues(raw));
  return parseConfig(raw);
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = v.getDotPath(issue) ?? "config";
  // Our schema's messages never embed the input; valibot's built-in ones ("Invalid type: Expected
  // ... but received ...") can, so those are replaced by the expectation alone.
  const own = issue.message.startsWith("Invalid ") ? `must be ${issue.expected ?? "valid"}` : issue.message;
  const missing = issue.kind === "schema" && issue.input === undefined;
  return `${path} ${missing ? "is required" : own}`;
}
