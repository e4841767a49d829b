/**
 * JSON parsing and printing that keep integers beyond 2^53 exact: `JSON.parse` would round
 * 12345678901234567890 to 12345678901234567000. An integer token outside ±(2^53 − 1) written as
 * plain digits becomes a `bigint` (from its source text, through `JSON.parse`'s reviver context,
 * which Bun and Deno provide); numbers with a fraction or exponent stay JS numbers, as they are
 * doubles to begin with. This runs only for records that need it (see avro-value.ts): it is
 * several times slower than plain `JSON.parse`.
 */
import { ConnectorError } from "../errors.ts";

/** `JSON.parse(text)`, but plain-integer tokens beyond 2^53 come back as `bigint`. */
export function parseJsonLossless(text: string): unknown {
  return JSON.parse(text, revive);
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
