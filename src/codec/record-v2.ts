/**
 * A RECORD → its Kafka message in Airbyte's Destinations V2 layout (`message_layout: airbyte_v2`):
 *
 *   {"_airbyte_raw_id":<UUIDv7>,"_airbyte_extracted_at":<emitted_at, epoch ms>,
 *    "_airbyte_meta":{"sync_id":<the catalog's sync_id, or null>,"changes":<the record's meta.changes, or []>},
 *    "_airbyte_generation_id":<the catalog's generation_id, or null>,"_airbyte_data":<data>}
 *
 * with the source's `data` bytes copied in unchanged, as in the reference layout (record.ts), and
 * the key defaulting to `_airbyte_raw_id`. UUIDv7 ids grow with time, so they sort by arrival.
 * Headers, when on, are airbyte_stream, airbyte_namespace, airbyte_extracted_at, airbyte_raw_id
 * and airbyte_generation_id.
 */
import { Buffer } from "node:buffer";
import { v7 as uuidv7 } from "uuid";
import type { ValuedRecord } from "../contract/send.ts";
import { isObject } from "../is-object.ts";
import { createSlabPool } from "../memory/slab.ts";
import type { RecordLine } from "../protocol/parse.ts";
import { RECORD_OVERHEAD_BYTES, type RecordOptions, recordHeaders } from "./record.ts";

/** record.ts's options, and the catalog's sync_id that V2 values carry. */
export interface LayoutOptions extends RecordOptions {
  syncId?: number | undefined;
}

/** As record.ts's encodeRecord: `key` overrides the id key (bytes from fields, or null for none). */
export function encodeRecordV2(
  record: RecordLine,
  topic: string,
  options: LayoutOptions,
  id: string = uuidv7(),
  key?: Buffer | null,
): ValuedRecord {
  const emittedAt = String(record.emittedAt);
  const head = Buffer.from(
    `{"_airbyte_raw_id":"${id}","_airbyte_extracted_at":${emittedAt},"_airbyte_meta":{"sync_id":${options.syncId ?? null},"changes":${JSON.stringify(metaChanges(record))}},"_airbyte_generation_id":${options.generationId ?? null},"_airbyte_data":`,
  );
  const data = record.dataBytes;
  const { buffer: value, memory } = values.allocate(head.length + data.length + 1);
  head.copy(value, 0);
  value.set(data, head.length);
  value[head.length + data.length] = CLOSE_BRACE;
  const idStart = RAW_ID_PREFIX.length;
  // A JSON key is the id with the quotes around it in the value: `"<uuid>"`.
  const idKey =
    options.keyFormat === "json"
      ? value.subarray(idStart - 1, idStart + id.length + 1)
      : value.subarray(idStart, idStart + id.length);
  const messageKey = key === undefined ? idKey : (key ?? undefined);
  const headers = options.headers
    ? recordHeaders(record, id, emittedAt, options.generationId, V2_HEADERS)
    : undefined;
  let size = RECORD_OVERHEAD_BYTES + (messageKey?.length ?? 0) + value.length;
  for (const [name, text] of headers ?? []) size += name.length + text.length + 10;
  const timestamp = options.timestamp === "emitted_at" ? record.emittedAt : undefined;
  return { topic, key: messageKey, value, headers, timestamp, size, memory };
}

/**
 * The record's `meta.changes` (protocol 0.9 on: fields the source nulled or truncated, and why),
 * as the source wrote them; [] when it has none.
 */
export function metaChanges(record: RecordLine): unknown[] {
  if (record.metaBytes === undefined) return [];
  const meta: unknown = JSON.parse(utf8.decode(record.metaBytes));
  const changes = isObject(meta) ? meta.changes : undefined;
  return Array.isArray(changes) ? changes : [];
}

// --- internal ---

const values = createSlabPool();
const utf8 = new TextDecoder();
const RAW_ID_PREFIX = Buffer.from('{"_airbyte_raw_id":"');
const CLOSE_BRACE = 0x7d;

/** What the V2 layout calls the time and id headers (record.ts writes the others). */
const V2_HEADERS = { emittedAt: Buffer.from("airbyte_extracted_at"), id: Buffer.from("airbyte_raw_id") };
