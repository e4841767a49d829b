/**
 * A record's data (parsed JSON) → the JS value avsc encodes for its stream's Avro schema
 * (avro-schema.ts), built with avro-codec.ts's options:
 *
 * - Unions are wrapped (`{"long": 5}`, `{"<record full name>": {…}}`; null is `null`), so the
 *   branch is chosen here, from the JSON value and the branches, not guessed by the encoder.
 * - `long`s are JS numbers while safe, `bigint`s beyond 2^53 (avro-codec.ts's long type takes
 *   both). JSON.parse would already have rounded such an integer, so a record is first fitted from
 *   a plain parse and, only if it holds an integer beyond 2^53 where the digits matter (a long, or
 *   JSON text), fitted again from a lossless parse (json-lossless.ts). An integer outside the long
 *   range does not fit a long; in a `number` (double) it is the nearest double, like any number.
 * - `date`, `time` and `date-time` strings become days / microseconds (temporal.ts); in a union
 *   the first logical branch that parses wins, then a plain string branch.
 * - Properties the schema does not declare go to `_airbyte_additional_properties`, and untyped
 *   values to their `string` field: strings as they are, anything else as JSON text (the digits of
 *   big integers kept; other numbers as JS prints them, e.g. `1.10` → `1.1`).
 * - Records and maps are objects without a prototype, so a property called `__proto__` is data.
 *
 * A value that does not fit fails with a ConnectorError naming the stream, the field path (JSON
 * property names, `[i]` for array items) and why, never the value.
 */
import { ConnectorError } from "../errors.ts";
import { isObject } from "../is-object.ts";
import { ENVELOPE_FIELDS, V2_FIELDS } from "./avro-schema.ts";
import {
  ADDITIONAL_PROPERTIES_FIELD,
  type ArrayShape,
  type RecordShape,
  type ScalarKind,
  type Shape,
  type UnionShape,
} from "./avro-shape.ts";
import { isUnsafeInteger, parseJsonLossless, stringifyJsonLossless } from "./json-lossless.ts";
import { epochDays, epochMicros, timeMicros } from "./temporal.ts";

/** A value as avsc takes it (wrapped unions, prototype-less records and maps). */
export type AvroValue = null | boolean | number | bigint | string | AvroValue[] | AvroObject;
export interface AvroObject {
  [key: string]: AvroValue;
}

/** `internal` code of the ConnectorError for a record that does not fit its schema. */
export const RECORD_DOES_NOT_FIT = "RECORD_DOES_NOT_FIT";

/** The envelope fields besides the data. */
export interface EnvelopeValues {
  /** `_airbyte_ab_id` (the message key in the reference layout). */
  readonly id: string;
  /** `_airbyte_stream`: the stream's name. */
  readonly stream: string;
  /** `_airbyte_emitted_at`, epoch milliseconds. */
  readonly emittedAt: number;
}

/**
 * The record data `data` (from `JSON.parse`) fitted to `shape`. `lossless` re-parses the same
 * data with parseJsonLossless; it is called only when `data` holds an integer beyond 2^53 where
 * its digits matter. Without it, `data` must come from parseJsonLossless already. `stream` names
 * the stream in errors (e.g. `public.users`).
 */
export function avroData(
  shape: RecordShape,
  data: unknown,
  stream: string,
  lossless?: () => unknown,
): AvroObject {
  try {
    try {
      return fitRecordRoot(shape, data, lossless !== undefined);
    } catch (error) {
      if (error !== NEEDS_LOSSLESS || lossless === undefined) throw error;
      return fitRecordRoot(shape, lossless(), false);
    }
  } catch (error) {
    if (error instanceof Misfit) throw misfitError(stream, error);
    throw error;
  }
}

/** `avroData` from the data's JSON text. */
export function avroDataFromText(shape: RecordShape, text: string, stream: string): AvroObject {
  return avroData(shape, JSON.parse(text), stream, () => parseJsonLossless(text));
}

/** The whole message value: the envelope around fitted data (from `avroData`). */
export function avroEnvelope(values: EnvelopeValues, data: AvroObject): AvroObject {
  wholeMillis(values.emittedAt, values.stream);
  return {
    [ENVELOPE_FIELDS.id]: values.id,
    [ENVELOPE_FIELDS.stream]: values.stream,
    [ENVELOPE_FIELDS.emittedAt]: values.emittedAt,
    [ENVELOPE_FIELDS.data]: data,
  };
}

/** The V2 envelope's fields besides the data. */
export interface V2EnvelopeValues {
  readonly rawId: string;
  /** The record's emitted_at, epoch milliseconds. */
  readonly extractedAt: number;
  readonly syncId: number | undefined;
  readonly generationId: number | undefined;
  /** The record's meta.changes as the source wrote them. */
  readonly changes: readonly unknown[];
  /** The stream's name, for errors. */
  readonly stream: string;
}

/**
 * The V2 message value (avro-schema.ts's V2 envelope). A change's `field`, `change` and `reason`
 * are written as given when strings, as JSON text otherwise, and null when absent.
 */
export function avroEnvelopeV2(values: V2EnvelopeValues, data: AvroObject): AvroObject {
  wholeMillis(values.extractedAt, values.stream);
  const text = (value: unknown): AvroValue =>
    value === undefined || value === null
      ? null
      : { string: typeof value === "string" ? value : JSON.stringify(value) };
  const long = (value: number | undefined): AvroValue => (value === undefined ? null : { long: value });
  const changes = values.changes.map((change): AvroValue => {
    const entry = isObject(change) ? change : {};
    return { field: text(entry.field), change: text(entry.change), reason: text(entry.reason) };
  });
  return {
    [V2_FIELDS.rawId]: values.rawId,
    [V2_FIELDS.extractedAt]: values.extractedAt,
    [V2_FIELDS.meta]: { sync_id: long(values.syncId), changes },
    [V2_FIELDS.generationId]: long(values.generationId),
    [ENVELOPE_FIELDS.data]: data,
  };
}

// --- internal ---

/** An emitted_at Avro's timestamp-millis can hold, else the record does not fit. */
function wholeMillis(ms: number, stream: string): void {
  if (Number.isSafeInteger(ms)) return;
  throw new ConnectorError(
    `A record of stream ${stream} has an emitted_at that is not a whole number of milliseconds.`,
    "system_error",
    RECORD_DOES_NOT_FIT,
  );
}

/** Thrown (not an Error: never leaves this module) when the digits of a rounded integer matter. */
const NEEDS_LOSSLESS = Symbol("needs a lossless parse");

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** Why a value does not fit, and where (built while unwinding). */
class Misfit {
  readonly path: string[] = [];
  constructor(readonly reason: string) {}
}

/** How a union's branches are picked, made once per union. */
interface Dispatch {
  readonly description: string;
  readonly boolean: boolean;
  readonly long: boolean;
  readonly double: boolean;
  readonly string: boolean;
  readonly json: boolean;
  readonly date: boolean;
  readonly time: boolean;
  readonly timestamp: boolean;
  readonly array: UnionShape | undefined;
  readonly record: RecordShape | undefined;
}

const dispatches = new WeakMap<UnionShape, Dispatch>();

function misfitError(stream: string, misfit: Misfit): ConnectorError {
  const path = misfit.path.join("").replace(/^\./, "");
  const where = path === "" ? "its data" : `field ${path}`;
  return new ConnectorError(
    `A record of stream ${stream} does not fit its Avro schema: ${where} ${misfit.reason}.`,
    "system_error",
    RECORD_DOES_NOT_FIT,
  );
}

function fitRecordRoot(shape: RecordShape, data: unknown, fast: boolean): AvroObject {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new Misfit("is not a JSON object");
  }
  return fitRecord(shape, data as Record<string, unknown>, fast);
}

/** `fast`: `data` came from plain JSON.parse, so an integer beyond 2^53 may have lost digits. */
function fitRecord(shape: RecordShape, data: Record<string, unknown>, fast: boolean): AvroObject {
  const out: AvroObject = Object.create(null);
  let extras: Record<string, AvroValue> | undefined;
  for (const key in data) {
    const value = data[key];
    const field = shape.bySource.get(key);
    if (field === undefined) {
      extras ??= Object.create(null) as Record<string, AvroValue>;
      extras[key] = jsonText(value, fast, key);
      continue;
    }
    try {
      const fitted = fitUnion(field.type, value, fast);
      if (fitted !== null) out[field.name] = fitted;
    } catch (error) {
      if (error instanceof Misfit) error.path.unshift(`.${key}`);
      throw error;
    }
  }
  if (extras !== undefined) out[ADDITIONAL_PROPERTIES_FIELD] = { map: extras };
  return out;
}

function fitUnion(union: UnionShape, value: unknown, fast: boolean): AvroValue {
  if (value === null || value === undefined) return null;
  const d = dispatch(union);
  switch (typeof value) {
    case "boolean":
      if (d.boolean) return { boolean: value };
      if (d.json) return { string: String(value) };
      throw mismatch(d, "a boolean");
    case "number":
      return fitNumber(d, value, fast);
    case "bigint":
      return fitBigint(d, value);
    case "string":
      return fitString(d, value);
    case "object": {
      if (Array.isArray(value)) {
        if (d.array) return { array: value.map((item, i) => fitItem(d.array as UnionShape, item, i, fast)) };
        if (d.json) return { string: jsonText(value, fast) };
        throw mismatch(d, "an array");
      }
      if (d.record)
        return { [d.record.fullName]: fitRecord(d.record, value as Record<string, unknown>, fast) };
      if (d.json) return { string: jsonText(value, fast) };
      throw mismatch(d, "an object");
    }
    default:
      throw mismatch(d, `a ${typeof value}`);
  }
}

function fitItem(items: UnionShape, value: unknown, index: number, fast: boolean): AvroValue {
  try {
    return fitUnion(items, value, fast);
  } catch (error) {
    if (error instanceof Misfit) error.path.unshift(`[${index}]`);
    throw error;
  }
}

function fitNumber(d: Dispatch, value: number, fast: boolean): AvroValue {
  if (!Number.isFinite(value)) throw new Misfit("is a number beyond the range of a double");
  if (Number.isInteger(value)) {
    if (d.long) {
      if (Number.isSafeInteger(value)) return { long: value };
      if (fast) throw NEEDS_LOSSLESS;
      // Written with a fraction or an exponent (1e18): a double to begin with.
      const exact = BigInt(value);
      if (exact >= LONG_MIN && exact <= LONG_MAX) return { long: exact };
      if (d.double) return { double: value };
      throw new Misfit("is an integer outside the 64-bit range of an Avro long");
    }
    if (d.double) return { double: value };
    if (d.json) return { string: jsonText(value, fast) };
    throw mismatch(d, "a number");
  }
  if (d.double) return { double: value };
  if (d.json) return { string: jsonText(value, fast) };
  if (d.long) throw new Misfit(`is a number with a fraction; the schema allows ${d.description}`);
  throw mismatch(d, "a number");
}

function fitBigint(d: Dispatch, value: bigint): AvroValue {
  if (d.long && value >= LONG_MIN && value <= LONG_MAX) return { long: value };
  if (d.double) return { double: Number(value) };
  if (d.json) return { string: value.toString() };
  if (d.long) throw new Misfit("is an integer outside the 64-bit range of an Avro long");
  throw mismatch(d, "a number");
}

function fitString(d: Dispatch, value: string): AvroValue {
  if (d.date) {
    const days = epochDays(value);
    if (days !== undefined) return { int: days };
  }
  if (d.timestamp) {
    const micros = epochMicros(value);
    if (micros !== undefined) return { long: micros };
  }
  if (d.time) {
    const micros = timeMicros(value);
    if (micros !== undefined) return { long: micros };
  }
  if (d.string || d.json) return { string: value };
  const formats = [d.date && "date", d.timestamp && "date-time", d.time && "time"].filter(Boolean);
  if (formats.length > 0) {
    throw new Misfit(
      `is a string that is not a valid ${formats.join(" or ")} (ISO 8601, within Avro's range); the schema allows ${d.description}`,
    );
  }
  throw mismatch(d, "a string");
}

/** A value as an untyped field holds it: a string as it is, anything else as JSON text. */
function jsonText(value: unknown, fast: boolean, key?: string): string {
  if (typeof value === "string") return value;
  try {
    return stringifyJsonLossless(value, (n) => {
      if (!Number.isFinite(n)) throw new Misfit("holds a number beyond the range of a double");
      if (fast && isUnsafeInteger(n)) throw NEEDS_LOSSLESS;
    });
  } catch (error) {
    if (error instanceof Misfit && key !== undefined) error.path.unshift(`.${key}`);
    throw error;
  }
}

function mismatch(d: Dispatch, got: string): Misfit {
  return new Misfit(`is ${got}; the schema allows ${d.description}`);
}

function dispatch(union: UnionShape): Dispatch {
  let d = dispatches.get(union);
  if (d === undefined) {
    const kinds = new Set(union.branches.map((branch) => branch.kind));
    d = {
      description: union.branches.map(describe).join(", "),
      boolean: kinds.has("boolean"),
      long: kinds.has("long"),
      double: kinds.has("double"),
      string: kinds.has("string"),
      json: kinds.has("json"),
      date: kinds.has("date"),
      time: kinds.has("time"),
      timestamp: kinds.has("timestamp"),
      array: union.branches.find((branch): branch is ArrayShape => branch.kind === "array")?.items,
      record: union.branches.find((branch): branch is RecordShape => branch.kind === "record"),
    };
    dispatches.set(union, d);
  }
  return d;
}

const DESCRIPTIONS: Readonly<Record<ScalarKind | "array" | "record", string>> = {
  null: "null",
  boolean: "boolean",
  long: "integer",
  double: "number",
  string: "string",
  json: "any JSON",
  date: "date string",
  time: "time string",
  timestamp: "date-time string",
  array: "array",
  record: "object",
};

function describe(shape: Shape): string {
  return DESCRIPTIONS[shape.kind];
}
