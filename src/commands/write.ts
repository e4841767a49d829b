/**
 * `write (--config FILE | --config-env NAME) [--catalog FILE] < messages`: the sync. Exits 0 only when every record was
 * acknowledged and every STATE echoed; otherwise a TRACE error says why and the exit code is 1. When Airbyte's
 * environment selects socket mode (protocol/data-channel.ts), the messages come over its Unix sockets instead of stdin.
 */
import process from "node:process";
import { defineCommand } from "citty";
import { type ConfigSource, loadConfigFrom, loadJsonFile } from "../config/load.ts";
import { securitySettings } from "../config/security.ts";
import { ConnectorError, configError } from "../errors.ts";
import { createSender } from "../kafka/sender.ts";
import { MAX_LINE_BYTES, runWrite, type WriteSummary } from "../pipeline/write.ts";
import { type CatalogStream, overwrites, parseCatalog } from "../protocol/catalog.ts";
import { type DataChannel, dataChannelFrom } from "../protocol/data-channel.ts";
import { createEmitter, type Emitter } from "../protocol/emit.ts";
import { identityMapping, parseNamespaceMapping } from "../protocol/namespace-mapping.ts";
import { CDK_SOCKET_WAIT, socketChunks } from "../protocol/socket-connect.ts";
import {
  jsonlMessages,
  protobufMessages,
  protoStreams,
  type SocketMessage,
} from "../protocol/socket-messages.ts";
import { workerMessages } from "../protocol/socket-workers.ts";
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
    "socket-workers": {
      type: "boolean",
      default: false,
      description:
        "Socket mode, PROTOBUF: decode each socket in a worker thread of its own (on 2 cores it costs more than it saves; see README)",
    },
    "socket-wait-ms": {
      type: "string",
      description:
        "Socket mode: how long to wait for each socket file to appear (default 900000, as Airbyte's CDK)",
      valueHint: "MS",
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
        input: await inputOf(setup, args["socket-wait-ms"], args["socket-workers"], controller.signal),
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
  const channel = dataChannelFrom(process.env);
  if (channel.medium === "SOCKET" && channel.format === "PROTOBUF" && !catalog) {
    throw new ConnectorError(
      "DATA_CHANNEL_FORMAT is PROTOBUF, whose records are read by the catalog's json_schema: pass --catalog.",
      "config_error",
    );
  }
  return { config, catalog, channel };
}

/** stdin's bytes, or each socket's messages once it is connected. */
async function inputOf(
  setup: { catalog: CatalogStream[] | undefined; channel: DataChannel },
  waitMs: string | undefined,
  workers: boolean,
  signal: AbortSignal,
) {
  const { channel } = setup;
  if (channel.medium === "STDIO") return reusedChunks(process.stdin.fd);
  const mappingFile = channel.namespaceMappingPath
    ? await loadJsonFile(channel.namespaceMappingPath, "namespace mapping")
    : undefined;
  const mapping = mappingFile === undefined ? identityMapping : parseNamespaceMapping(mappingFile);
  const wait = waitMs === undefined ? CDK_SOCKET_WAIT : socketWait(waitMs);
  const catalog = setup.catalog ?? [];
  const streams = protoStreams(catalog, mapping);
  const sockets = channel.socketPaths.map((path, index): AsyncIterable<SocketMessage[]> => {
    const socket = index + 1;
    // JSONL's fast path is cheap enough that a thread hop would cost more than it saves.
    if (channel.format === "JSONL")
      return jsonlMessages(socketChunks(path, wait, signal), mapping, MAX_LINE_BYTES);
    if (workers)
      return workerMessages({
        socket,
        path,
        catalog,
        mapping: mappingFile,
        wait,
        maxFrameBytes: MAX_LINE_BYTES,
      });
    return protobufMessages(socket, socketChunks(path, wait, signal), streams, MAX_LINE_BYTES);
  });
  return { sockets };
}

function socketWait(text: string) {
  const timeoutMs = Number(text);
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0)
    throw configError("--socket-wait-ms must be a number of milliseconds.");
  return { pollMs: Math.min(CDK_SOCKET_WAIT.pollMs, Math.max(10, timeoutMs / 20)), timeoutMs };
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
