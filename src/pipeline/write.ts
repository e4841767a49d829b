/**
 * The `write` loop: input lines → records and states → Kafka, with STATEs echoed only once every
 * record before them is acknowledged. It only wires the pure parts (parse, topic, record, ledger)
 * to the dispatcher and the sender; policy lives in those modules.
 */
import type { Buffer } from "node:buffer";
import type { Config } from "../config/schema.ts";
import { unhonouredSettings } from "../config/unhonoured.ts";
import { asConnectorError, ConnectorError } from "../errors.ts";
import { RECORD_DOES_NOT_FIT } from "../formats/avro-value.ts";
import type { CatalogStream } from "../protocol/catalog.ts";
import type { Emitter } from "../protocol/emit.ts";
import { type Line, readLines } from "../protocol/lines.ts";
import { parseLine, type StreamId, streamKey, streamLabel } from "../protocol/parse.ts";
import type { RegistryClient } from "../registry/client.ts";
import { createCheckpoints } from "./checkpoint.ts";
import { createDelivery } from "./delivery.ts";
import { fieldKey } from "./message-key.ts";
import { type EncodedRecord, encodeRecord, type RecordOptions } from "./record.ts";
import { type RegistryCodec, registryCodec } from "./registry-record.ts";
import { realTimers, type Timers } from "./timers.ts";
import { checkedTopicFor } from "./topic.ts";

export interface WriteOptions {
  config: Config;
  /** The configured catalog; without one, every stream is routed by topic_pattern as it appears. */
  catalog: CatalogStream[] | undefined;
  input: AsyncIterable<Uint8Array>;
  send: (records: EncodedRecord[]) => Promise<void>;
  /**
   * With transactions (`transactional_id`): commits the open transaction after every send before
   * it. Records then count as delivered only once committed.
   */
  commit?: (() => Promise<void>) | undefined;
  /** The Schema Registry, with value_format avro or json_schema. */
  registry?: RegistryClient;
  emit: Emitter;
  /** Aborted on SIGTERM / SIGINT: stop reading, wait up to `graceMs` for acks, echo what is earned. */
  signal?: AbortSignal;
  graceMs?: number;
  timers?: Timers;
}

export interface WriteSummary {
  records: number;
  /** Per topic: records, bytes and the sync's duration, for the summary. */
  topics: string[];
  /** Records per stream, by label (`namespace.name`), in catalog order. */
  recordsByStream: [string, number][];
  statesEchoed: number;
  statesHeld: number;
  skippedLines: number;
  ignoredMessages: Map<string, number>;
  failure: ConnectorError | undefined;
}

/** Longest input line we buffer; a longer one is refused without being held in memory. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export async function runWrite(options: WriteOptions): Promise<WriteSummary> {
  const { config, emit } = options;
  if (!options.catalog && config.message_key === "primary_key") {
    throw new ConnectorError(
      "message_key is primary_key, which needs the configured catalog: pass --catalog, or use message_key fields.",
      "config_error",
    );
  }
  const routes = routesByStream(config, options.catalog ?? [], registryFor(options));
  const recordOptions: RecordOptions = {
    // Registry key formats make their own keys (registry-record.ts); a key without one is a string.
    keyFormat: config.key_format === "json" ? "json" : "string",
    headers: config.headers,
    timestamp: config.record_timestamp,
  };
  const checkpoints = createCheckpoints({ transactional: options.commit !== undefined });
  const summary: WriteSummary = {
    records: 0,
    recordsByStream: [],
    topics: [],
    statesEchoed: 0,
    statesHeld: 0,
    skippedLines: 0,
    ignoredMessages: new Map(),
    failure: undefined,
  };
  let stopped = false; // no more input is read

  const release = () => {
    for (const line of checkpoints.releasable()) void emit.line(line);
  };

  const timers = options.timers ?? realTimers;
  const delivery = createDelivery({
    config,
    edge: options,
    checkpoints,
    release,
    mayCommit: () => !stopped && !summary.failure,
    timers,
  });

  /** An input line we cannot write: fail (default) or skip with a WARN, per `on_invalid_input`. */
  const refuse = async (lineNumber: number, reason: string): Promise<void> => {
    if (config.on_invalid_input === "skip") {
      summary.skippedLines++;
      await emit.log("WARN", `Skipped input line ${lineNumber}: ${reason}.`);
      return;
    }
    summary.failure ??= new ConnectorError(
      `Input line ${lineNumber} cannot be written: ${reason}. No later STATE is echoed. Set on_invalid_input to "skip" to drop such lines instead.`,
      "system_error",
    );
  };

  /** Handles one line; returns a promise only when the caller must wait (a WARN, backpressure). */
  const handle = (line: Line): Promise<void> | undefined => {
    if (line.bytes === undefined) return refuse(line.number, line.problem);
    const parsed = parseLine(line.bytes);
    if (parsed.kind === "record") {
      let route = routes.get(parsed.stream.namespace)?.get(parsed.stream.name);
      if (!route && !options.catalog) {
        try {
          route = addRoute(routes, config, { stream: parsed.stream, primaryKey: [] }, undefined);
        } catch (error) {
          summary.failure ??= error as ConnectorError;
          return undefined;
        }
      }
      if (!route) {
        const label = streamLabel(parsed.stream);
        return refuse(
          line.number,
          `it is a record of stream ${label}, which is not in the configured catalog`,
        );
      }
      const codec = route.codec;
      const registering = codec?.pending();
      if (registering) {
        // The stream's first record: its schemas are registered before it, then it is handled again.
        return registering.then(
          () => handle(line),
          (error: unknown) => {
            summary.failure ??= asConnectorError(error, "Delivery failed");
          },
        );
      }
      let key: Buffer | null | undefined;
      if (route.keyPaths && !codec?.keys) {
        const fromFields = fieldKey(parsed.data, route.keyPaths, recordOptions.keyFormat);
        if (typeof fromFields === "string") {
          return refuse(line.number, `the record of stream ${route.label} has no message key: ${fromFields}`);
        }
        key = fromFields;
      } else if (config.message_key === "none") key = null;
      let encoded: EncodedRecord;
      try {
        encoded = codec
          ? codec.encode(parsed, route.topic, recordOptions, key)
          : encodeRecord(parsed, route.topic, recordOptions, undefined, key);
      } catch (error) {
        if (!(error instanceof ConnectorError && error.internal === RECORD_DOES_NOT_FIT)) throw error;
        return refuse(line.number, sentence(error.message));
      }
      if (encoded.size > config.max_request_size) {
        return refuse(
          line.number,
          `the record of stream ${route.label} is ${encoded.size} bytes once encoded, over max_request_size (${config.max_request_size} bytes)`,
        );
      }
      route.records++;
      route.bytes += encoded.size;
      return delivery.add(encoded, checkpoints.record(route.key));
    }
    if (parsed.kind === "state") {
      checkpoints.state(parsed);
      // With transactions, a STATE ends one: every record before it is sent, then it commits.
      return delivery.atState();
    } else if (parsed.kind === "other") {
      summary.ignoredMessages.set(parsed.type, (summary.ignoredMessages.get(parsed.type) ?? 0) + 1);
    } else {
      return refuse(line.number, parsed.reason);
    }
  };

  const read = async () => {
    for await (const lines of readLines(options.input, MAX_LINE_BYTES)) {
      for (const line of lines) {
        if (stopped || summary.failure || delivery.failure !== undefined) return;
        const handling = handle(line);
        // Most lines complete synchronously; only await the ones that had to wait.
        if (handling) await handling;
      }
    }
  };

  await announce(config, options.catalog ?? [], emit);
  const started = Date.now();
  let progressTimer: unknown;
  const progress = () => {
    let records = 0;
    let bytes = 0;
    for (const byName of routes.values()) {
      for (const route of byName.values()) {
        records += route.records;
        bytes += route.bytes;
      }
    }
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    void emit.log(
      "INFO",
      `Progress: ${records} records, ${megabytes(bytes)} MB written in ${seconds.toFixed(0)} s (${Math.round(records / seconds)} records/s); ${megabytes(delivery.heldBytes)} MB awaiting acknowledgement.`,
    );
    progressTimer = timers.set(progress, config.progress_interval_seconds * 1000);
  };
  if (config.progress_interval_seconds > 0) {
    progressTimer = timers.set(progress, config.progress_interval_seconds * 1000);
  }
  const stop = options.signal ? AbortSignal.any([options.signal, delivery.failed]) : delivery.failed;
  const interrupted = await race(read(), stop);
  if (interrupted) {
    stopped = true;
    // Echo what is earned within the grace period; later acks no longer count.
    await Promise.race([delivery.drain(), sleep(options.graceMs ?? 10_000)]);
    summary.failure ??= new ConnectorError(
      "The sync was interrupted (SIGTERM or SIGINT) before its input ended; STATEs whose records were acknowledged have been echoed.",
      "transient_error",
    );
  } else {
    await delivery.finish();
  }
  release();
  checkpoints.close();
  timers.clear(progressTimer);
  delivery.stop();
  if (delivery.failure !== undefined) summary.failure = asConnectorError(delivery.failure, "Delivery failed");
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  // Several streams may share a topic (a topic_pattern without {stream}): one line per topic.
  const byTopic = new Map<string, { records: number; bytes: number }>();
  for (const byName of routes.values()) {
    for (const route of byName.values()) {
      if (route.records === 0) continue;
      const totals = byTopic.get(route.topic) ?? { records: 0, bytes: 0 };
      totals.records += route.records;
      totals.bytes += route.bytes;
      byTopic.set(route.topic, totals);
    }
  }
  for (const [topic, { records, bytes }] of byTopic) {
    summary.topics.push(`${topic}: ${records} records, ${megabytes(bytes)} MB in ${seconds} s`);
  }
  for (const byName of routes.values()) {
    for (const route of byName.values()) {
      if (route.records > 0) {
        summary.records += route.records;
        summary.recordsByStream.push([route.label, route.records]);
      }
    }
  }
  summary.statesEchoed = checkpoints.released;
  summary.statesHeld = checkpoints.pendingStates;
  return summary;
}

// --- internal ---

/** Where each catalog stream's records go, looked up by namespace then name (no key per record). */
interface Route {
  key: string;
  label: string;
  /** The record fields that make the message key, when message_key takes it from fields. */
  keyPaths: string[][] | undefined;
  topic: string;
  records: number;
  /** Bytes written, as Kafka counts them (key, value, headers and record overhead). */
  bytes: number;
  /** Value and key encoding through the Schema Registry (avro or json_schema formats). */
  codec: RegistryCodec | undefined;
}

function routesByStream(
  config: Config,
  catalog: CatalogStream[],
  registry: RegistryClient | undefined,
): Map<string | undefined, Map<string, Route>> {
  const routes = new Map<string | undefined, Map<string, Route>>();
  const byTopic = new Map<string, Route>();
  for (const entry of catalog) {
    const route = addRoute(routes, config, entry, registry);
    const other = byTopic.get(route.topic);
    // Under one topic subject, different streams' schemas would replace each other (and be refused).
    if (other?.codec && config.subject_name_strategy === "topic") {
      throw new ConnectorError(
        `Streams ${other.label} and ${route.label} both write to topic ${route.topic}, so with subject_name_strategy topic their schemas would share one subject. Use subject_name_strategy topic_record (or record), or a topic_pattern with {stream}.`,
        "config_error",
      );
    }
    byTopic.set(route.topic, route);
  }
  return routes;
}

/** Adds the route of `stream`; throws a config error when its topic name or key cannot work. */
function addRoute(
  routes: Map<string | undefined, Map<string, Route>>,
  config: Config,
  { stream, primaryKey, jsonSchema }: Pick<CatalogStream, "stream" | "primaryKey" | "jsonSchema">,
  registry: RegistryClient | undefined,
): Route {
  const topic = checkedTopicFor(config.topic_pattern, stream.namespace, stream.name, config.topic_naming);
  const keyPaths = keyPathsFor(config, stream, primaryKey);
  const route: Route = {
    key: streamKey(stream),
    label: streamLabel(stream),
    topic,
    records: 0,
    bytes: 0,
    keyPaths,
    codec: registry && registryCodec(config, { stream, jsonSchema }, topic, keyPaths, registry),
  };
  const byName = routes.get(stream.namespace) ?? new Map<string, Route>();
  routes.set(stream.namespace, byName);
  byName.set(stream.name, route);
  return route;
}

/** The registry of the registry formats, which need the catalog (the schemas come from it). */
function registryFor(options: WriteOptions): RegistryClient | undefined {
  const { value_format, key_format } = options.config;
  const field =
    value_format !== "json"
      ? `value_format is ${value_format}`
      : key_format === "avro" || key_format === "json_schema"
        ? `key_format is ${key_format}`
        : undefined;
  if (field === undefined) return undefined;
  if (!options.catalog) {
    throw new ConnectorError(
      `${field}, which needs the configured catalog (each stream's schema comes from its json_schema): pass --catalog.`,
      "config_error",
    );
  }
  if (!options.registry)
    throw new ConnectorError(`${field}, which needs a Schema Registry client.`, "system_error");
  return options.registry;
}

/** A ConnectorError's message as a clause: "A record … schema: why." → "a record … schema: why". */
function sentence(message: string): string {
  return `${message.charAt(0).toLowerCase()}${message.slice(1)}`.replace(/\.$/, "");
}

function keyPathsFor(config: Config, stream: StreamId, primaryKey: string[][]): string[][] | undefined {
  if (config.message_key === "fields") return config.message_key_fields ?? undefined;
  if (config.message_key !== "primary_key") return undefined;
  if (primaryKey.length === 0) {
    throw new ConnectorError(
      `message_key is primary_key, but stream ${streamLabel(stream)} has no primary key in the catalog (primary_key or source_defined_primary_key).`,
      "config_error",
    );
  }
  return primaryKey;
}

async function announce(config: Config, catalog: CatalogStream[], emit: Emitter): Promise<void> {
  const dedup = catalog.filter((entry) => entry.destinationSyncMode === "append_dedup");
  if (dedup.length > 0) {
    await emit.log(
      "WARN",
      `Streams ${dedup.map((entry) => streamLabel(entry.stream)).join(", ")} ask for append_dedup; Kafka topics are append-only, so they are written as append. Deduplication is the consumer's or log compaction's job.`,
    );
  }
  for (const { field, why } of unhonouredSettings(config)) {
    await emit.log("WARN", `${field} is set but has no effect in this connector: ${why}.`);
  }
  if (
    config.enable_idempotence &&
    !config.sync_producer &&
    config.max_in_flight_requests_per_connection > 1
  ) {
    await emit.log(
      "INFO",
      "enable_idempotence is on: the client keeps one request in flight per broker connection (max_in_flight_requests_per_connection is not used).",
    );
  }
  if (config.transactional_id) {
    await emit.log(
      "INFO",
      `transactional_id is set: records are written in Kafka transactions, committed at each STATE, at the end of the input, and whenever a transaction is half transaction_timeout_ms (${config.transaction_timeout_ms} ms) old. A STATE is echoed once the transaction holding every record before it has committed.`,
    );
  }
  if (config.acks === "0") {
    await emit.log(
      "WARN",
      'acks is "0": the broker acknowledges nothing, so STATEs are echoed once records are written to the socket. This setting gives no delivery guarantee.',
    );
  }
}

function megabytes(bytes: number): string {
  return (bytes / 1_000_000).toFixed(1);
}

/** Resolves true when `signal` aborts before `work` finishes, false when `work` finishes first. */
async function race(work: Promise<void>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return true;
  return Promise.race([
    work.then(() => false),
    new Promise<boolean>((resolve) => signal.addEventListener("abort", () => resolve(true), { once: true })),
  ]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
