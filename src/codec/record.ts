/**
 * A RECORD → the Kafka message the Java connector writes: key = a random UUID v4 string; value =
 * `{"_airbyte_ab_id":<key>,"_airbyte_stream":<stream>,"_airbyte_emitted_at":<epoch ms>,"_airbyte_data":<data>}`
 * with the source's `data` bytes copied in unchanged. This runs once per record, so it writes into
 * one buffer and never builds the value as a string; the key is a view of the id inside the value.
 */
import { Buffer } from "node:buffer";
import { v4 as uuidv4 } from "uuid";
import type { ValuedRecord } from "../contract/send.ts";
import { createSlabPool } from "../memory/slab.ts";
import type { RecordLine } from "../protocol/parse.ts";

/** The encoding settings of the config that shape each record. */
export interface RecordOptions {
  keyFormat: "string" | "json";
  headers: boolean;
  timestamp: "producer" | "emitted_at";
  /** The catalog's generation_id, sent as the airbyte_generation_id header when headers are on. */
  generationId?: number | undefined;
}

/** The Java connector's layout: raw UUID key, no headers, the producer's timestamp. */
export const REFERENCE_RECORD: RecordOptions = { keyFormat: "string", headers: false, timestamp: "producer" };

/**
 * The Java producer refuses a record when `RECORD_BATCH_OVERHEAD` (61) plus the record's own
 * upper-bound size (21 + key + value) exceeds `max.request.size`; we count the same way.
 */
export const RECORD_OVERHEAD_BYTES = 61 + 21;

/**
 * `key` overrides the default key (the id, per `keyFormat`): bytes taken from the record's fields, or
 * null for no key at all.
 */
export function encodeRecord(
  record: RecordLine,
  topic: string,
  options: RecordOptions = REFERENCE_RECORD,
  id: string = uuidv4(),
  key?: Buffer | null,
): ValuedRecord {
  const middle = streamPart(record.stream.name);
  const emittedAt = String(record.emittedAt);
  const data = record.dataBytes;
  const length =
    ID_PREFIX.length + id.length + middle.length + emittedAt.length + DATA_PREFIX.length + data.length + 1;
  const { buffer: value, memory } = values.allocate(length);
  let at = ID_PREFIX.copy(value, 0);
  const idStart = at;
  at += value.write(id, at, "latin1");
  // A JSON key is the id with the quotes around it in the value: `"<uuid>"`.
  const idKey =
    options.keyFormat === "json" ? value.subarray(idStart - 1, at + 1) : value.subarray(idStart, at);
  const messageKey = key === undefined ? idKey : (key ?? undefined);
  at += middle.copy(value, at);
  at += value.write(emittedAt, at, "latin1");
  at += DATA_PREFIX.copy(value, at);
  value.set(data, at);
  value[at + data.length] = CLOSE_BRACE;
  const headers = options.headers ? recordHeaders(record, id, emittedAt, options.generationId) : undefined;
  let size = RECORD_OVERHEAD_BYTES + (messageKey?.length ?? 0) + value.length;
  for (const [name, text] of headers ?? []) size += name.length + text.length + 10;
  const timestamp = options.timestamp === "emitted_at" ? record.emittedAt : undefined;
  return { topic, key: messageKey, value, headers, timestamp, size, memory };
}

// --- internal ---

const values = createSlabPool();
const ID_PREFIX = Buffer.from('{"_airbyte_ab_id":"');
const DATA_PREFIX = Buffer.from(',"_airbyte_data":');
const CLOSE_BRACE = 0x7d;
const streamParts = new Map<string, Buffer>();

const HEADER_STREAM = Buffer.from("airbyte_stream");
const HEADER_NAMESPACE = Buffer.from("airbyte_namespace");
const HEADER_GENERATION_ID = Buffer.from("airbyte_generation_id");
const REFERENCE_HEADERS = { emittedAt: Buffer.from("airbyte_emitted_at"), id: Buffer.from("airbyte_ab_id") };

/**
 * The record's Airbyte facts as UTF-8 headers; airbyte_namespace only when the stream has one,
 * airbyte_generation_id only when the catalog gives the generation. `names`: what a layout calls
 * its time and id headers (record-v2.ts has its own).
 */
export function recordHeaders(
  record: RecordLine,
  id: string,
  emittedAt: string,
  generationId: number | undefined,
  names: { emittedAt: Buffer; id: Buffer } = REFERENCE_HEADERS,
): [Buffer, Buffer][] {
  const headers: [Buffer, Buffer][] = [[HEADER_STREAM, Buffer.from(record.stream.name)]];
  if (record.stream.namespace !== undefined)
    headers.push([HEADER_NAMESPACE, Buffer.from(record.stream.namespace)]);
  headers.push([names.emittedAt, Buffer.from(emittedAt)], [names.id, Buffer.from(id, "latin1")]);
  if (generationId !== undefined) headers.push([HEADER_GENERATION_ID, Buffer.from(String(generationId))]);
  return headers;
}

/** `","_airbyte_stream":<stream as JSON>,"_airbyte_emitted_at":`, made once per stream. */
function streamPart(stream: string): Buffer {
  let part = streamParts.get(stream);
  if (!part) {
    part = Buffer.from(`","_airbyte_stream":${JSON.stringify(stream)},"_airbyte_emitted_at":`);
    streamParts.set(stream, part);
  }
  return part;
}
