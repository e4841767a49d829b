/**
 * Where each stream's records go and how they are encoded: its topic (checked as Kafka would), the
 * fields of its message key, and its Schema Registry codec. Made for every catalog stream at start,
 * so a config that cannot work for a stream (a topic name Kafka refuses, no primary key, streams
 * sharing a registry subject) fails before anything is sent; without a catalog, a stream's route is
 * made on its first record.
 */
import type { Buffer } from "node:buffer";
import { fieldKey } from "../codec/message-key.ts";
import { encodeRecord } from "../codec/record.ts";
import { encodeRecordV2, type LayoutOptions } from "../codec/record-v2.ts";
import { type RegistryCodec, registryCodec } from "../codec/registry-record.ts";
import { registryUses } from "../config/registry.ts";
import type { Config } from "../config/schema.ts";
import type { EncodedRecord } from "../contract/send.ts";
import { ConnectorError } from "../errors.ts";
import { RECORD_DOES_NOT_FIT } from "../formats/avro-value.ts";
import type { CatalogStream } from "../protocol/catalog.ts";
import { type RecordLine, type StreamId, streamKey, streamLabel } from "../protocol/parse.ts";
import type { RegistryClient } from "../registry/client.ts";
import { checkedTopicFor } from "../topic/naming.ts";

export interface Route {
  /** The stream's identity (protocol/parse.ts's streamKey), as the checkpoint rule counts it. */
  readonly key: string;
  /** `namespace.name`, for messages. */
  readonly label: string;
  readonly topic: string;
  /** True when the stream's value or key schema goes through the Schema Registry. */
  readonly usesRegistry: boolean;
  /** Records and bytes encoded so far (bytes as Kafka counts them: key, value, headers, overhead). */
  readonly records: number;
  readonly bytes: number;
  /** Registers the stream's schemas before its first record; undefined once they are (or without a registry). */
  pending(): Promise<void> | undefined;
  /** The message of `record`, counted in the totals; or why it cannot be written (for the input policy). */
  encode(record: RecordLine): EncodedRecord | string;
}

export interface Routes {
  /**
   * The route of `stream`, or why its records cannot be written (it is not in the catalog). Without
   * a catalog it is made on first sight, which throws a config error when its topic cannot work.
   */
  of(stream: StreamId): Route | string;
  /** Every route, catalog streams first, in catalog order. */
  all(): Route[];
}

/** Throws a config error when the config cannot work for a stream of the catalog. */
export function createRoutes(
  config: Config,
  catalog: CatalogStream[] | undefined,
  registry: RegistryClient | undefined,
): Routes {
  if (!catalog && config.message_key === "primary_key") {
    throw new ConnectorError(
      "message_key is primary_key, which needs the configured catalog: pass --catalog, or use message_key fields.",
      "config_error",
    );
  }
  const schemas = registryFor(config, catalog, registry);
  const byStream = new Map<string | undefined, Map<string, Route>>();
  const all: Route[] = [];
  const add = (entry: RouteEntry): Route => {
    const route = createRoute(config, entry, schemas);
    const byName = byStream.get(entry.stream.namespace) ?? new Map<string, Route>();
    byStream.set(entry.stream.namespace, byName);
    byName.set(entry.stream.name, route);
    all.push(route);
    return route;
  };
  const byTopic = new Map<string, Route>();
  for (const entry of catalog ?? []) {
    const route = add(entry);
    const other = byTopic.get(route.topic);
    // Under one topic subject, different streams' schemas would replace each other (and be refused).
    if (other?.usesRegistry && config.subject_name_strategy === "topic") {
      throw new ConnectorError(
        `Streams ${other.label} and ${route.label} both write to topic ${route.topic}, so with subject_name_strategy topic their schemas would share one subject. Use subject_name_strategy topic_record (or record), or a topic_pattern with {stream}.`,
        "config_error",
      );
    }
    byTopic.set(route.topic, route);
  }
  return {
    of(stream) {
      const route = byStream.get(stream.namespace)?.get(stream.name);
      if (route) return route;
      if (catalog)
        return `it is a record of stream ${streamLabel(stream)}, which is not in the configured catalog`;
      return add({ stream, primaryKey: [] });
    },
    all: () => all,
  };
}

// --- internal ---

/** What a route is made from: a catalog stream, or (without a catalog) just the stream's identity. */
type RouteEntry = Pick<CatalogStream, "stream" | "primaryKey" | "jsonSchema" | "generationId" | "syncId">;

function createRoute(
  config: Config,
  { stream, primaryKey, jsonSchema, generationId, syncId }: RouteEntry,
  registry: RegistryClient | undefined,
): Route {
  const topic = checkedTopicFor(config.topic_pattern, stream.namespace, stream.name, config.topic_naming);
  const keyPaths = keyPathsFor(config, stream, primaryKey);
  const tombstones = config.cdc_deletes === "tombstone";
  if (tombstones && keyPaths === undefined) {
    throw new ConnectorError(
      `cdc_deletes is tombstone, which needs message_key primary_key (or fields): a tombstone deletes its key, so it must carry the row's key, and stream ${streamLabel(stream)} would be keyed by ${config.message_key}.`,
      "config_error",
    );
  }
  const codec: RegistryCodec | undefined =
    registry &&
    registryCodec(config, { stream, jsonSchema, syncId, generationId }, topic, keyPaths, registry);
  const encodeReference = config.message_layout === "airbyte_v2" ? encodeRecordV2 : encodeRecord;
  const label = streamLabel(stream);
  const options: LayoutOptions = {
    // Registry key formats make their own keys (codec/registry-record.ts); a key without one is a string.
    keyFormat: config.key_format === "json" ? "json" : "string",
    headers: config.headers,
    timestamp: config.record_timestamp,
    generationId,
    syncId,
  };
  // Keys from the record's fields, unless the codec makes them; none: no key at all.
  const fieldKeys = keyPaths && !codec?.keys ? keyPaths : undefined;
  const noKey = config.message_key === "none";
  let records = 0;
  let bytes = 0;
  return {
    key: streamKey(stream),
    label,
    topic,
    usesRegistry: codec !== undefined,
    get records() {
      return records;
    },
    get bytes() {
      return bytes;
    },
    pending: () => codec?.pending(),
    encode(record) {
      let key: Buffer | null | undefined;
      if (fieldKeys) {
        const fromFields = fieldKey(record.data, fieldKeys, options.keyFormat);
        if (typeof fromFields === "string")
          return `the record of stream ${label} has no message key: ${fromFields}`;
        key = fromFields;
      } else if (noKey) key = null;
      let encoded: EncodedRecord;
      try {
        encoded = codec
          ? codec.encode(record, topic, options, key)
          : encodeReference(record, topic, options, undefined, key);
      } catch (error) {
        if (!(error instanceof ConnectorError && error.internal === RECORD_DOES_NOT_FIT)) throw error;
        return sentence(error.message);
      }
      // A CDC delete: the row's message without its value, which compaction takes as the key's end.
      if (tombstones && isCdcDelete(record))
        encoded = { ...encoded, value: null, size: encoded.size - (encoded.value?.length ?? 0) };
      if (encoded.size > config.max_request_size) {
        return `the record of stream ${label} is ${encoded.size} bytes once encoded, over max_request_size (${config.max_request_size} bytes)`;
      }
      records++;
      bytes += encoded.size;
      return encoded;
    },
  };
}

/** The registry of the registry formats, which need the catalog (the schemas come from it). */
function registryFor(
  config: Config,
  catalog: CatalogStream[] | undefined,
  registry: RegistryClient | undefined,
): RegistryClient | undefined {
  const [use] = registryUses(config);
  if (use === undefined) return undefined;
  const field = `${use.field} is ${use.format}`;
  if (!catalog) {
    throw new ConnectorError(
      `${field}, which needs the configured catalog (each stream's schema comes from its json_schema): pass --catalog.`,
      "config_error",
    );
  }
  if (!registry) throw new ConnectorError(`${field}, which needs a Schema Registry client.`, "system_error");
  return registry;
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

/** Airbyte's CDC sources mark a deleted row with a non-null `_ab_cdc_deleted_at` in its data. */
function isCdcDelete(record: RecordLine): boolean {
  const deletedAt = record.data._ab_cdc_deleted_at;
  return deletedAt !== undefined && deletedAt !== null;
}

/** A ConnectorError's message as a clause: "A record … schema: why." → "a record … schema: why". */
function sentence(message: string): string {
  return `${message.charAt(0).toLowerCase()}${message.slice(1)}`.replace(/\.$/, "");
}
