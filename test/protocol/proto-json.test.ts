import { describe, expect, it, test } from "bun:test";
import fc from "fast-check";
import type { ProtoValue } from "../../src/protocol/airbyte-protobuf.ts";
import { dataJson, memberPrefixes } from "../../src/protocol/proto-json.ts";

/** dataJson's bytes as text, or its problem. */
const text = (json: ReturnType<typeof dataJson>) =>
  json instanceof Uint8Array ? new TextDecoder().decode(json) : json;
const one = (value: ProtoValue) => text(dataJson([value], memberPrefixes(["v"])));
const str = (value: string) => ({ kind: "string", bytes: new TextEncoder().encode(value) }) as const;
const json = (text: string) => ({ kind: "json", bytes: new TextEncoder().encode(text) }) as const;

describe("dataJson", () => {
  it("writes the members in the order given, each value as JSON", () => {
    expect(
      text(
        dataJson(
          [
            { kind: "boolean", value: false },
            str('Zoë "q"\n'),
            { kind: "integer", value: "-9223372036854775808" },
            { kind: "bigInteger", value: "123456789012345678901234567890" },
            { kind: "number", value: 1.1 },
            { kind: "bigDecimal", value: "-0.10e+3" },
            json(' [1, {"a": null}] '),
            { kind: "null" },
          ],
          memberPrefixes(["a", "b", "c", "d", "e", "f", "g", "h\u00e9"]),
        ),
      ),
    ).toBe(
      '{"a":false,"b":"Zoë \\"q\\"\\n","c":-9223372036854775808,"d":123456789012345678901234567890,"e":1.1,"f":-0.10e+3,"g": [1, {"a": null}] ,"hé":null}',
    );
    expect(text(dataJson([], memberPrefixes([])))).toBe("{}");
  });

  // The strings java.time makes, as the CDK's AirbyteValueProtobufProxy formats them.
  it.each<[string, ProtoValue, string]>([
    ["the epoch", { kind: "date", days: 0 }, "1970-01-01"],
    ["a leap day", { kind: "date", days: 19_782 }, "2024-02-29"],
    ["the day before the epoch", { kind: "date", days: -1 }, "1969-12-31"],
    ["year 0", { kind: "date", days: -719_528 }, "0000-01-01"],
    ["year -1", { kind: "date", days: -719_529 }, "-0001-12-31"],
    ["year 10000, with a sign", { kind: "date", days: 2_932_897 }, "+10000-01-01"],
    ["midnight, seconds always written", { kind: "timeWithoutTimezone", nanosOfDay: 0 }, "00:00:00"],
    ["a nanosecond", { kind: "timeWithoutTimezone", nanosOfDay: 1 }, "00:00:00.000000001"],
    [
      "half a second, no trailing zeros",
      { kind: "timeWithoutTimezone", nanosOfDay: 45_296_500_000_000 },
      "12:34:56.5",
    ],
    ["UTC is Z", { kind: "timeWithTimezone", nanosOfDay: 3_600e9, offsetSeconds: 0 }, "01:00:00Z"],
    ["an offset", { kind: "timeWithTimezone", nanosOfDay: 0, offsetSeconds: -1800 }, "00:00:00-00:30"],
    [
      "an offset with seconds",
      { kind: "timeWithTimezone", nanosOfDay: 0, offsetSeconds: 3661 },
      "00:00:00+01:01:01",
    ],
    [
      "a local timestamp",
      { kind: "timestampWithoutTimezone", days: 19_782, nanosOfDay: 86_399_999_999_999 },
      "2024-02-29T23:59:59.999999999",
    ],
    [
      "an instant seen at its offset",
      { kind: "timestampWithTimezone", epochSecond: 0, nano: 0, offsetSeconds: 3600 },
      "1970-01-01T01:00:00+01:00",
    ],
    [
      "a second before the epoch",
      { kind: "timestampWithTimezone", epochSecond: -1, nano: 250_000_000, offsetSeconds: 0 },
      "1969-12-31T23:59:59.25Z",
    ],
    [
      "nanos beyond a second carried into the seconds",
      { kind: "timestampWithTimezone", epochSecond: 0, nano: 1_500_000_000, offsetSeconds: 0 },
      "1970-01-01T00:00:01.5Z",
    ],
  ])("formats %s", (_, value, text) => {
    expect(one(value)).toBe(`{"v":${JSON.stringify(text)}}`);
  });

  it.each<[string, ProtoValue, string]>([
    [
      "a big_integer that is not a number",
      { kind: "bigInteger", value: "12a" },
      "is a bigInteger that is not a number",
    ],
    [
      "a big_decimal that is not JSON",
      { kind: "bigDecimal", value: "+1." },
      "is a bigDecimal that is not a number",
    ],
    ["NaN", { kind: "number", value: Number.NaN }, "is a number JSON cannot hold"],
    ["json that is not JSON", json("[1,"), "is json bytes that are not one JSON value"],
    ["json with two values", json("1 2"), "is json bytes that are not one JSON value"],
    ["empty json", json(""), "is json bytes that are not one JSON value"],
    [
      "a time past midnight",
      { kind: "timeWithoutTimezone", nanosOfDay: 86_400e9 },
      "is a time past midnight",
    ],
    [
      "an offset beyond 18 hours",
      { kind: "timeWithTimezone", nanosOfDay: 0, offsetSeconds: 18 * 3600 + 1 },
      "is a time past midnight or with an offset beyond 18 hours",
    ],
    ["a date beyond LocalDate", { kind: "date", days: 365_241_780_472 }, "is a date java.time cannot hold"],
  ])("refuses %s, naming the property", (_, value, problem) => {
    expect(one(value)).toEqual({ problem: `the value of "v" ${problem}` });
  });

  test("strings read back as sent, whatever they hold (quotes, controls, any code point)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (value) => {
        const json = one(str(value));
        expect(JSON.parse(json as string)).toEqual({ v: value });
      }),
      { numRuns: 2000 },
    );
    // Bytes that are not UTF-8 become replacement characters, as protobuf libraries read them.
    expect(one({ kind: "string", bytes: new Uint8Array([0x61, 0xff, 0x62]) })).toBe('{"v":"a\uFFFDb"}');
  });

  test("dates agree with the JavaScript calendar wherever Date reaches", () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000_000, max: 100_000_000 }), (days) => {
        const date = new Date(days * 86_400_000);
        const year = date.getUTCFullYear();
        const yearText =
          year > 9999
            ? `+${year}`
            : year < 0
              ? `-${String(-year).padStart(4, "0")}`
              : String(year).padStart(4, "0");
        const expected = `${yearText}-${String(date.getUTCMonth() + 1).padStart(2, "0")}-${String(date.getUTCDate()).padStart(2, "0")}`;
        expect(one({ kind: "date", days })).toBe(`{"v":"${expected}"}`);
      }),
      { numRuns: 2000 },
    );
  });

  test("timestamps with an offset agree with Date, read back to the same instant", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -60_000_000_000, max: 200_000_000_000 }),
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: -18 * 60, max: 18 * 60 }).map((minutes) => minutes * 60),
        (epochSecond, millis, offsetSeconds) => {
          const out = one({ kind: "timestampWithTimezone", epochSecond, nano: millis * 1e6, offsetSeconds });
          const text = JSON.parse(out as string).v as string;
          // Date parses only four-digit years (or six with a sign): shape the year as it wants.
          const m = /^([+-]?\d+)(-.*)$/.exec(text) as RegExpExecArray;
          const year = Number(m[1]);
          const dateYear =
            year >= 0 && year <= 9999
              ? String(year).padStart(4, "0")
              : `${year < 0 ? "-" : "+"}${String(Math.abs(year)).padStart(6, "0")}`;
          expect(Date.parse(dateYear + m[2])).toBe(epochSecond * 1000 + millis);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
