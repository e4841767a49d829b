/**
 * `check --config FILE`: one CONNECTION_STATUS message, SUCCEEDED (exit 0) or FAILED with the cause in
 * plain words (exit 1, so shell users can branch on it; Airbyte reads the message).
 */
import process from "node:process";
import { defineCommand } from "citty";
import { loadConfigFrom } from "../config/load.ts";
import { ConnectorError } from "../errors.ts";
import { checkConnection } from "../kafka/check.ts";
import { createEmitter } from "../protocol/emit.ts";

export default defineCommand({
  meta: { name: "check", description: "Check that the config is valid and Kafka accepts writes" },
  args: {
    config: { type: "string", description: "Path to the config JSON file", valueHint: "FILE" },
    "config-env": {
      type: "string",
      description: "Read the config JSON from this environment variable",
      valueHint: "NAME",
    },
  },
  run: async ({ args }) => {
    const emit = createEmitter();
    try {
      const note = await checkConnection(
        await loadConfigFrom({ config: args.config, configEnv: args["config-env"] }, emit.redact),
      );
      await emit.message({
        type: "CONNECTION_STATUS",
        connectionStatus: { status: "SUCCEEDED", ...(note ? { message: note } : {}) },
      });
    } catch (error) {
      const message = error instanceof ConnectorError ? error.message : `Unexpected error: ${String(error)}`;
      await emit.message({
        type: "CONNECTION_STATUS",
        connectionStatus: {
          status: "FAILED",
          message: `Could not connect to the Kafka brokers with provided configuration. ${message}`,
        },
      });
      process.exitCode = 1;
    }
  },
});
