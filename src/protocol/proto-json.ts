/**
 * A record's positional protobuf values → the JSON of its `data` object, as a JSONL source would
 * have written it: the properties in the order given (the stream's json_schema property names,
 * sorted, as the Bulk CDK's AirbyteValueProtobufProxy reads them), each value as its JSON form.
 * Temporal values become the strings the CDK makes of them (AirbyteValueProtobufProxy's
 * formatters): `2024-01-31`, `12:34:56[.fraction]`, `…+02:00` / `…Z`, fractions without trailing
 * zeros, years beyond 9999 with a `+`; big_integer and big_decimal are written as JSON numbers,
 * `json` bytes as they are. A null is written as `null` (the CDK drops it from its own JSON; a
 * JSONL source writes it). What a JSON source could not have written gives the reason instead.
 *
 * This runs once per value of a protobuf sync, so it writes bytes into one reused buffer: a
 * string that needs no escaping (most) is copied as it came, never decoded.
 */
import { isUtf8 } from "node:buffer";
import type { ProtoValue } from "./airbyte-protobuf.ts";
import { skipJsonValue, skipSpace } from "./json-syntax.ts";

/** Each property name as the UTF-8 of its JSON member prefix (`"name":`), in the record's value order. */
export interface MemberPrefixes {
  readonly names: readonly string[];
  readonly bytes: readonly Uint8Array[];
}

export function memberPrefixes(names: readonly string[]): MemberPrefixes {
  return { names, bytes: names.map((name) => encoder.encode(`${JSON.stringify(name)}:`)) };
}

/** The `data` object's JSON (a copy of its own), or why a value cannot be JSON. `values.length` must equal the members'. */
export function dataJson(
  values: readonly ProtoValue[],
  members: MemberPrefixes,
): Uint8Array | { problem: string } {
  at = 0;
  put(OPEN_BRACE);
  for (let i = 0; i < values.length; i++) {
    if (i > 0) put(COMMA);
    putBytes(members.bytes[i] as Uint8Array);
    const problem = putValue(values[i] as ProtoValue);
    if (problem !== undefined)
      return { problem: `the value of ${JSON.stringify(members.names[i])} ${problem}` };
  }
  put(CLOSE_BRACE);
  return out.slice(0, at);
}

// --- internal ---

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The buffer every record's JSON is written into, grown as needed; `at` is where the next byte goes. */
let out = new Uint8Array(1 << 16);
let at = 0;

function room(n: number): void {
  if (at + n <= out.length) return;
  const bigger = new Uint8Array(Math.max(out.length * 2, at + n));
  bigger.set(out.subarray(0, at));
  out = bigger;
}

function put(byte: number): void {
  room(1);
  out[at++] = byte;
}

function putBytes(bytes: Uint8Array): void {
  room(bytes.length);
  out.set(bytes, at);
  at += bytes.length;
}

/** ASCII text (numbers, dates, literals) byte by byte. */
function putAscii(text: string): void {
  room(text.length);
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
}

/** Writes the value; returns why it cannot be JSON, or undefined. */
function putValue(value: ProtoValue): string | undefined {
  switch (value.kind) {
    case "null":
      putAscii("null");
      return undefined;
    case "boolean":
      putAscii(value.value ? "true" : "false");
      return undefined;
    case "string":
      putString(value.bytes);
      return undefined;
    case "integer":
      putAscii(value.value);
      return undefined;
    case "bigInteger":
    case "bigDecimal":
      if (!NUMBER.test(value.value)) return `is a ${value.kind} that is not a number`;
      putAscii(value.value);
      return undefined;
    case "number":
      if (!Number.isFinite(value.value)) return "is a number JSON cannot hold";
      putAscii(String(value.value));
      return undefined;
    case "json": {
      const bytes = value.bytes;
      const start = skipSpace(bytes, 0);
      const ok =
        isUtf8(bytes) &&
        start < bytes.length &&
        skipSpace(bytes, skipJsonValue(bytes, start)) === bytes.length;
      if (!ok) return "is json bytes that are not one JSON value";
      putBytes(bytes);
      return undefined;
    }
    default: {
      const text = temporalText(value);
      if (typeof text !== "string") return text.problem;
      put(QUOTE);
      putAscii(text);
      put(QUOTE);
      return undefined;
    }
  }
}

/** A JSON string of UTF-8 `bytes`: copied when nothing needs escaping, else as JSON.stringify writes it. */
function putString(bytes: Uint8Array): void {
  let plain = true;
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === QUOTE || b === BACKSLASH || b < 0x20) {
      plain = false;
      break;
    }
    if (b >= 0x80) ascii = false;
  }
  // Invalid UTF-8 is decoded with replacement characters, as protobuf libraries read strings.
  if (plain && (ascii || isUtf8(bytes))) {
    put(QUOTE);
    putBytes(bytes);
    put(QUOTE);
  } else putBytes(encoder.encode(JSON.stringify(decoder.decode(bytes))));
}

const DAY_NANOS = 86_400_000_000_000;
const DAY_SECONDS = 86_400;
/** java.time's limits: LocalDate's years ±999,999,999, ZoneOffset's ±18 hours. */
const MAX_EPOCH_DAY = 365_241_780_471;
const MIN_EPOCH_DAY = -365_243_219_162;
const MAX_OFFSET_SECONDS = 18 * 3600;

function temporalText(value: ProtoValue): string | { problem: string } {
  switch (value.kind) {
    case "date":
      return inDays(value.days) ? isoDate(value.days) : { problem: "is a date java.time cannot hold" };
    case "timeWithoutTimezone":
      return inDay(value.nanosOfDay) ? isoTime(value.nanosOfDay) : { problem: "is a time past midnight" };
    case "timeWithTimezone":
      if (!inDay(value.nanosOfDay) || !inOffsets(value.offsetSeconds))
        return { problem: "is a time past midnight or with an offset beyond 18 hours" };
      return isoTime(value.nanosOfDay) + offsetId(value.offsetSeconds);
    case "timestampWithoutTimezone":
      if (!inDays(value.days) || !inDay(value.nanosOfDay))
        return { problem: "is a timestamp java.time cannot hold" };
      return `${isoDate(value.days)}T${isoTime(value.nanosOfDay)}`;
    case "timestampWithTimezone": {
      // Instant.ofEpochSecond(seconds, nanoAdjustment) carries whole seconds out of the nanos.
      const seconds = value.epochSecond + Math.floor(value.nano / 1e9) + value.offsetSeconds;
      const nanos = value.nano % 1e9;
      const days = Math.floor(seconds / DAY_SECONDS);
      if (!Number.isSafeInteger(seconds) || !inDays(days) || !inOffsets(value.offsetSeconds))
        return { problem: "is a timestamp java.time cannot hold" };
      const nanosOfDay = (seconds - days * DAY_SECONDS) * 1e9 + nanos;
      return `${isoDate(days)}T${isoTime(nanosOfDay)}${offsetId(value.offsetSeconds)}`;
    }
    default:
      return { problem: "has no kind" };
  }
}

const inDays = (days: number) => Number.isSafeInteger(days) && days >= MIN_EPOCH_DAY && days <= MAX_EPOCH_DAY;
const inDay = (nanos: number) => Number.isSafeInteger(nanos) && nanos >= 0 && nanos < DAY_NANOS;
const inOffsets = (seconds: number) => Math.abs(seconds) <= MAX_OFFSET_SECONDS;

/** LocalDate.toString: `yyyy-MM-dd`, four-digit years zero-padded, a sign beyond them. */
function isoDate(epochDay: number): string {
  // Howard Hinnant's civil_from_days, in exact integer arithmetic on doubles.
  const z = epochDay + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const absolute = Math.abs(year);
  let yearText: string;
  if (absolute < 10_000) yearText = (year < 0 ? "-" : "") + String(absolute).padStart(4, "0");
  else yearText = (year < 0 ? "-" : "+") + String(absolute);
  return `${yearText}-${two(month)}-${two(day)}`;
}

/** `HH:mm:ss` and, unless zero, `.` and the fraction without trailing zeros (appendFraction(NANO_OF_SECOND, 0, 9, true)). */
function isoTime(nanosOfDay: number): string {
  const seconds = Math.floor(nanosOfDay / 1e9);
  const nanos = nanosOfDay - seconds * 1e9;
  const clock = `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
  if (nanos === 0) return clock;
  return `${clock}.${String(nanos).padStart(9, "0").replace(/0+$/, "")}`;
}

/** ZoneOffset.getId: `Z`, or `±HH:MM`, with `:ss` when the seconds are not zero. */
function offsetId(offsetSeconds: number): string {
  if (offsetSeconds === 0) return "Z";
  const sign = offsetSeconds < 0 ? "-" : "+";
  const total = Math.abs(offsetSeconds);
  const hm = `${sign}${two(Math.floor(total / 3600))}:${two(Math.floor(total / 60) % 60)}`;
  return total % 60 === 0 ? hm : `${hm}:${two(total % 60)}`;
}

const two = (n: number) => (n < 10 ? `0${n}` : String(n));
