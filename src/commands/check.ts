/**
 * `check --config FILE`: one CONNECTION_STATUS message, SUCCEEDED (exit 0) or FAILED with the cause in
 * plain words (exit 1, so shell users can branch on it; Airbyte reads the message). With a registry
 * format, the Schema Registry is reached too, after Kafka.
 */
import process from "node:process";
import { defineCommand } from "citty";
import { loadConfigFrom } from "../config/load.ts";
import type { Config } from "../config/schema.ts";
import { ConnectorError } from "../errors.ts";
import { checkConnection } from "../kafka/check.ts";
import { createEmitter } from "../protocol/emit.ts";
import { checkRegistry } from "../registry/check.ts";

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
    let stage = "Could not connect to the Kafka brokers with provided configuration.";
    try {
      const config: Config = await loadConfigFrom(
        { config: args.config, configEnv: args["config-env"] },
        emit.redact,
      );
      const kafkaNote = await checkConnection(config);
      stage = "Could not use the Schema Registry with provided configuration.";
      const registryNote = await checkRegistry(config);
      const note = [kafkaNote, registryNote].filter(Boolean).join(" ");
      await emit.message({
        type: "CONNECTION_STATUS",
        connectionStatus: { status: "SUCCEEDED", ...(note ? { message: note } : {}) },
      });
    } catch (error) {
      const message = error instanceof ConnectorError ? error.message : `Unexpected error: ${String(error)}`;
      await emit.message({
        type: "CONNECTION_STATUS",
        connectionStatus: { status: "FAILED", message: `${stage} ${message}` },
      });
      process.exitCode = 1;
    }
  },
});
