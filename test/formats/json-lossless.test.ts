/** Lossless JSON parsing and printing (src/formats/json-lossless.ts). */
import { describe, expect, test } from "bun:test";
import {
  isUnsafeInteger,
  parseJsonLossless,
  stringifyJsonLossless,
} from "../../src/formats/json-lossless.ts";

describe("parseJsonLossless", () => {
  test("plain integers beyond 2^53 become bigints; everything else is as JSON.parse gives it", () => {
    const text =
      '{"a": 9007199254740991, "b": 9007199254740993, "c": -12345678901234567890, "d": [1e20, 1.5, 9007199254740993.0], "e": "12345678901234567890"}';
    expect(parseJsonLossless(text)).toEqual({
      a: 9007199254740991,
      b: 9007199254740993n,
      c: -12345678901234567890n,
      d: [1e20, 1.5, 9007199254740992],
      e: "12345678901234567890",
    });
  });

  test("agrees with JSON.parse wherever nothing is lost", () => {
    const text = '[0, -0, 1, -1, 3.14, 1e-7, "x", null, true, {"k": [{}]}]';
    expect(parseJsonLossless(text)).toEqual(JSON.parse(text));
  });
});

describe("stringifyJsonLossless", () => {
  test("prints bigints as their digits", () => {
    expect(stringifyJsonLossless({ a: 12345678901234567890n, b: [-1n, 2], c: "9" })).toBe(
      '{"a":12345678901234567890,"b":[-1,2],"c":"9"}',
    );
  });

  test("round-trips with parseJsonLossless", () => {
    const text = '{"big":[18446744073709551616,-9223372036854775809],"small":1,"s":"\\u0000x"}';
    expect(stringifyJsonLossless(parseJsonLossless(text))).toBe(text);
  });

  test("works without JSON.rawJSON too", () => {
    const holder = JSON as { rawJSON?: unknown };
    const saved = holder.rawJSON;
    delete holder.rawJSON;
    try {
      expect(stringifyJsonLossless({ a: [12345678901234567890n, -5n], b: "\u0000bigint\u00001" })).toBe(
        '{"a":[12345678901234567890,-5],"b":"\\u0000bigint\\u00001"}',
      );
    } finally {
      holder.rawJSON = saved;
    }
  });

  test("shows every number to onNumber, which may refuse it", () => {
    const seen: number[] = [];
    stringifyJsonLossless({ a: 1, b: [2.5, 3n] }, (n) => seen.push(n));
    expect(seen).toEqual([1, 2.5]);
    expect(() =>
      stringifyJsonLossless([Number.POSITIVE_INFINITY], (n) => {
        if (!Number.isFinite(n)) throw new Error("infinite");
      }),
    ).toThrow("infinite");
  });
});

test("isUnsafeInteger", () => {
  expect(isUnsafeInteger(2 ** 53)).toBe(true);
  expect(isUnsafeInteger(-(2 ** 53))).toBe(true);
  expect(isUnsafeInteger(1e300)).toBe(true);
  expect(isUnsafeInteger(2 ** 53 - 1)).toBe(false);
  expect(isUnsafeInteger(1.5)).toBe(false);
  expect(isUnsafeInteger(Number.POSITIVE_INFINITY)).toBe(false);
});
