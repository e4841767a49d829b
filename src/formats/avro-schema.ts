/**
 * A stream → the Avro schema of the messages the connector writes for it (a plain JSON object, as
 * a registry takes it): the reference envelope, with the record data as a nested record derived
 * from the stream's `json_schema` by Airbyte's "JSON to Avro Conversion for Blob Storage
 * Destinations" rules (docs.airbyte.com/understanding-airbyte/json-avro-conversion).
 *
 *   {"type":"record","name":<stream>,"namespace":<stream namespace>,"fields":[
 *     {"name":"_airbyte_ab_id","type":{"type":"string","logicalType":"uuid"}},
 *     {"name":"_airbyte_stream","type":"string"},
 *     {"name":"_airbyte_emitted_at","type":{"type":"long","logicalType":"timestamp-millis"}},
 *     {"name":"_airbyte_data","type":{"type":"record","name":"_airbyte_data","namespace":<ns>.<stream>,…}}]}
 *
 * What each JSON Schema construct becomes (every field is `["null", T]` with default null):
 *
 * | JSON Schema                                   | Avro                                                     |
 * |-----------------------------------------------|----------------------------------------------------------|
 * | `string`                                      | `string`                                                 |
 * | `string` + `format: date`                     | `int`, logicalType `date` (days since 1970-01-01)        |
 * | `string` + `format: time` (or `airbyte_type: time_with[out]_timezone`) | `long`, `time-micros` (UTC when an offset is given) |
 * | `string` + `format: date-time` (or `airbyte_type: timestamp_with[out]_timezone`) | `long`, `timestamp-micros` (no offset: UTC) |
 * | other `format`s, `pattern`, `enum`, `const`, lengths | the base type; the restriction is not expressed    |
 * | `number`                                      | `double`                                                 |
 * | `integer`, or `number` + `airbyte_type: integer` | `long`                                                |
 * | `boolean`                                     | `boolean`                                                |
 * | `null`                                        | `null` (the field's type is plain `null`)                |
 * | `object` with `properties`                    | `record` named after the field, namespace = the enclosing record's full name; plus `_airbyte_additional_properties` |
 * | properties not declared (any `additionalProperties`, `patternProperties`) | entries of `_airbyte_additional_properties`: `["null", {"type":"map","values":"string"}]`, strings as they are, other values as JSON text (Airbyte's legacy rule; its current doc drops them) |
 * | `object` without `properties` (untyped object)| `string` holding the object as JSON text                 |
 * | `array` with `items`                          | `array` of `["null", T]`                                 |
 * | `array` with `items: [A, B]` / `prefixItems`  | `array` of the union of A and B (position not expressed) |
 * | `array` without `items` (untyped array)       | `string` holding the array as JSON text                  |
 * | no type at all (`{}`, `true`, only annotations) | `string`: strings as they are, anything else as JSON text |
 * | `type: [A, B]`, `oneOf`, `anyOf`              | union of A and B; object branches merge into one record, array branches into one array (their items united) |
 * | `allOf`                                       | its parts merged into one schema (properties united, types intersected), then as above |
 * | a union with an untyped branch                | `string` (JSON text): it may hold anything               |
 * | `time` or `date-time` beside `integer`, or both together | the integer keeps `long`; the others become `string` (Avro allows one `long` per union) |
 * | `$ref` to `#/…` in the stream's schema        | the schema it points to; a cycle becomes `string` (JSON text) at the repeat |
 * | `$ref` to Airbyte's `WellKnownTypes.json#/definitions/…` | String/BinaryData `string`, Boolean, Date, Timestamp*, Time*, Number `double`, Integer `long` |
 * | other `$ref`s, `not`, `if`/`then`/`else`, `dependencies` | not expressed (an unresolvable `$ref` is untyped)   |
 * | names outside `[A-Za-z0-9_]` or starting with a digit | sanitized (avro-names.ts); the original in `doc` as `_airbyte_original_name:<name>`; collisions suffixed `_2`, `_3`… |
 * | nested deeper than 32 levels, or fields past the 10,000th | `string` (JSON text)                          |
 *
 * Where Airbyte's doc has changed over time, this follows the current one (integer → `long`,
 * untyped objects and arrays → JSON text, logical types as `["null", logical]` without a string
 * fallback) except for undeclared properties, kept in the legacy doc's map rather than dropped, so
 * no data is lost. A value the schema cannot hold is not nulled (the doc's `_airbyte_meta.changes`
 * has no place in this envelope): the record fails, see avro-value.ts.
 */
import { avroName, avroNamespace, ORIGINAL_NAME_DOC_PREFIX } from "./avro-names.ts";
import {
  ADDITIONAL_PROPERTIES_FIELD,
  dataRecordShape,
  type RecordShape,
  type Shape,
  type UnionShape,
} from "./avro-shape.ts";

/** An Avro schema as plain JSON. */
export type AvroSchema = string | AvroSchemaObject | AvroSchema[];

export interface AvroSchemaObject {
  readonly type: AvroSchema;
  readonly [attribute: string]: unknown;
}

export interface AvroField {
  readonly name: string;
  readonly type: AvroSchema;
  readonly default?: null;
  readonly doc?: string;
}

export interface AvroRecordSchema extends AvroSchemaObject {
  readonly type: "record";
  readonly name: string;
  readonly namespace?: string;
  readonly doc?: string;
  readonly fields: readonly AvroField[];
}

/** The stream a schema is derived for (as in the configured catalog). */
export interface StreamDescription {
  readonly name: string;
  readonly namespace?: string | undefined;
  readonly jsonSchema: unknown;
}

/** Everything the connector needs to write a stream in Avro, derived once per stream. */
export interface StreamAvro {
  /** The envelope record's schema (what is registered). */
  readonly schema: AvroRecordSchema;
  /** The envelope record's full name (`namespace.name`), for the `record` subject strategies. */
  readonly fullName: string;
  /** The shape of `_airbyte_data`, which avro-value.ts fits record data to. */
  readonly data: RecordShape;
}

/** Names of the envelope's fields (the reference JSON layout's keys). */
export const ENVELOPE_FIELDS = {
  id: "_airbyte_ab_id",
  stream: "_airbyte_stream",
  emittedAt: "_airbyte_emitted_at",
  data: "_airbyte_data",
} as const;

/**
 * The message layouts (config `message_layout`): the Java connector's envelope above, or Airbyte's
 * Destinations V2 one, whose fields besides `_airbyte_data` are these.
 */
export type MessageLayout = "airbyte_v1" | "airbyte_v2";
export const V2_FIELDS = {
  rawId: "_airbyte_raw_id",
  extractedAt: "_airbyte_extracted_at",
  meta: "_airbyte_meta",
  generationId: "_airbyte_generation_id",
} as const;

/** The envelope record's name and namespace for a stream (shared with the JSON Schema `title`). */
export function envelopeName(stream: Pick<StreamDescription, "name" | "namespace">): {
  name: string;
  namespace: string | undefined;
  fullName: string;
} {
  const name = avroName(stream.name);
  const namespace = avroNamespace(stream.namespace);
  return { name, namespace, fullName: namespace === undefined ? name : `${namespace}.${name}` };
}

/**
 * The Avro schema and data shape for `stream`. With the V2 layout the envelope is
 * `_airbyte_raw_id` (uuid), `_airbyte_extracted_at` (timestamp-millis), `_airbyte_meta` (a record
 * of `sync_id` and `changes`, each change a record of nullable strings `field`, `change`,
 * `reason`), `_airbyte_generation_id` (nullable long) and `_airbyte_data`.
 */
export function streamAvro(stream: StreamDescription, layout: MessageLayout = "airbyte_v1"): StreamAvro {
  const { name, namespace, fullName } = envelopeName(stream);
  const data = dataRecordShape(stream.jsonSchema, ENVELOPE_FIELDS.data, fullName);
  const uuid = { type: "string", logicalType: "uuid" };
  const millis = { type: "long", logicalType: "timestamp-millis" };
  const envelope: AvroField[] =
    layout === "airbyte_v2"
      ? [
          { name: V2_FIELDS.rawId, type: uuid },
          { name: V2_FIELDS.extractedAt, type: millis },
          { name: V2_FIELDS.meta, type: metaSchema(fullName) },
          { name: V2_FIELDS.generationId, type: ["null", "long"], default: null },
        ]
      : [
          { name: ENVELOPE_FIELDS.id, type: uuid },
          { name: ENVELOPE_FIELDS.stream, type: "string" },
          { name: ENVELOPE_FIELDS.emittedAt, type: millis },
        ];
  const schema: AvroRecordSchema = {
    type: "record",
    name,
    ...(namespace === undefined ? {} : { namespace }),
    ...(name === stream.name ? {} : { doc: `${ORIGINAL_NAME_DOC_PREFIX}${stream.name}` }),
    fields: [...envelope, { name: ENVELOPE_FIELDS.data, type: recordSchema(data) }],
  };
  return { schema, fullName, data };
}

/** The Avro schema of a record shape (its extras map field last). */
export function recordSchema(record: RecordShape): AvroRecordSchema {
  return {
    type: "record",
    name: record.name,
    ...(record.namespace === undefined ? {} : { namespace: record.namespace }),
    fields: [
      ...record.fields.map(
        (field): AvroField => ({
          name: field.name,
          type: unionSchema(field.type),
          default: null,
          ...(field.name === field.source ? {} : { doc: `${ORIGINAL_NAME_DOC_PREFIX}${field.source}` }),
        }),
      ),
      { name: ADDITIONAL_PROPERTIES_FIELD, type: ["null", { type: "map", values: "string" }], default: null },
    ],
  };
}

// --- internal ---

/** `_airbyte_meta` of the V2 envelope, named inside the envelope record's namespace. */
function metaSchema(envelopeFullName: string): AvroRecordSchema {
  const text = (name: string): AvroField => ({ name, type: ["null", "string"], default: null });
  return {
    type: "record",
    name: V2_FIELDS.meta,
    namespace: envelopeFullName,
    fields: [
      { name: "sync_id", type: ["null", "long"], default: null },
      {
        name: "changes",
        type: {
          type: "array",
          items: {
            type: "record",
            name: "change",
            namespace: `${envelopeFullName}.${V2_FIELDS.meta}`,
            fields: [text("field"), text("change"), text("reason")],
          },
        },
      },
    ],
  };
}

function unionSchema(union: UnionShape): AvroSchema {
  const branches = union.branches.map(branchSchema);
  return branches.length === 1 ? "null" : branches;
}

function branchSchema(shape: Shape): AvroSchema {
  switch (shape.kind) {
    case "null":
    case "boolean":
    case "long":
    case "double":
    case "string":
      return shape.kind;
    case "json":
      return "string";
    case "date":
      return { type: "int", logicalType: "date" };
    case "time":
      return { type: "long", logicalType: "time-micros" };
    case "timestamp":
      return { type: "long", logicalType: "timestamp-micros" };
    case "array":
      return { type: "array", items: unionSchema(shape.items) };
    case "record":
      return recordSchema(shape);
  }
}
