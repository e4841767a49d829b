/**
 * JSON parsing and printing that keep integers beyond 2^53 exact: `JSON.parse` would round
 * 12345678901234567890 to 12345678901234567000. An integer token outside ±(2^53 − 1) written as
 * plain digits becomes a `bigint` (from its source text, through `JSON.parse`'s reviver context,
 * which Bun and Deno provide); numbers with a fraction or exponent stay JS numbers, as they are
 * doubles to begin with. This runs only for records that need it (see avro-value.ts).
 *
 * How: a reviver sees every value of the text, which made this 3.5× slower than `JSON.parse`
 * (11 µs for a bench record of ~500 bytes, most of an Avro record's cost). Instead, the text is
 * scanned once for such integer tokens, each is rewritten as a marked string (its digits after a
 * NUL-led prefix), plain `JSON.parse` reads the result, and the marked strings are turned into
 * bigints. A string of the source could only spell a mark if it began with NUL, which JSON text
 * writes as the escape \u0000: a text with such a string is read with the reviver instead.
 */
import { ConnectorError } from "../errors.ts";

/** `JSON.parse(text)`, but plain-integer tokens beyond 2^53 come back as `bigint`. `text` is valid JSON. */
export function parseJsonLossless(text: string): unknown {
  const marked = markUnsafeIntegers(text);
  if (marked === undefined) return JSON.parse(text);
  if (marked === NUL_STRING) return JSON.parse(text, revive);
  return restoreBigints(JSON.parse(marked));
}

/**
 * `JSON.stringify(value)` that prints a `bigint` as its digits. `onNumber` sees every JS number
 * first (it may throw, e.g. for an infinity JSON cannot print).
 */
export function stringifyJsonLossless(value: unknown, onNumber?: (n: number) => void): string {
  const rawJSON = (JSON as { rawJSON?: (text: string) => unknown }).rawJSON;
  const replacer = (_key: string, v: unknown): unknown => {
    if (typeof v === "number") onNumber?.(v);
    else if (typeof v === "bigint")
      return rawJSON ? rawJSON(v.toString()) : `${BIGINT_MARK}${v.toString()}${BIGINT_MARK}`;
    return v;
  };
  const text = JSON.stringify(value, replacer);
  // Without JSON.rawJSON, each bigint was printed as a marked string: unquote the marks.
  return rawJSON ? text : text.replace(BIGINT_MARKS, "$1");
}

/** True for a JS number that is an integer JSON.parse may have rounded (beyond ±(2^53 − 1)). */
export function isUnsafeInteger(value: number): boolean {
  return Number.isInteger(value) && !Number.isSafeInteger(value);
}

// --- internal ---

const BIGINT_MARK = "\u0000bigint\u0000";
const BIGINT_MARKS = /"\\u0000bigint\\u0000(-?\d+)\\u0000bigint\\u0000"/g;
const PLAIN_INTEGER = /^-?\d+$/;

/** What an unsafe integer token becomes in the marked text: a string with a NUL-led prefix. */
const MARK = "\u0000lossless:";
const MARK_TEXT = JSON.stringify(MARK).slice(1, -1);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
/** Digits of the shortest integer beyond 2^53 (9007199254740992). */
const UNSAFE_DIGITS = 16;

/** What markUnsafeIntegers says of a text with a string that begins with NUL (it could spell a mark). */
const NUL_STRING = Symbol("a string begins with NUL");
const NUL_ESCAPE = "\\u0000";

/**
 * `text` with every plain integer token beyond ±(2^53 − 1) written as a marked string; undefined
 * when there is none, NUL_STRING when a string could be taken for a mark.
 */
function markUnsafeIntegers(text: string): string | undefined | typeof NUL_STRING {
  let out = "";
  let copied = 0;
  let marks = 0;
  const length = text.length;
  let i = 0;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i++;
      if (text.startsWith(NUL_ESCAPE, i)) return NUL_STRING;
      while (i < length) {
        const s = text.charCodeAt(i++);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
      continue;
    }
    if (c !== MINUS && (c < ZERO || c > NINE)) {
      i++;
      continue;
    }
    const start = i;
    if (c === MINUS) i++;
    while (i < length && isDigit(text.charCodeAt(i))) i++;
    const digitsEnd = i;
    // A fraction or an exponent: a double to begin with, left as JSON.parse reads it.
    while (i < length && isNumberPart(text.charCodeAt(i))) i++;
    if (i !== digitsEnd || digitsEnd - start < UNSAFE_DIGITS) continue;
    const token = text.slice(start, digitsEnd);
    if (!isUnsafeInteger(Number(token))) continue;
    out += `${text.slice(copied, start)}"${MARK_TEXT}${token}"`;
    copied = digitsEnd;
    marks++;
  }
  return marks === 0 ? undefined : out + text.slice(copied);
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/** `.`, `e`, `E`, `+`, `-` and digits: what may follow an integer part inside one number token. */
function isNumberPart(c: number): boolean {
  return c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS || isDigit(c);
}

/** `value` (fresh from JSON.parse) with each marked string replaced by its bigint. */
function restoreBigints(value: unknown): unknown {
  if (typeof value === "string") return value.startsWith(MARK) ? BigInt(value.slice(MARK.length)) : value;
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = restoreBigints(value[i]);
    return value;
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const item = object[key];
    const restored = restoreBigints(item);
    // defineProperty: a member called __proto__ is data, and assigning it would set the prototype.
    if (restored !== item)
      Object.defineProperty(object, key, {
        value: restored,
        writable: true,
        enumerable: true,
        configurable: true,
      });
  }
  return object;
}

function revive(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== "number" || !isUnsafeInteger(value)) return value;
  const source = context?.source;
  if (source === undefined) {
    throw new ConnectorError(
      "This runtime cannot read integers beyond 2^53 exactly (JSON.parse gives no source text); run the connector on Bun or Deno.",
      "system_error",
    );
  }
  return PLAIN_INTEGER.test(source) ? BigInt(source) : value;
}
