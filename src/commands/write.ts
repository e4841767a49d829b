/**
 * `write (--config FILE | --config-env NAME) [--catalog FILE] < messages`: the sync. Exits 0 only when every record was
 * acknowledged and every STATE echoed; otherwise a TRACE error says why and the exit code is 1.
 */
import process from "node:process";
import { defineCommand } from "citty";
import { type ConfigSource, loadConfigFrom, loadJsonFile } from "../config/load.ts";
import { securitySettings } from "../config/security.ts";
import { ConnectorError } from "../errors.ts";
import { createSender } from "../kafka/sender.ts";
import { runWrite, type WriteSummary } from "../pipeline/write.ts";
import { overwrites, parseCatalog } from "../protocol/catalog.ts";
import { createEmitter, type Emitter } from "../protocol/emit.ts";
import { reusedChunks } from "../protocol/stdin.ts";
import { createRegistryClient } from "../registry/client.ts";

export default defineCommand({
  meta: { name: "write", description: "Write AirbyteMessages from stdin to Kafka" },
  args: {
    config: { type: "string", description: "Path to the config JSON file", valueHint: "FILE" },
    "config-env": {
      type: "string",
      description: "Read the config JSON from this environment variable",
      valueHint: "NAME",
    },
    catalog: {
      type: "string",
      description:
        "Path to the configured catalog JSON file (without it, every stream is routed by topic_pattern)",
      valueHint: "FILE",
    },
  },
  run: async ({ args }) => {
    const emit = createEmitter();
    const fail = async (error: unknown) => {
      await emit.error(
        error instanceof ConnectorError
          ? error
          : new ConnectorError(
              `Unexpected error: ${error instanceof Error ? error.message : String(error)}`,
              "system_error",
            ),
      );
      process.exitCode = 1;
    };

    let setup: Awaited<ReturnType<typeof load>>;
    try {
      setup = await load({ config: args.config, configEnv: args["config-env"] }, args.catalog, emit);
    } catch (error) {
      await fail(error);
      return;
    }

    for (const warning of securitySettings(setup.config.protocol).warnings) await emit.log("WARN", warning);
    const sender = createSender(setup.config, { truncate: setup.catalog?.some(overwrites) ?? false });
    // What cannot work (a broker too old for the config, a refused login) fails before any input
    // is read; a cluster that does not answer yet is given max_block_ms at the first send.
    const refused = await sender.connect().then(
      () => undefined,
      (error: unknown) => error,
    );
    if (refused instanceof ConnectorError && refused.failureType === "config_error") {
      await fail(refused);
      await sender.close();
      return;
    }
    const controller = new AbortController();
    const abort = () => controller.abort();
    // Airbyte stopped reading (the pipe closed): no STATE can reach it any more, so stop too.
    emit.onClosed(abort);
    process.once("SIGTERM", abort);
    process.once("SIGINT", abort);
    try {
      const registry = setup.config.schema_registry;
      const summary = await runWrite({
        ...setup,
        ...(registry ? { registry: createRegistryClient(registry, setup.config.request_timeout_ms) } : {}),
        input: reusedChunks(process.stdin.fd),
        send: (records) => sender.send(records),
        commit: sender.commit,
        truncator: sender.truncator,
        emit,
        signal: controller.signal,
        graceMs: Math.min(setup.config.delivery_timeout_ms, 10_000),
      });
      await emit.log(summary.failure ? "ERROR" : "INFO", describe(summary));
      if (summary.failure) await fail(summary.failure);
    } catch (error) {
      await fail(error);
    } finally {
      process.off("SIGTERM", abort);
      process.off("SIGINT", abort);
      await sender.close();
    }
  },
});

// --- internal ---

async function load(source: ConfigSource, catalogPath: string | undefined, emit: Emitter) {
  const config = await loadConfigFrom(source, emit.redact);
  const catalog = catalogPath ? parseCatalog(await loadJsonFile(catalogPath, "catalog")) : undefined;
  return { config, catalog };
}

function describe(summary: WriteSummary): string {
  const streams = [...summary.recordsByStream].map(([stream, count]) => `${stream}: ${count}`).join(", ");
  const ignored = [...summary.ignoredMessages].map(([type, count]) => `${type}: ${count}`).join(", ");
  return [
    `Read ${summary.records} records${streams ? ` (${streams})` : ""}`,
    `echoed ${summary.statesEchoed} STATE messages${summary.statesHeld ? `, held back ${summary.statesHeld} not covered by acknowledged records` : ""}`,
    `skipped ${summary.skippedLines} invalid lines`,
    ...(summary.deadLetters > 0
      ? [`sent ${summary.deadLetters} invalid lines to the dead-letter topic`]
      : []),
    `ignored ${ignored || "no other messages"}`,
    ...(summary.topics.length > 0 ? [`topics: ${summary.topics.join(", ")}`] : []),
    ...[...summary.deleted].map(
      ([topic, count]) => `overwrite of topic ${topic} deleted ${count} older records`,
    ),
  ].join("; ");
}
