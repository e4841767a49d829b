/**
 * Confluent's wire format and subject names, as every Schema Registry client (Kafka Connect,
 * ksqlDB, Flink, Spark, the Confluent and Apicurio serdes) reads them. A framed payload is the
 * magic byte 0, the schema id as a 4-byte big-endian integer, then the encoded value (Avro binary,
 * or JSON text for JSON Schema). Subject name strategies:
 *
 * | strategy       | value subject                     | key subject                   | Confluent class            |
 * |----------------|-----------------------------------|-------------------------------|----------------------------|
 * | `topic`        | `<topic>-value`                   | `<topic>-key`                 | TopicNameStrategy (default)|
 * | `record`       | `<record full name>`              | `<record full name>`          | RecordNameStrategy         |
 * | `topic_record` | `<topic>-<record full name>`      | `<topic>-<record full name>`  | TopicRecordNameStrategy    |
 *
 * The record full name is the Avro record's `namespace.name`, or the JSON Schema's `title`
 * (the connector gives both the same name, see avro-schema.ts and json-schema-value.ts).
 */
import { Buffer } from "node:buffer";
import { ConnectorError } from "../errors.ts";

export const MAGIC_BYTE = 0;

/** Bytes before the payload: the magic byte and the schema id. */
export const FRAME_HEADER_BYTES = 5;

export type SubjectNameStrategy = "topic" | "record" | "topic_record";

export const SUBJECT_NAME_STRATEGIES: readonly SubjectNameStrategy[] = ["topic", "record", "topic_record"];

/** Writes the 5-byte header for `schemaId` at `offset` of `target`; returns the payload's offset. */
export function writeFrameHeader(target: Uint8Array, schemaId: number, offset = 0): number {
  checkSchemaId(schemaId);
  target[offset] = MAGIC_BYTE;
  target[offset + 1] = schemaId >>> 24;
  target[offset + 2] = (schemaId >>> 16) & 0xff;
  target[offset + 3] = (schemaId >>> 8) & 0xff;
  target[offset + 4] = schemaId & 0xff;
  return offset + FRAME_HEADER_BYTES;
}

/** `payload` framed for `schemaId` (one new buffer). */
export function frame(schemaId: number, payload: Uint8Array): Buffer {
  const framed = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(framed, schemaId);
  framed.set(payload, FRAME_HEADER_BYTES);
  return framed;
}

/** The schema id and payload of a framed message (the payload is a view, not a copy). */
export function unframe(framed: Uint8Array): { schemaId: number; payload: Uint8Array } {
  if (framed.length < FRAME_HEADER_BYTES || framed[0] !== MAGIC_BYTE) {
    throw new ConnectorError(
      "A message is not in the Schema Registry wire format (no magic byte 0 and schema id).",
      "system_error",
    );
  }
  const schemaId = new DataView(framed.buffer, framed.byteOffset, framed.byteLength).getUint32(1, false);
  return { schemaId, payload: framed.subarray(FRAME_HEADER_BYTES) };
}

/** The subject a schema is registered under. */
export function subjectName(
  strategy: SubjectNameStrategy,
  target: { topic: string; recordName: string; isKey: boolean },
): string {
  switch (strategy) {
    case "topic":
      return `${target.topic}-${target.isKey ? "key" : "value"}`;
    case "record":
      return target.recordName;
    case "topic_record":
      return `${target.topic}-${target.recordName}`;
  }
}

// --- internal ---

/** Registries hand out ids as Java ints; the wire format has 4 unsigned bytes for them. */
function checkSchemaId(schemaId: number): void {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0x7fff_ffff) {
    throw new ConnectorError(
      `The Schema Registry gave schema id ${schemaId}, which the wire format cannot carry (0 to 2^31 - 1).`,
      "system_error",
    );
  }
}
