/**
 * Record data → Avro-ready values (src/formats/avro-value.ts), table-driven: each JSON Schema
 * construct with the values that fit it (wrapped union branches, days/microseconds, bigints beyond
 * 2^53, JSON text) and the ones that do not (a clear error: stream, field path, why, never the value).
 */
import { describe, expect, test } from "bun:test";
import { ConnectorError } from "../../src/errors.ts";
import { streamAvro } from "../../src/formats/avro-schema.ts";
import type { RecordShape } from "../../src/formats/avro-shape.ts";
import {
  type AvroObject,
  type AvroValue,
  avroData,
  avroDataFromText,
  avroEnvelope,
  RECORD_DOES_NOT_FIT,
} from "../../src/formats/avro-value.ts";
import { parseJsonLossless } from "../../src/formats/json-lossless.ts";

const STREAM = "ns.s";

function shapeOf(jsonSchema: unknown): RecordShape {
  return streamAvro({ name: "s", namespace: "ns", jsonSchema }).data;
}

/** Property `f` declared with `schema`, holding the JSON `valueText`: what `f` becomes (undefined: absent, i.e. null). */
function fit(schema: unknown, valueText: string): AvroValue | undefined {
  const shape = shapeOf({ type: "object", properties: { f: schema } });
  return avroDataFromText(shape, `{"f": ${valueText}}`, STREAM).f;
}

/** The error message for a value that does not fit. */
function misfit(schema: unknown, valueText: string): string {
  try {
    fit(schema, valueText);
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    const connectorError = error as ConnectorError;
    expect(connectorError.failureType).toBe("system_error");
    expect(connectorError.internal).toBe(RECORD_DOES_NOT_FIT);
    return connectorError.message;
  }
  throw new Error(`${valueText} fitted ${JSON.stringify(schema)}`);
}

const F = "ns.s._airbyte_data.f";
const STRING = { type: "string" };
const INTEGER = { type: "integer" };
const NUMBER = { type: "number" };
const UNTYPED = {};

describe("values that fit", () => {
  const cases: [string, unknown, string, AvroValue | undefined][] = [
    ["string", STRING, '"x"', { string: "x" }],
    ["null → absent (the field's default null)", STRING, "null", undefined],
    ["null in a null field", { type: "null" }, "null", undefined],
    ["integer", INTEGER, "5", { long: 5 }],
    ["negative integer", INTEGER, "-42", { long: -42 }],
    ["integer written 1.0", INTEGER, "1.0", { long: 1 }],
    ["the largest safe integer", INTEGER, "9007199254740991", { long: 9007199254740991 }],
    ["an integer beyond 2^53 keeps its digits", INTEGER, "9007199254740993", { long: 9007199254740993n }],
    ["the largest long", INTEGER, "9223372036854775807", { long: 9223372036854775807n }],
    ["the smallest long", INTEGER, "-9223372036854775808", { long: -9223372036854775808n }],
    ["an integer in exponent form", INTEGER, "1e18", { long: 1000000000000000000n }],
    ["number → double", NUMBER, "1.5", { double: 1.5 }],
    ["an integer in a number field", NUMBER, "3", { double: 3 }],
    [
      "an integer beyond the long range in a number field",
      NUMBER,
      "12345678901234567890123",
      { double: 1.2345678901234568e22 },
    ],
    ["boolean", { type: "boolean" }, "true", { boolean: true }],
    ["date", { type: "string", format: "date" }, '"2024-04-08"', { int: 19_821 }],
    ["time", { type: "string", format: "time" }, '"12:34:56.789"', { long: 45_296_789_000 }],
    [
      "date-time",
      { type: "string", format: "date-time" },
      '"2001-02-03T11:53:10+00:00"',
      { long: 981_201_190_000_000 },
    ],
    [
      "date-time beyond 2^53 microseconds",
      { type: "string", format: "date-time" },
      '"9999-12-31T23:59:59Z"',
      { long: 253_402_300_799_000_000n },
    ],
    ["oneOf string|integer: a string", { oneOf: [STRING, INTEGER] }, '"5"', { string: "5" }],
    ["oneOf string|integer: an integer", { oneOf: [STRING, INTEGER] }, "5", { long: 5 }],
    ["number|integer: an integer takes long", { type: ["number", "integer"] }, "5", { long: 5 }],
    ["number|integer: a fraction takes double", { type: ["number", "integer"] }, "5.5", { double: 5.5 }],
    [
      "number|integer: beyond the long range takes double",
      { type: ["number", "integer"] },
      "1e30",
      { double: 1e30 },
    ],
    [
      "date-time|string: a date-time",
      { oneOf: [{ type: "string", format: "date-time" }, STRING] },
      '"1970-01-01T00:00:01Z"',
      { long: 1_000_000 },
    ],
    [
      "date-time|string: any other string",
      { oneOf: [{ type: "string", format: "date-time" }, STRING] },
      '"soon"',
      { string: "soon" },
    ],
    [
      "date|date-time: a date",
      { type: "string", anyOf: [{ format: "date" }, { format: "date-time" }] },
      '"1970-01-02"',
      { int: 1 },
    ],
    [
      "date|date-time: a date-time",
      { type: "string", anyOf: [{ format: "date" }, { format: "date-time" }] },
      '"1970-01-02T00:00:00Z"',
      { long: 86_400_000_000 },
    ],
    [
      "time demoted beside an integer: a string",
      { type: ["integer", "string"], format: "time" },
      '"10:00"',
      { string: "10:00" },
    ],
    ["untyped: a string as it is", UNTYPED, '"x"', { string: "x" }],
    ["untyped: a number as JSON text", UNTYPED, "5", { string: "5" }],
    ["untyped: a boolean as JSON text", UNTYPED, "false", { string: "false" }],
    ["untyped: an object as JSON text", UNTYPED, '{"a": [1, "b", null]}', { string: '{"a":[1,"b",null]}' }],
    [
      "untyped: big integers keep their digits",
      UNTYPED,
      "[12345678901234567890, -9007199254740993]",
      { string: "[12345678901234567890,-9007199254740993]" },
    ],
    ["untyped: other numbers as JS prints them", UNTYPED, "[1.10, 1e2]", { string: "[1.1,100]" }],
    ["untyped object → JSON text", { type: "object" }, '{"k": {"n": 1}}', { string: '{"k":{"n":1}}' }],
    [
      "untyped array → JSON text",
      { type: "array" },
      '["151", 152, true, {"id": 153}, null]',
      { string: '["151",152,true,{"id":153},null]' },
    ],
    ["array", { type: "array", items: INTEGER }, "[1, null, 3]", { array: [{ long: 1 }, null, { long: 3 }] }],
    ["empty array", { type: "array", items: INTEGER }, "[]", { array: [] }],
    [
      "tuple items",
      { type: "array", items: [STRING, NUMBER] },
      '["a", 2.5]',
      { array: [{ string: "a" }, { double: 2.5 }] },
    ],
    [
      "array of objects",
      { type: "array", items: { type: "object", properties: { id: INTEGER } } },
      '[{"id": 1}, {}]',
      { array: [{ [F]: { id: { long: 1 } } }, { [F]: {} }] },
    ],
    [
      "object → record, undeclared properties in the extras map",
      { type: "object", properties: { a: INTEGER } },
      '{"a": 1, "b": "x", "c": 2, "d": {"e": [true]}, "n": null}',
      {
        [F]: {
          a: { long: 1 },
          _airbyte_additional_properties: { map: { b: "x", c: "2", d: '{"e":[true]}', n: "null" } },
        },
      },
    ],
    [
      "merged object branches",
      {
        anyOf: [
          { type: "object", properties: { a: INTEGER } },
          { type: "object", properties: { a: STRING } },
        ],
      },
      '{"a": "text"}',
      { [F]: { a: { string: "text" } } },
    ],
    [
      "a record or an array of records",
      {
        oneOf: [
          { type: "object", properties: { a: INTEGER } },
          { type: "array", items: { type: "object", properties: { a: INTEGER } } },
        ],
      },
      '[{"a": 1}]',
      { array: [{ "ns.s._airbyte_data.f_2": { a: { long: 1 } } }] },
    ],
    [
      "a renamed property is read by its JSON name",
      { type: "object", properties: { "first name": STRING } },
      '{"first name": "Ada"}',
      { [F]: { first_name: { string: "Ada" } } },
    ],
  ];
  for (const [label, schema, valueText, expected] of cases) {
    test(label, () => expect(plain(fit(schema, valueText))).toEqual(plain(expected)));
  }

  test("a missing property is absent (its default, null)", () => {
    const shape = shapeOf({ properties: { a: INTEGER, b: STRING } });
    expect(plain(avroDataFromText(shape, '{"b": "x"}', STREAM))).toEqual({ b: { string: "x" } });
  });

  test("undeclared properties at the root go to the root's extras map", () => {
    const shape = shapeOf({ properties: { id: INTEGER } });
    const data = avroDataFromText(shape, '{"id": 1, "active": true, "age": 21, "name": "admin"}', STREAM);
    expect(plain(data)).toEqual({
      id: { long: 1 },
      _airbyte_additional_properties: { map: { active: "true", age: "21", name: "admin" } },
    });
  });

  test("a property called __proto__ is data, declared or not", () => {
    const proto = "__proto__";
    const declared = shapeOf(JSON.parse('{"properties": {"__proto__": {"type": "integer"}}}'));
    const data = avroDataFromText(declared, '{"__proto__": 7}', STREAM);
    expect(Object.getPrototypeOf(data)).toBeNull();
    expect(Object.hasOwn(data, "__proto__")).toBe(true);
    expect(plain(data[proto])).toEqual({ long: 7 });

    const undeclared = avroDataFromText(shapeOf({ properties: {} }), '{"__proto__": {"x": 1}}', STREAM);
    const extras = (undeclared._airbyte_additional_properties as AvroObject).map as AvroObject;
    expect(Object.getPrototypeOf(extras)).toBeNull();
    expect(extras[proto]).toBe('{"x":1}');
  });

  test("the lossless parse runs only when an integer beyond 2^53 needs its digits", () => {
    const shape = shapeOf({ properties: { id: INTEGER, score: NUMBER, note: UNTYPED } });
    const calls: string[] = [];
    const run = (text: string): AvroObject =>
      avroData(shape, JSON.parse(text), STREAM, () => {
        calls.push(text);
        return parseJsonLossless(text);
      });
    run('{"id": 1, "score": 12345678901234567890, "note": "x"}');
    expect(calls).toHaveLength(0); // a double loses nothing it had
    expect(plain(run('{"id": 12345678901234567}').id)).toEqual({ long: 12345678901234567n });
    expect(plain(run('{"note": {"big": 12345678901234567890}}').note)).toEqual({
      string: '{"big":12345678901234567890}',
    });
    expect(plain(run('{"other": [18446744073709551616]}')._airbyte_additional_properties)).toEqual({
      map: { other: "[18446744073709551616]" },
    });
    expect(calls).toHaveLength(3);
  });

  test("data parsed losslessly up front needs no second parse", () => {
    const shape = shapeOf({ properties: { id: INTEGER } });
    expect(plain(avroData(shape, parseJsonLossless('{"id": -9007199254740993}'), STREAM).id)).toEqual({
      long: -9007199254740993n,
    });
  });
});

describe("values that do not fit", () => {
  const cases: [string, unknown, string, string][] = [
    ["a string in an integer", INTEGER, '"5"', "field f is a string; the schema allows null, integer"],
    [
      "a fraction in an integer",
      INTEGER,
      "1.5",
      "field f is a number with a fraction; the schema allows null, integer",
    ],
    [
      "beyond the long range",
      INTEGER,
      "9223372036854775808",
      "field f is an integer outside the 64-bit range of an Avro long",
    ],
    [
      "below the long range",
      INTEGER,
      "-9223372036854775809",
      "field f is an integer outside the 64-bit range of an Avro long",
    ],
    ["beyond the double range", NUMBER, "1e999", "field f is a number beyond the range of a double"],
    ["a number in a string", STRING, "5", "field f is a number; the schema allows null, string"],
    [
      "a string in a boolean",
      { type: "boolean" },
      '"true"',
      "field f is a string; the schema allows null, boolean",
    ],
    ["an object in a string", STRING, '{"a": 1}', "field f is an object; the schema allows null, string"],
    [
      "an array in an object",
      { type: "object", properties: { a: INTEGER } },
      "[1]",
      "field f is an array; the schema allows null, object",
    ],
    ["anything in a null field", { type: "null" }, "0", "field f is a number; the schema allows null"],
    [
      "an invalid date",
      { type: "string", format: "date" },
      '"2023-02-29"',
      "field f is a string that is not a valid date",
    ],
    [
      "an invalid date-time",
      { type: "string", format: "date-time" },
      '"yesterday"',
      "field f is a string that is not a valid date-time",
    ],
    [
      "an invalid time",
      { type: "string", format: "time" },
      '"25:00"',
      "field f is a string that is not a valid time",
    ],
    [
      "neither date nor date-time",
      { type: "string", anyOf: [{ format: "date" }, { format: "date-time" }] },
      '"x"',
      "not a valid date or date-time",
    ],
    [
      "a nested field",
      { type: "object", properties: { address: { type: "object", properties: { zip: INTEGER } } } },
      '{"address": {"zip": "x"}}',
      "field f.address.zip is a string",
    ],
    ["an array item", { type: "array", items: INTEGER }, '[1, 2, "three"]', "field f[2] is a string"],
    [
      "a field of an array item",
      { type: "array", items: { type: "object", properties: { id: INTEGER } } },
      '[{"id": 1}, {"id": true}]',
      "field f[1].id is a boolean",
    ],
    ["an infinity in JSON text", UNTYPED, "[1e999]", "field f holds a number beyond the range of a double"],
  ];
  for (const [label, schema, valueText, expected] of cases) {
    test(label, () => {
      const message = misfit(schema, valueText);
      expect(message).toStartWith(`A record of stream ${STREAM} does not fit its Avro schema: `);
      expect(message).toContain(expected);
    });
  }

  test("the message never quotes the value", () => {
    const secret = "s3cr3t-value-2023-02-29";
    const message = misfit({ type: "string", format: "date" }, JSON.stringify(secret));
    expect(message).not.toContain(secret);
    expect(misfit(INTEGER, "123456789012345678901234567890")).not.toContain("1234567890");
  });

  test("data that is not an object", () => {
    const shape = shapeOf({ properties: {} });
    for (const data of [[1], "x", null, 5]) {
      expect(() => avroData(shape, data, STREAM)).toThrow(
        `A record of stream ${STREAM} does not fit its Avro schema: its data is not a JSON object.`,
      );
    }
  });
});

describe("the envelope value", () => {
  test("holds the reference fields around the data", () => {
    const data = avroDataFromText(shapeOf({ properties: { id: INTEGER } }), '{"id": 1}', STREAM);
    const envelope = avroEnvelope({ id: "uuid-1", stream: "s", emittedAt: 1_700_000_000_000 }, data);
    expect(plain(envelope)).toEqual({
      _airbyte_ab_id: "uuid-1",
      _airbyte_stream: "s",
      _airbyte_emitted_at: 1_700_000_000_000,
      _airbyte_data: { id: { long: 1 } },
    });
  });

  test("refuses an emitted_at that is not whole milliseconds", () => {
    expect(() => avroEnvelope({ id: "u", stream: "s", emittedAt: 1.5 }, Object.create(null))).toThrow(
      "A record of stream s has an emitted_at that is not a whole number of milliseconds.",
    );
  });
});

/** A value with prototype-less objects made ordinary, for toEqual. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.keys(value).map((key) => [key, plain((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
