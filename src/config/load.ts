/**
 * Config file → validated `Config`, or a `ConnectorError` naming each bad field and why. Messages
 * are built from issue paths and our own texts only: valibot's default messages quote the input,
 * which may be a password.
 */
import { readFile } from "node:fs/promises";
import * as v from "valibot";
import { ConnectorError, configError } from "../errors.ts";
import { type Config, ConfigSchema } from "./schema.ts";

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
  refuseUnsupported(result.output);
  return result.output;
}

export async function loadConfig(path: string): Promise<Config> {
  return parseConfig(await loadJsonFile(path, "config"));
}

// --- internal ---

function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = v.getDotPath(issue) ?? "config";
  // Our schema's messages never embed the input; valibot's built-in ones ("Invalid type: Expected
  // ... but received ...") can, so those are replaced by the expectation alone.
  const own = issue.message.startsWith("Invalid ") ? `must be ${issue.expected ?? "valid"}` : issue.message;
  const missing = issue.kind === "schema" && issue.input === undefined;
  return `${path} ${missing ? "is required" : own}`;
}

/**
 * Settings the spec accepts (existing configs carry them) that this version cannot honour yet. A
 * silent plaintext or non-transactional run would be worse than refusing.
 */
function refuseUnsupported(config: Config): void {
  if (config.protocol.security_protocol !== "PLAINTEXT") {
    throw new ConnectorError(
      `protocol.security_protocol ${config.protocol.security_protocol} is not supported yet: this version connects with PLAINTEXT only.`,
      "config_error",
    );
  }
  if (config.transactional_id) {
    throw new ConnectorError(
      "transactional_id is not supported yet: this version does not write in Kafka transactions. Leave it empty.",
      "config_error",
    );
  }
}
