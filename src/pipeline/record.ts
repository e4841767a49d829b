/**
 * A RECORD → the Kafka message the Java connector writes: key = a random UUID v4 string; value =
 * `{"_airbyte_ab_id":<key>,"_airbyte_stream":<stream>,"_airbyte_emitted_at":<epoch ms>,"_airbyte_data":<data>}`
 * with the source's `data` text spliced in unchanged.
 */
import { Buffer } from "node:buffer";
import { v4 as uuidv4 } from "uuid";
import type { RecordLine } from "../protocol/parse.ts";

export interface EncodedRecord {
  topic: string;
  key: Buffer;
  value: Buffer;
  /** Kafka's upper bound for this record inside a request, as the Java producer checks it. */
  size: number;
}

/**
 * The Java producer refuses a record when `RECORD_BATCH_OVERHEAD` (61) plus the record's own
 * upper-bound size (21 + key + value) exceeds `max.request.size`; we count the same way.
 */
export const RECORD_OVERHEAD_BYTES = 61 + 21;

export function encodeRecord(record: RecordLine, topic: string, id: string = uuidv4()): EncodedRecord {
  const value = Buffer.from(
    `{"_airbyte_ab_id":"${id}","_airbyte_stream":${JSON.stringify(record.stream.name)},"_airbyte_emitted_at":${record.emittedAt},"_airbyte_data":${record.dataText}}`,
  );
  const key = Buffer.from(id);
  return { topic, key, value, size: RECORD_OVERHEAD_BYTES + key.length + value.length };
}
