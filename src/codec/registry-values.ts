/**
 * The message values of `value_format` avro and json_schema: one encoder per stream, derived from
 * the configured catalog's `json_schema` once, at start (the Avro schema, its precompiled avsc
 * type, the JSON Schema document). Its schema is registered before the stream's first record and
 * the id kept, so per record there is only the encoding and the 5-byte frame (wire.ts).
 *
 * - avro: the reference envelope as an Avro record (avro-schema.ts), `_airbyte_data` fitted from
 *   the record's data parsed losslessly (avro-value.ts, json-lossless.ts). A record that does not
 *   fit throws a ConnectorError naming stream, field and why.
 * - json_schema: the reference JSON value, byte for byte (the record's data as the source wrote it),
 *   framed with the id of the envelope's JSON Schema (json-schema-value.ts).
 */
import type { Buffer } from "node:buffer";
import type { Type } from "avsc";
import { avroType, encodeFramed } from "../formats/avro-codec.ts";
import { type MessageLayout, streamAvro } from "../formats/avro-schema.ts";
import { avroData, avroEnvelope, avroEnvelopeV2 } from "../formats/avro-value.ts";
import { parseJsonLossless } from "../formats/json-lossless.ts";
import { jsonSchemaForStream } from "../formats/json-schema-value.ts";
import { frame, type SubjectNameStrategy, subjectName } from "../formats/wire.ts";
import type { RecordLine, StreamId } from "../protocol/parse.ts";
import { streamLabel } from "../protocol/parse.ts";
import type { RegistryClient } from "../registry/client.ts";
import { type SubjectSchema, subjectSchema } from "../registry/subject-schema.ts";
import { metaChanges } from "./record-v2.ts";

export type RegistryFormat = "avro" | "json_schema";

export interface StreamValues {
  readonly schema: SubjectSchema;
  /** The framed value of `record`, whose reference JSON value is `json` and id `id`. */
  encode(record: RecordLine, id: string, json: Buffer): Buffer;
}

/** What a stream's value or key encoder is derived from (registry-keys.ts adds the key fields). */
export interface StreamValuesOptions {
  format: RegistryFormat;
  stream: StreamId;
  jsonSchema: unknown;
  topic: string;
  strategy: SubjectNameStrategy;
  registry: RegistryClient;
  /** The envelope's fields: the Java connector's, or Destinations V2's with these catalog facts. */
  layout: MessageLayout;
  syncId?: number | undefined;
  generationId?: number | undefined;
}

export function streamValues(options: StreamValuesOptions): StreamValues {
  const { stream, registry } = options;
  const description = { name: stream.name, namespace: stream.namespace, jsonSchema: options.jsonSchema };
  const label = streamLabel(stream);
  const registeredAs = (type: "AVRO" | "JSON", schema: unknown, recordName: string) =>
    subjectSchema(
      registry,
      subjectName(options.strategy, { topic: options.topic, recordName, isKey: false }),
      type,
      schema,
    );
  let registered: SubjectSchema;
  let encode: (record: RecordLine, id: string, json: Buffer, schemaId: number) => Buffer;
  if (options.format === "avro") {
    const avro = streamAvro(description, options.layout);
    const type: Type = avroType(avro.schema);
    registered = registeredAs("AVRO", avro.schema, avro.fullName);
    encode = (record, id, _json, schemaId) => {
      // One lossless parse: it costs little more than JSON.parse, and a record holding an integer
      // beyond 2^53 would otherwise be parsed and fitted twice.
      const data = avroData(avro.data, parseJsonLossless(utf8.decode(record.dataBytes)), label);
      const stream = record.stream.name;
      const value =
        options.layout === "airbyte_v2"
          ? avroEnvelopeV2(
              {
                rawId: id,
                extractedAt: record.emittedAt,
                syncId: options.syncId,
                generationId: options.generationId,
                changes: metaChanges(record),
                stream,
              },
              data,
            )
          : avroEnvelope({ id, stream, emittedAt: record.emittedAt }, data);
      return encodeFramed(type, schemaId, value);
    };
  } else {
    const document = jsonSchemaForStream(description, options.layout);
    registered = registeredAs("JSON", document, String(document.title));
    encode = (_record, _id, json, schemaId) => frame(schemaId, json);
  }
  return {
    schema: registered,
    encode(record, id, json) {
      const schemaId = registered.schemaId;
      if (schemaId === undefined) throw new Error(`the schema of stream ${label} is not registered yet`);
      return encode(record, id, json, schemaId);
    },
  };
}

// --- internal ---

const utf8 = new TextDecoder();
