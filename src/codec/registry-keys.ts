/**
 * Message keys of `key_format` avro and json_schema, derived once per stream like the values
 * (registry-values.ts) and registered under `<topic>-key` (or per strategy, with the key's name
 * `<namespace>.<stream>_key`).
 *
 * | message_key          | avro                                                        | json_schema (payload = key_format json's bytes) |
 * |----------------------|-------------------------------------------------------------|-------------------------------------------------|
 * | uuid                 | record `<stream>_key` { `_airbyte_ab_id`: string } (V2 layout: `_airbyte_raw_id`) | `"<uuid>"`, schema `{"type":"string","format":"uuid"}` |
 * | primary_key / fields | record `<stream>_key`, a field per key path (named by its parts joined with `_`, typed as in the data record) | the value (one field) or an array of them, typed from the same shapes |
 *
 * A record whose key field is missing or null, or an unsafe integer, is refused as with the other
 * key formats (message-key.ts).
 */
import { Buffer } from "node:buffer";
import { ConnectorError } from "../errors.ts";
import { avroType, encodeFramed } from "../formats/avro-codec.ts";
import { uniqueAvroNames } from "../formats/avro-names.ts";
import { ENVELOPE_FIELDS, envelopeName, recordSchema, V2_FIELDS } from "../formats/avro-schema.ts";
import {
  ADDITIONAL_PROPERTIES_FIELD,
  dataRecordShape,
  type FieldShape,
  type RecordShape,
  type Shape,
  type UnionShape,
} from "../formats/avro-shape.ts";
import { avroData, RECORD_DOES_NOT_FIT } from "../formats/avro-value.ts";
import { JSON_SCHEMA_DRAFT } from "../formats/json-schema-value.ts";
import { frame, subjectName } from "../formats/wire.ts";
import type { RecordLine } from "../protocol/parse.ts";
import { streamLabel } from "../protocol/parse.ts";
import { type SubjectSchema, subjectSchema } from "../registry/subject-schema.ts";
import { fieldKey, keyFieldValues } from "./message-key.ts";
import type { StreamValuesOptions } from "./registry-values.ts";

export interface StreamKeys {
  readonly schema: SubjectSchema;
  /** The framed key of `record`, whose `_airbyte_ab_id` is `id`. */
  encode(record: RecordLine, id: string): Buffer;
}

export interface StreamKeysOptions extends StreamValuesOptions {
  /** The key fields (message_key primary_key or fields); undefined for the uuid key. */
  keyPaths: string[][] | undefined;
}

export function streamKeys(options: StreamKeysOptions): StreamKeys {
  const { stream, keyPaths } = options;
  const label = streamLabel(stream);
  const envelope = envelopeName(stream);
  const name = `${envelope.name}_key`;
  const fullName = `${envelope.fullName}_key`;
  const idField = options.layout === "airbyte_v2" ? V2_FIELDS.rawId : ENVELOPE_FIELDS.id;
  const shape = keyShape(options.jsonSchema, keyPaths, name, envelope.namespace, envelope.fullName, idField);
  const subject = subjectName(options.strategy, { topic: options.topic, recordName: fullName, isKey: true });
  const values = (record: RecordLine, id: string): unknown[] => {
    if (keyPaths === undefined) return [id];
    const found = keyFieldValues(record.data, keyPaths);
    if (typeof found === "string") {
      throw new ConnectorError(
        `A record of stream ${label} has no message key: ${found}.`,
        "system_error",
        RECORD_DOES_NOT_FIT,
      );
    }
    return found;
  };
  if (options.format === "avro") {
    const { fields } = recordSchema(shape);
    const schema = {
      ...recordSchema(shape),
      fields: fields.filter((field) => field.name !== ADDITIONAL_PROPERTIES_FIELD),
    };
    const type = avroType(schema);
    const registered = subjectSchema(options.registry, subject, "AVRO", schema);
    return {
      schema: registered,
      encode(record, id) {
        const data: Record<string, unknown> = Object.create(null);
        values(record, id).forEach((value, i) => {
          data[shape.fields[i]?.source ?? ""] = value;
        });
        return encodeFramed(type, idOf(registered), avroData(shape, data, label));
      },
    };
  }
  const types = shape.fields.map((field) => jsonSchemaOf(field.type));
  const document = {
    $schema: JSON_SCHEMA_DRAFT,
    title: fullName,
    ...(keyPaths === undefined
      ? { type: "string", format: "uuid" }
      : types.length === 1
        ? types[0]
        : { type: "array", items: types, minItems: types.length, maxItems: types.length }),
  };
  const registered = subjectSchema(options.registry, subject, "JSON", document);
  return {
    schema: registered,
    encode(record, id) {
      if (keyPaths === undefined) return frame(idOf(registered), Buffer.from(JSON.stringify(id)));
      values(record, id);
      return frame(idOf(registered), fieldKey(record.data, keyPaths, "json") as Buffer);
    },
  };
}

// --- internal ---

const UUID: UnionShape = { branches: [{ kind: "null" }, { kind: "string" }] };
const ANY: UnionShape = { branches: [{ kind: "null" }, { kind: "json" }] };

function idOf(schema: SubjectSchema): number {
  if (schema.schemaId === undefined)
    throw new Error(`the schema of subject ${schema.subject} is not registered yet`);
  return schema.schemaId;
}

/** The key record: one field per key path, typed as that field is in the stream's data record. */
function keyShape(
  jsonSchema: unknown,
  keyPaths: string[][] | undefined,
  name: string,
  namespace: string | undefined,
  envelopeFullName: string,
  idField: string,
): RecordShape {
  const fullName = namespace === undefined ? name : `${namespace}.${name}`;
  let fields: FieldShape[];
  if (keyPaths === undefined) {
    fields = [{ name: idField, source: idField, type: UUID }];
  } else {
    const data = dataRecordShape(jsonSchema, ENVELOPE_FIELDS.data, envelopeFullName);
    const names = uniqueAvroNames(
      keyPaths.map((path) => path.join("_")),
      new Set([ADDITIONAL_PROPERTIES_FIELD]),
    );
    fields = keyPaths.map((path, i) => ({
      name: names[i] ?? "_",
      source: path.join("."),
      type: fieldAt(data, path),
    }));
  }
  return {
    kind: "record",
    name,
    namespace,
    fullName,
    fields,
    bySource: new Map(fields.map((f) => [f.source, f])),
  };
}

function fieldAt(record: RecordShape, path: string[]): UnionShape {
  let current: RecordShape | undefined = record;
  let type: UnionShape = ANY;
  for (const part of path) {
    const field: FieldShape | undefined = current?.bySource.get(part);
    if (field === undefined) return ANY;
    type = field.type;
    current = field.type.branches.find((branch): branch is RecordShape => branch.kind === "record");
  }
  return type;
}

/** A key field's JSON Schema, from its Avro shape (a key field is never null). */
function jsonSchemaOf(union: UnionShape): Record<string, unknown> {
  const branches = union.branches.filter((branch) => branch.kind !== "null").map(branchJsonSchema);
  return branches.length === 1 ? (branches[0] ?? {}) : { anyOf: branches };
}

function branchJsonSchema(shape: Shape): Record<string, unknown> {
  switch (shape.kind) {
    case "long":
      return { type: "integer" };
    case "double":
      return { type: "number" };
    case "boolean":
    case "string":
    case "null":
      return { type: shape.kind };
    case "date":
      return { type: "string", format: "date" };
    case "time":
      return { type: "string", format: "time" };
    case "timestamp":
      return { type: "string", format: "date-time" };
    case "json":
      return {};
    case "array":
      return { type: "array" };
    case "record":
      return { type: "object" };
  }
}
