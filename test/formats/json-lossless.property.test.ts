/**
 * parseJsonLossless against the definition it must keep: JSON.parse with a reviver that turns each
 * plain integer token beyond 2^53 (from the reviver's source text) into a bigint. The texts mix big
 * and small integers, doubles written every way, and strings that spell the marks the fast path
 * writes, which must not be taken for integers.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { isUnsafeInteger, parseJsonLossless } from "../../src/formats/json-lossless.ts";

function byReviver(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === "number" && isUnsafeInteger(value) && /^-?\d+$/.test(context?.source ?? "")
      ? BigInt(context?.source ?? "")
      : value,
  );
}

const bigInteger = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n });
const numberText = fc.oneof(
  bigInteger.map(String),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.bigInt({ min: 10n ** 15n, max: 10n ** 25n }).map((n) => `${n}.0`),
  fc.bigInt({ min: 10n ** 15n, max: 10n ** 25n }).map((n) => `${n}e2`),
  fc.bigInt({ min: 10n ** 15n, max: 10n ** 25n }).map((n) => `-${n}E-1`),
);
const trickyString = fc.oneof(
  fc.string(),
  fc.constantFrom(
    "\u0000lossless:123",
    "\u0000lossless:99999999999999999999",
    "\u0000lossless:",
    "\u0000bigint\u00001",
  ),
  bigInteger.map((n) => `\u0000lossless:${n}`),
);
/** JSON texts built from pieces, so number tokens are written exactly as chosen. */
const text: fc.Arbitrary<string> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    numberText,
    trickyString.map((s) => JSON.stringify(s)),
    fc.constantFrom("true", "false", "null"),
    fc.array(tie("value") as fc.Arbitrary<string>, { maxLength: 5 }).map((items) => `[${items.join(", ")}]`),
    fc
      .array(fc.tuple(trickyString, tie("value") as fc.Arbitrary<string>), { maxLength: 5 })
      .map((members) => `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`),
  ),
})).value;

describe("parseJsonLossless, for any JSON text", () => {
  test("gives what JSON.parse with the lossless reviver gives", () => {
    fc.assert(
      fc.property(text, (json) => {
        expect(parseJsonLossless(json)).toEqual(byReviver(json));
      }),
      { numRuns: 2000 },
    );
  });

  test("a member called __proto__ holding a big integer stays data", () => {
    const parsed = parseJsonLossless('{"__proto__": 12345678901234567890, "x": 1}') as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(parsed, "__proto__")?.value).toBe(12345678901234567890n);
  });

  test("a string spelling a mark stays a string, beside real big integers", () => {
    expect(parseJsonLossless('["\\u0000lossless:5", 12345678901234567890]')).toEqual([
      "\u0000lossless:5",
      12345678901234567890n,
    ]);
  });
});
