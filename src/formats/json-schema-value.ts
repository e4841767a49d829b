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
import { envelopeName, type StreamDescription } from "./avro-schema.ts";
import { isWellKnownRef, type WellKnownType, wellKnownType } from "./well-known-types.ts";

export const JSON_SCHEMA_DRAFT = "http://json-schema.org/draft-07/schema#";

export type JsonSchemaDocument = { readonly [keyword: string]: unknown };

/** The envelope schema for `stream`. */
export function jsonSchemaForStream(stream: StreamDescription): JsonSchemaDocument {
  return {
    $schema: JSON_SCHEMA_DRAFT,
    title: envelopeName(stream).fullName,
    type: "object",
    properties: {
      _airbyte_ab_id: { type: "string" },
      _airbyte_stream: { type: "string" },
      _airbyte_emitted_at: { type: "integer" },
      _airbyte_data: nestedDataSchema(stream.jsonSchema),
    },
    required: ["_airbyte_ab_id", "_airbyte_stream", "_airbyte_emitted_at", "_airbyte_data"],
    additionalProperties: false,
  };
}

// --- internal ---

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
