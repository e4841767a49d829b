/** Config helpers for tests: a minimal valid config, and the error a bad one raises. */
import { parseConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/schema.ts";

export const minimalConfig = { bootstrap_servers: "127.0.0.1:9092", topic_pattern: "{namespace}.{stream}" };

export function configWith(overrides: Record<string, unknown> = {}): Config {
  return parseConfig({ ...minimalConfig, ...overrides });
}

/** The message `parseConfig` throws for `overrides`, or undefined when it accepts them. */
export function configProblem(overrides: Record<string, unknown>): string | undefined {
  try {
    parseConfig({ ...minimalConfig, ...overrides });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
