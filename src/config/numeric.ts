/**
 * Numeric config fields. The Java connector declares some numbers as strings (`linger_ms: "0"`) and
 * users paste numbers as strings anywhere, so every numeric field accepts a JSON number or a string
 * of digits and comes out as a number. `spec` still shows the reference's declared JSON type.
 */
import * as v from "valibot";

export interface NumericField {
  /** The JSON type `spec` shows for this field, as the reference declares it. */
  type: "integer" | "string";
  default: number;
  min: number;
  max?: number;
  title: string;
  description: string;
  order: number;
}

/** JSON Schema overrides for numeric fields, keyed by the valibot schema object they describe. */
export const numericJsonSchemas = new WeakMap<object, Record<string, unknown>>();

const digits = v.pipe(
  v.string(),
  v.trim(),
  v.regex(/^-?\d+$/, "must be a whole number"),
  v.transform((text) => Number(text)),
);

/** A numeric field; its JSON Schema for `spec` is recorded in `numericJsonSchemas`. */
export function numeric(field: NumericField) {
  const max = field.max ?? Number.MAX_SAFE_INTEGER;
  const input = v.nullish(v.union([v.number("must be a number"), digits], "must be a number"), field.default);
  // to-json-schema stops at the pipe's first schema in input mode: describe the field there.
  numericJsonSchemas.set(input, {
    type: field.type,
    title: field.title,
    description: field.description,
    default: field.type === "string" ? String(field.default) : field.default,
    ...(field.type === "integer"
      ? { minimum: field.min, ...(field.max === undefined ? {} : { maximum: max }) }
      : {}),
    ...(field.type === "string" ? { pattern: "^-?[0-9]+$" } : {}),
    order: field.order,
  });
  return v.pipe(
    input,
    v.number(),
    v.integer("must be a whole number"),
    v.minValue(field.min, `must be at least ${field.min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
}
