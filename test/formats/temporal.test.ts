/** ISO 8601 dates, times and date-times → Avro's days and microseconds (src/formats/temporal.ts). */
import { describe, expect, test } from "bun:test";
import { epochDays, epochMicros, timeMicros } from "../../src/formats/temporal.ts";

describe("epochDays", () => {
  const cases: [string, number | undefined][] = [
    ["1970-01-01", 0],
    ["1970-01-02", 1],
    ["1969-12-31", -1],
    ["2000-02-29", 11_016],
    ["2024-04-08", 19_821],
    ["0001-01-01", -719_162],
    ["0099-03-01", -683_309], // two-digit years are not 19xx
    ["9999-12-31", 2_932_896],
    ["+10000-01-01", 2_932_897],
    ["-0001-12-31", -719_529], // astronomical year -1 (2 BC)
    ["0001-12-31 BC", -719_163], // 1 BC is year 0
    ["0001-01-01 BC", -719_528], // a leap year
    ["-0001-01-01 BC", undefined],
    ["2023-02-29", undefined],
    ["2024-13-01", undefined],
    ["2024-04-31", undefined],
    ["2024-4-8", undefined],
    ["20240408", undefined],
    ["2024-04-08T00:00:00Z", undefined],
    ["Infinity", undefined],
    ["", undefined],
    ["+999999999-01-01", undefined], // beyond an Avro int
  ];
  for (const [text, days] of cases) {
    test(`${JSON.stringify(text)} → ${days}`, () => expect(epochDays(text)).toBe(days));
  }

  test("agrees with Date.UTC over four centuries", () => {
    for (let day = -73_000; day <= 73_000; day += 97) {
      const iso = new Date(day * 86_400_000).toISOString().slice(0, 10);
      expect(epochDays(iso)).toBe(day);
    }
  });
});

describe("timeMicros", () => {
  const cases: [string, number | undefined][] = [
    ["00:00:00", 0],
    ["00:00", 0],
    ["12:34:56", 45_296_000_000],
    ["12:34:56.789", 45_296_789_000],
    ["12:34:56.123456789", 45_296_123_456], // digits beyond microseconds are dropped
    ["23:59:59.999999", 86_399_999_999],
    ["10:00:00Z", 36_000_000_000],
    ["10:00:00+02:00", 28_800_000_000], // moved to UTC
    ["01:00:00+0200", 82_800_000_000], // wraps around midnight
    ["23:00:00-05", 14_400_000_000],
    ["24:00:00", undefined],
    ["12:60:00", undefined],
    ["12:00:60", undefined],
    ["12:00:00+25:00", undefined],
    ["noon", undefined],
  ];
  for (const [text, micros] of cases) {
    test(`${JSON.stringify(text)} → ${micros}`, () => expect(timeMicros(text)).toBe(micros));
  }
});

describe("epochMicros", () => {
  const cases: [string, number | bigint | undefined][] = [
    ["1970-01-01T00:00:00Z", 0],
    ["1970-01-01T00:00:00.000001Z", 1],
    ["1969-12-31T23:59:59.999999Z", -1],
    ["2001-02-03T11:53:10+00:00", 981_201_190_000_000],
    ["2001-02-03T12:53:10+01:00", 981_201_190_000_000],
    ["2001-02-03T11:53:10", 981_201_190_000_000], // no offset: UTC
    ["2001-02-03 11:53:10", 981_201_190_000_000],
    ["2001-02-03t11:53:10z", 981_201_190_000_000],
    ["2001-01-05T21:37:30.796635", 978_730_650_796_635], // source-faker's purchases.created_at
    ["2001-02-03", 981_158_400_000_000], // a date alone is its midnight
    ["2001-02-03T11:53Z", 981_201_180_000_000],
    ["2255-06-05T23:47:34.740991Z", 9_007_199_254_740_991], // the last safe integer
    ["2255-06-05T23:47:34.740992Z", 9_007_199_254_740_992n], // beyond: a bigint
    ["9999-12-31T23:59:59.999999Z", 253_402_300_799_999_999n],
    ["0001-01-01T00:00:00Z", -62_135_596_800_000_000n],
    ["0001-01-01T00:00:00Z BC", -62_167_219_200_000_000n],
    ["+294247-01-10T04:00:54.775807Z", 9_223_372_036_854_775_807n], // the largest long
    ["+294247-01-10T04:00:54.775808Z", undefined],
    ["2001-02-30T00:00:00Z", undefined],
    ["2001-02-03T25:00:00Z", undefined],
    ["2001-02-03T11:53:10+2", 981_193_990_000_000],
    ["yesterday", undefined],
  ];
  for (const [text, micros] of cases) {
    test(`${JSON.stringify(text)} → ${micros}`, () => expect(epochMicros(text)).toBe(micros));
  }

  test("agrees with Date for millisecond instants", () => {
    for (let ms = -5e12; ms <= 5e12; ms += 7_777_777_777) {
      expect(epochMicros(new Date(ms).toISOString())).toBe(ms * 1000);
    }
  });
});
