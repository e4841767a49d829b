/**
 * A stream's `json_schema` → the shape of its Avro data record: which Avro type each property
 * becomes, under which Avro name. This is where the mapping rules live (the table is in
 * avro-schema.ts, which turns a shape into an Avro schema; avro-value.ts fits record data to it).
 * Derived once per stream, never per record.
 *
 * Every field is a union whose first branch is `null`. A union never holds two branches Avro
 * would refuse (two of the same unnamed type): objects merge into one record, arrays into one
 * array, and `time`/`date-time` strings that would share `long` with each other or with an
 * integer fall back to a plain string branch.
 */

import { isObject } from "../is-object.ts";
import { uniqueAvroNames } from "./avro-names.ts";
import { isWellKnownRef, type WellKnownType, wellKnownType } from "./well-known-types.ts";

/** A branch without structure: `json` is an Avro string holding untyped data (see avro-value.ts). */
export type ScalarKind =
  | "null"
  | "boolean"
  | "long"
  | "double"
  | "string"
  | "json"
  | "date"
  | "time"
  | "timestamp";

export interface ScalarShape {
  readonly kind: ScalarKind;
}

export interface ArrayShape {
  readonly kind: "array";
  readonly items: UnionShape;
}

export interface RecordShape {
  readonly kind: "record";
  readonly name: string;
  readonly namespace: string | undefined;
  /** `namespace.name`: what Avro, wrapped unions and the `record` subject strategies call it. */
  readonly fullName: string;
  /** The declared properties, in the schema's order. Undeclared ones go to the extras map. */
  readonly fields: readonly FieldShape[];
  /** Field by its JSON property name. */
  readonly bySource: ReadonlyMap<string, FieldShape>;
}

export interface FieldShape {
  /** The Avro field name. */
  readonly name: string;
  /** The JSON property name (the original). */
  readonly source: string;
  readonly type: UnionShape;
}

export type Shape = ScalarShape | ArrayShape | RecordShape;

/** A nullable union: `branches[0]` is always `null`; a lone `null` is Avro's plain `null`. */
export interface UnionShape {
  readonly branches: readonly Shape[];
}

/** Name of the map field every record gets for the properties its schema does not declare. */
export const ADDITIONAL_PROPERTIES_FIELD = "_airbyte_additional_properties";

/**
 * The data record for a stream's `json_schema`, named `name` in `namespace`. Its declared
 * properties come from the root schema's object alternatives (merged, if several); a root without
 * properties gives a record whose data all goes to the extras map.
 */
export function dataRecordShape(
  jsonSchema: unknown,
  name: string,
  namespace: string | undefined,
): RecordShape {
  const context: Context = { root: jsonSchema, usedNames: new Set(), fieldsLeft: MAX_FIELDS };
  const objects = alternatives({ schema: jsonSchema, refs: [], depth: 0 }, context).filter(
    (alternative): alternative is ObjectAlternative => alternative.kind === "object",
  );
  return recordShape(objects, name, namespace, context);
}

// --- internal ---

/** Nested deeper than this, a value is written as JSON text. */
const MAX_DEPTH = 32;

/** Past this many fields in one schema (a `$ref` graph can multiply), the rest are JSON text. */
const MAX_FIELDS = 10_000;

type JsonObject = { readonly [key: string]: unknown };

interface Context {
  readonly root: unknown;
  /** Full names of the records made so far (Avro full names must be unique). */
  readonly usedNames: Set<string>;
  /** Fields that may still be made (see MAX_FIELDS). */
  fieldsLeft: number;
}

/**
 * A subschema where it sits: the `$ref`s followed to reach it (one of them again is a cycle, which
 * becomes JSON text) and its nesting depth in the data.
 */
interface Located {
  readonly schema: unknown;
  readonly refs: readonly string[];
  readonly depth: number;
}

interface ObjectAlternative {
  readonly kind: "object";
  readonly properties: ReadonlyArray<readonly [string, Located]>;
}

interface ArrayAlternative {
  readonly kind: "array";
  readonly items: readonly Located[];
}

type Alternative = ScalarShape | ObjectAlternative | ArrayAlternative;

const JSON_TEXT: ScalarShape = { kind: "json" };
const NULL: ScalarShape = { kind: "null" };
const RESERVED_FIELDS: ReadonlySet<string> = new Set([ADDITIONAL_PROPERTIES_FIELD]);

/** Airbyte's well-known types (`WellKnownTypes.json#/definitions/<name>`). */
const WELL_KNOWN: Readonly<Record<WellKnownType, ScalarKind>> = {
  String: "string",
  BinaryData: "string",
  Boolean: "boolean",
  Date: "date",
  TimestampWithTimezone: "timestamp",
  TimestampWithoutTimezone: "timestamp",
  TimeWithTimezone: "time",
  TimeWithoutTimezone: "time",
  Number: "double",
  Integer: "long",
};

/** Keywords that make a schema more than "anything goes". */
const TYPING_KEYWORDS = [
  "type",
  "properties",
  "items",
  "prefixItems",
  "format",
  "enum",
  "const",
  "$ref",
  "oneOf",
  "anyOf",
  "allOf",
  "airbyte_type",
];

/** The alternatives a schema allows (a union of them), before merging. */
function alternatives(at: Located, context: Context): Alternative[] {
  const { schema, refs, depth } = at;
  if (schema === false) return [];
  if (!isObject(schema) || depth > MAX_DEPTH) return [JSON_TEXT];
  if (typeof schema.$ref === "string") return referenced(schema.$ref, at, context);
  if (Array.isArray(schema.allOf)) {
    const { allOf, ...rest } = schema;
    const merged = allOf.reduce<JsonObject>(
      (into, part) => mergeSchemas(into, resolved(part, refs, context)),
      rest,
    );
    return alternatives({ schema: merged, refs, depth }, context);
  }
  const branches = [
    ...(Array.isArray(schema.oneOf) ? schema.oneOf : []),
    ...(Array.isArray(schema.anyOf) ? schema.anyOf : []),
  ];
  if (branches.length > 0) {
    const { oneOf: _oneOf, anyOf: _anyOf, ...base } = schema;
    return branches.flatMap((branch) =>
      alternatives({ schema: mergeSchemas(base, resolved(branch, refs, context)), refs, depth }, context),
    );
  }
  if (!TYPING_KEYWORDS.some((keyword) => keyword in schema)) return [JSON_TEXT];
  return declaredTypes(schema).flatMap((type) => typeAlternatives(type, schema, refs, depth));
}

/** Alternatives of a `$ref`: a pointer into the stream's schema, or one of Airbyte's well-known types. */
function referenced(ref: string, at: Located, context: Context): Alternative[] {
  if (isWellKnownRef(ref)) {
    const known = wellKnownType(ref);
    return [known === undefined ? JSON_TEXT : { kind: WELL_KNOWN[known] }];
  }
  const target = pointer(context.root, ref);
  if (target === undefined || at.refs.includes(ref)) return [JSON_TEXT];
  return alternatives({ schema: target, refs: [...at.refs, ref], depth: at.depth }, context);
}

/**
 * A combinator's subschema with a local `$ref` followed, for merging into the keywords around it
 * (`{}` when it points nowhere or back into a cycle). Well-known refs stay refs.
 */
function resolved(schema: unknown, refs: readonly string[], context: Context): JsonObject {
  if (!isObject(schema)) return schema === false ? { type: [] } : {};
  if (typeof schema.$ref !== "string" || isWellKnownRef(schema.$ref)) return schema;
  const target = pointer(context.root, schema.$ref);
  return isObject(target) && !refs.includes(schema.$ref)
    ? resolved(target, [...refs, schema.$ref], context)
    : {};
}

/** `#/definitions/a~1b` in `root`; undefined when it points nowhere or outside the document. */
function pointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith("#")) return undefined;
  const path = ref.slice(1);
  if (path === "") return root;
  if (!path.startsWith("/")) return undefined;
  let node: unknown = root;
  for (const raw of path.slice(1).split("/")) {
    let token: string;
    try {
      token = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    } catch {
      return undefined;
    }
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else return undefined;
  }
  return node;
}

/**
 * `base` with `extra`'s keywords on top (allOf parts, or oneOf/anyOf branches with the keywords
 * around them): properties are merged (a property in both must satisfy both), types intersected.
 */
function mergeSchemas(base: JsonObject, extra: JsonObject): JsonObject {
  const merged: Record<string, unknown> = { ...base, ...extra };
  if (isObject(base.properties) && isObject(extra.properties)) {
    const properties: Record<string, unknown> = { ...base.properties };
    for (const [name, schema] of Object.entries(extra.properties)) {
      properties[name] = Object.hasOwn(properties, name) ? { allOf: [properties[name], schema] } : schema;
    }
    merged.properties = properties;
  }
  if (isObject(base.items) && isObject(extra.items)) merged.items = { allOf: [base.items, extra.items] };
  if ("type" in base && "type" in extra) {
    const common = intersectTypes(typeList(base.type), typeList(extra.type));
    merged.type = common.length > 0 ? common : extra.type;
  }
  return merged;
}

function typeList(type: unknown): string[] {
  if (typeof type === "string") return [type];
  return Array.isArray(type) ? type.filter((t): t is string => typeof t === "string") : [];
}

function intersectTypes(a: readonly string[], b: readonly string[]): string[] {
  const common = a.filter((t) => b.includes(t));
  // Every integer is a number.
  const integer =
    (a.includes("integer") && b.includes("number")) || (b.includes("integer") && a.includes("number"));
  if (integer && !common.includes("integer")) common.push("integer");
  return common;
}

/** The JSON types a (combinator-free) schema allows, inferred when `type` is absent. */
function declaredTypes(schema: JsonObject): string[] {
  if (Array.isArray(schema.type) && schema.type.length === 0) return [];
  const declared = typeList(schema.type);
  if (declared.length > 0) return declared;
  if ("properties" in schema) return ["object"];
  if ("items" in schema || "prefixItems" in schema) return ["array"];
  if (typeof schema.format === "string" || typeof schema.airbyte_type === "string") return ["string"];
  const values = Array.isArray(schema.enum) ? schema.enum : "const" in schema ? [schema.const] : [];
  const inferred = new Set(values.map(jsonTypeOf));
  return inferred.size > 0 ? [...inferred] : ["any"];
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (typeof value === "bigint") return "integer";
  return typeof value === "object" ? "object" : typeof value;
}

function typeAlternatives(
  type: string,
  schema: JsonObject,
  refs: readonly string[],
  depth: number,
): Alternative[] {
  const child = (sub: unknown): Located => ({ schema: sub, refs, depth: depth + 1 });
  switch (type) {
    case "null":
      return [NULL];
    case "boolean":
      return [{ kind: "boolean" }];
    case "integer":
      return [{ kind: "long" }];
    case "number":
      return [{ kind: schema.airbyte_type === "integer" ? "long" : "double" }];
    case "string":
      return [{ kind: stringKind(schema) }];
    case "object": {
      const properties = isObject(schema.properties) ? Object.entries(schema.properties) : [];
      if (properties.length === 0) return [JSON_TEXT];
      return [{ kind: "object", properties: properties.map(([name, sub]) => [name, child(sub)] as const) }];
    }
    case "array": {
      const tuple = Array.isArray(schema.prefixItems)
        ? schema.prefixItems
        : Array.isArray(schema.items)
          ? schema.items
          : undefined;
      if (tuple !== undefined) {
        return tuple.length > 0 ? [{ kind: "array", items: tuple.map(child) }] : [JSON_TEXT];
      }
      return schema.items === undefined ? [JSON_TEXT] : [{ kind: "array", items: [child(schema.items)] }];
    }
    default:
      return [JSON_TEXT];
  }
}

function stringKind(schema: JsonObject): ScalarKind {
  switch (schema.format) {
    case "date":
      return "date";
    case "time":
      return "time";
    case "date-time":
      return "timestamp";
  }
  switch (schema.airbyte_type) {
    case "timestamp_with_timezone":
    case "timestamp_without_timezone":
      return "timestamp";
    case "time_with_timezone":
    case "time_without_timezone":
      return "time";
  }
  return "string";
}

/**
 * The union for a field with schemas `schemas` (several when objects merged). A record or array
 * in it is named `name`, in `namespace` (the enclosing record's full name).
 */
function unionShape(
  schemas: readonly Located[],
  name: string,
  namespace: string,
  context: Context,
): UnionShape {
  if (--context.fieldsLeft < 0) return { branches: [NULL, JSON_TEXT] };
  const all = schemas.flatMap((at) => alternatives(at, context));
  if (all.some((alternative) => alternative.kind === "json")) return { branches: [NULL, JSON_TEXT] };

  // Branch order: null first, then each kind where it first appears.
  const order: string[] = [];
  const objects: ObjectAlternative[] = [];
  const items: Located[] = [];
  for (const alternative of all) {
    const key = alternative.kind === "object" ? "record" : alternative.kind;
    if (alternative.kind === "object") objects.push(alternative);
    if (alternative.kind === "array") items.push(...alternative.items);
    if (key !== "null" && !order.includes(key)) order.push(key);
  }
  // Avro allows one `long` branch: an integer keeps it; time and date-time strings become strings.
  const longs = ["long", "time", "timestamp"].filter((kind) => order.includes(kind));
  if (longs.length > 1) {
    for (const kind of longs) {
      if (kind === "long") continue;
      const at = order.indexOf(kind);
      if (order.includes("string")) order.splice(at, 1);
      else order[at] = "string";
    }
  }

  const branches: Shape[] = [NULL];
  for (const key of order) {
    if (key === "record") branches.push(recordShape(objects, name, namespace, context));
    else if (key === "array")
      branches.push({ kind: "array", items: unionShape(items, name, namespace, context) });
    else branches.push({ kind: key as ScalarKind });
  }
  return { branches };
}

/** One record from object alternatives: their properties merged, each property's schemas united. */
function recordShape(
  objects: readonly ObjectAlternative[],
  name: string,
  namespace: string | undefined,
  context: Context,
): RecordShape {
  const prefix = namespace === undefined ? "" : `${namespace}.`;
  let unique = name;
  for (let n = 2; context.usedNames.has(`${prefix}${unique}`); n++) unique = `${name}_${n}`;
  const fullName = `${prefix}${unique}`;
  context.usedNames.add(fullName);

  const byProperty = new Map<string, Located[]>();
  for (const object of objects) {
    for (const [property, at] of object.properties) {
      const list = byProperty.get(property);
      if (list) list.push(at);
      else byProperty.set(property, [at]);
    }
  }
  const sources = [...byProperty.keys()];
  const names = uniqueAvroNames(sources, RESERVED_FIELDS);
  const fields = sources.map((source, i): FieldShape => {
    const fieldName = names[i] ?? source;
    return {
      name: fieldName,
      source,
      type: unionShape(byProperty.get(source) ?? [], fieldName, fullName, context),
    };
  });
  return {
    kind: "record",
    name: unique,
    namespace,
    fullName,
    fields,
    bySource: new Map(fields.map((field) => [field.source, field])),
  };
}
