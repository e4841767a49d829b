/**
 * Airbyte's well-known types: schemas may say `{"$ref": "WellKnownTypes.json#/definitions/Integer"}`
 * instead of `{"type": "integer"}` (protocol v1). The names, and how to spot such a `$ref`; each
 * format maps them its own way (avro-shape.ts, json-schema-value.ts).
 */

export type WellKnownType =
  | "String"
  | "BinaryData"
  | "Boolean"
  | "Date"
  | "TimestampWithTimezone"
  | "TimestampWithoutTimezone"
  | "TimeWithTimezone"
  | "TimeWithoutTimezone"
  | "Number"
  | "Integer";

/** True when `ref` points into WellKnownTypes.json (known name or not). */
export function isWellKnownRef(ref: string): boolean {
  return WELL_KNOWN_REF.test(ref);
}

/** The well-known type `ref` names, or undefined (not such a ref, or a name this version does not know). */
export function wellKnownType(ref: string): WellKnownType | undefined {
  const name = WELL_KNOWN_REF.exec(ref)?.[1];
  return name !== undefined && (NAMES as readonly string[]).includes(name)
    ? (name as WellKnownType)
    : undefined;
}

// --- internal ---

const WELL_KNOWN_REF = /(?:^|\/)WellKnownTypes\.json#\/definitions\/([A-Za-z]+)$/;

const NAMES: readonly WellKnownType[] = [
  "String",
  "BinaryData",
  "Boolean",
  "Date",
  "TimestampWithTimezone",
  "TimestampWithoutTimezone",
  "TimeWithTimezone",
  "TimeWithoutTimezone",
  "Number",
  "Integer",
];
