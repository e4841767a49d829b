/**
 * The message values of `value_format` avro and json_schema: one encoder per stream, derived from
 * the configured catalog's `json_schema` once, at start (the Avro schema, its precompiled avsc
 * type, the JSON Schema document). Its schema is registered before the stream's first record and
 * the id kept, so per record there is only the encoding and the 5-byte frame (wire.ts).
 *
 * - avro: the reference envelope as an Avro record (avro-schema.ts), `_airbyte_data` fitted from
 *   the record's parsed data (avro-value.ts; a lossless re-parse only when an integer beyond 2^53
 *   matters). A record that does not fit throws a ConnectorError naming stream, field and why.
 * - json_schema: the reference JSON value, byte for byte (the record's data as the source wrote it),
 *   framed with the id of the envelope's JSON Schema (json-schema-value.ts).
 */
import type { Buffer } from "node:buffer";
import type { Type } from "avsc";
import { v4 as uuidv4 } from "uuid";
import { avroType, encodeFramed } from "../formats/avro-codec.ts";
import { streamAvro } from "../formats/avro-schema.ts";
import { avroData, avroEnvelope } from "../formats/avro-value.ts";
import { parseJsonLossless } from "../formats/json-lossless.ts";
import { jsonSchemaForStream } from "../formats/json-schema-value.ts";
import { frame, type SubjectNameStrategy, subjectName } from "../formats/wire.ts";
import type { RecordLine, StreamId } from "../protocol/parse.ts";
import { streamLabel } from "../protocol/parse.ts";
import type { RegistryClient, SchemaType } from "../registry/client.ts";
import { type EncodedRecord, encodeRecord, type RecordOptions } from "./record.ts";

export type RegistryFormat = "avro" | "json_schema";

export interface StreamValues {
  /** The registry subject of the stream's value schema. */
  readonly subject: string;
  /** The schema id once registered; undefined before `register` resolved. */
  readonly schemaId: number | undefined;
  /** Registers (or looks up) the schema; idempotent. */
  register(): Promise<void>;
  /** The framed value of `record`, whose reference JSON value is `json` and id `id`. */
  encode(record: RecordLine, id: string, json: Buffer): Buffer;
}

export interface StreamValuesOptions {
  format: RegistryFormat;
  stream: StreamId;
  jsonSchema: unknown;
  topic: string;
  strategy: SubjectNameStrategy;
  registry: RegistryClient;
}

export function streamValues(options: StreamValuesOptions): StreamValues {
  const { stream, registry } = options;
  const description = { name: stream.name, namespace: stream.namespace, jsonSchema: options.jsonSchema };
  const label = streamLabel(stream);
  let schemaType: SchemaType;
  let schemaText: string;
  let recordName: string;
  let encode: (record: RecordLine, id: string, json: Buffer, schemaId: number) => Buffer;
  if (options.format === "avro") {
    const avro = streamAvro(description);
    const type: Type = avroType(avro.schema);
    schemaType = "AVRO";
    schemaText = JSON.stringify(avro.schema);
    recordName = avro.fullName;
    encode = (record, id, _json, schemaId) => {
      const data = avroData(avro.data, record.data, label, () =>
        parseJsonLossless(utf8.decode(record.dataBytes)),
      );
      const value = avroEnvelope({ id, stream: record.stream.name, emittedAt: record.emittedAt }, data);
      return encodeFramed(type, schemaId, value);
    };
  } else {
    const document = jsonSchemaForStream(description);
    schemaType = "JSON";
    schemaText = JSON.stringify(document);
    recordName = String(document.title);
    encode = (_record, _id, json, schemaId) => frame(schemaId, json);
  }
  const subject = subjectName(options.strategy, { topic: options.topic, recordName, isKey: false });
  let schemaId: number | undefined;
  return {
    subject,
    get schemaId() {
      return schemaId;
    },
    async register() {
      schemaId ??= await registry.schemaId(subject, schemaType, schemaText);
    },
    encode(record, id, json) {
      if (schemaId === undefined) throw new Error(`the schema of stream ${label} is not registered yet`);
      return encode(record, id, json, schemaId);
    },
  };
}

/**
 * The message of `record` with its value from `values`: key, headers and timestamp as
 * record.ts makes them for the json format (the key may be a view of the reference value).
 */
export function encodeRegistryRecord(
  record: RecordLine,
  topic: string,
  options: RecordOptions,
  values: StreamValues,
  key: Buffer | null | undefined,
): EncodedRecord {
  const id = uuidv4();
  const reference = encodeRecord(record, topic, options, id, key);
  const value = values.encode(record, id, reference.value);
  return { ...reference, value, size: reference.size - reference.value.length + value.length };
}

// --- internal ---

const utf8 = new TextDecoder();
