/**
 * The JSON Schema (draft-07) registered for a stream when values are written as `json_schema`:
 * the reference envelope, with the stream's own `json_schema` as `_airbyte_data`. The payload
 * stays the record's JSON text; this document only describes it. Its `title` is the same full name
 * as the Avro envelope record's, so the `record` and `topic_record` subject strategies give the
 * same subjects for both formats.
 *
 * The stream's schema is moved, not copied verbatim: its own `$schema` and `$id` go (they would
 * change how the nested document is read), local `$ref`s (`#/definitions/x`) are re-rooted under
 * `#/properties/_airbyte_data`, and `$ref`s to Airbyte's `WellKnownTypes.json` (which a registry
 * cannot resolve) are replaced by the plain JSON Schema they stand for.
 */

import { isObject } from "../is-object.ts";
import {
  ENVELOPE_FIELDS,
  envelopeName,
  type MessageLayout,
  type StreamDescription,
  V2_FIELDS,
} from "./avro-schema.ts";
import { isWellKnownRef, type WellKnownType, wellKnownType } from "./well-known-types.ts";

export const JSON_SCHEMA_DRAFT = "http://json-schema.org/draft-07/schema#";

export type JsonSchemaDocument = { readonly [keyword: string]: unknown };

/** The envelope schema for `stream`, in the Java connector's layout or Destinations V2's. */
export function jsonSchemaForStream(
  stream: StreamDescription,
  layout: MessageLayout = "airbyte_v1",
): JsonSchemaDocument {
  const envelope: Record<string, unknown> =
    layout === "airbyte_v2"
      ? {
          [V2_FIELDS.rawId]: { type: "string", format: "uuid" },
          [V2_FIELDS.extractedAt]: { type: "integer" },
          [V2_FIELDS.meta]: V2_META,
          [V2_FIELDS.generationId]: { type: ["integer", "null"] },
        }
      : {
          [ENVELOPE_FIELDS.id]: { type: "string" },
          [ENVELOPE_FIELDS.stream]: { type: "string" },
          [ENVELOPE_FIELDS.emittedAt]: { type: "integer" },
        };
  return {
    $schema: JSON_SCHEMA_DRAFT,
    title: envelopeName(stream).fullName,
    type: "object",
    properties: { ...envelope, [ENVELOPE_FIELDS.data]: nestedDataSchema(stream.jsonSchema) },
    required: [...Object.keys(envelope), ENVELOPE_FIELDS.data],
    additionalProperties: false,
  };
}

// --- internal ---

/** `_airbyte_meta` of the V2 envelope: the sync's id and the changes the source made to the record. */
const V2_META: JsonSchemaDocument = {
  type: "object",
  properties: {
    sync_id: { type: ["integer", "null"] },
    changes: {
      type: "array",
      items: {
        type: "object",
        properties: { field: { type: "string" }, change: { type: "string" }, reason: { type: "string" } },
      },
    },
  },
  required: ["sync_id", "changes"],
};

const DATA_POINTER = "#/properties/_airbyte_data";

/** Airbyte's well-known types as plain draft-07 schemas. */
const WELL_KNOWN: Readonly<Record<WellKnownType, JsonSchemaDocument>> = {
  String: { type: "string" },
  BinaryData: { type: "string", contentEncoding: "base64" },
  Boolean: { type: "boolean" },
  Date: { type: "string", format: "date" },
  TimestampWithTimezone: { type: "string", format: "date-time" },
  TimestampWithoutTimezone: { type: "string", format: "date-time" },
  TimeWithTimezone: { type: "string", format: "time" },
  TimeWithoutTimezone: { type: "string", format: "time" },
  Number: { type: "number" },
  Integer: { type: "integer" },
};

/** Keywords whose value is one subschema. */
const SCHEMA_KEYWORDS = [
  "additionalProperties",
  "additionalItems",
  "contains",
  "propertyNames",
  "not",
  "if",
  "then",
  "else",
  "items",
];

/** Keywords whose value is an array of subschemas. */
const SCHEMA_LIST_KEYWORDS = ["allOf", "anyOf", "oneOf", "items", "prefixItems"];

/** Keywords whose value maps names to subschemas. */
const SCHEMA_MAP_KEYWORDS = ["properties", "patternProperties", "definitions", "$defs", "dependencies"];

function nestedDataSchema(schema: unknown): unknown {
  if (schema === true || schema === undefined || (isObject(schema) && Object.keys(schema).length === 0)) {
    return { type: "object" };
  }
  if (!isObject(schema)) return schema;
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rewrite(rest);
}

/** A copy of `schema` with its `$ref`s re-rooted or inlined; only schema positions are walked. */
function rewrite(schema: unknown): unknown {
  if (!isObject(schema)) return schema;
  const ref = schema.$ref;
  if (typeof ref === "string") {
    if (isWellKnownRef(ref)) {
      // A well-known type this version does not know stays unconstrained rather than unresolvable.
      const known = wellKnownType(ref);
      const { $ref: _ref, ...siblings } = schema;
      return { ...rewriteChildren(siblings), ...(known === undefined ? {} : WELL_KNOWN[known]) };
    }
    if (ref.startsWith("#")) {
      return { ...rewriteChildren(schema), $ref: `${DATA_POINTER}${ref.slice(1)}` };
    }
  }
  return rewriteChildren(schema);
}

function rewriteChildren(schema: JsonSchemaDocument): JsonSchemaDocument {
  const out: Record<string, unknown> = { ...schema };
  for (const keyword of SCHEMA_KEYWORDS) {
    if (isObject(schema[keyword])) out[keyword] = rewrite(schema[keyword]);
  }
  for (const keyword of SCHEMA_LIST_KEYWORDS) {
    const list = schema[keyword];
    if (Array.isArray(list)) out[keyword] = list.map(rewrite);
  }
  for (const keyword of SCHEMA_MAP_KEYWORDS) {
    const map = schema[keyword];
    if (isObject(map)) {
      out[keyword] = Object.fromEntries(
        Object.entries(map).map(([name, sub]) => [name, Array.isArray(sub) ? sub : rewrite(sub)]),
      );
    }
  }
  return out;
}
