/**
 * Encode → decode round trips with avsc for realistic Airbyte streams: source-faker's users,
 * products and purchases (schemas and records as `discover` and `read` gave them) and a hand-written
 * stream with every construct. Each message is framed in the Confluent wire format, unframed,
 * decoded with the schema alone, and compared field by field with the record it came from.
 */
import { describe, expect, test } from "bun:test";
import { Buffer } from "node:buffer";
import { avroType, encodeFramed } from "../../src/formats/avro-codec.ts";
import { streamAvro } from "../../src/formats/avro-schema.ts";
import { avroDataFromText, avroEnvelope, avroEnvelopeV2 } from "../../src/formats/avro-value.ts";
import { stringifyJsonLossless } from "../../src/formats/json-lossless.ts";
import { unframe } from "../../src/formats/wire.ts";
import faker from "./fixtures/source-faker.json";

const ID = "0f8fad5b-d9cb-469f-a165-70867728950e";
const EMITTED_AT = 1_764_177_981_000;

/** Encodes one record of `stream` as the connector would, then decodes it with the schema alone. */
function roundTrip(
  stream: { name: string; namespace?: string; jsonSchema: unknown },
  dataText: string,
  schemaId = 42,
) {
  const avro = streamAvro(stream);
  const type = avroType(avro.schema);
  const data = avroDataFromText(avro.data, dataText, stream.name);
  const framed = encodeFramed(
    type,
    schemaId,
    avroEnvelope({ id: ID, stream: stream.name, emittedAt: EMITTED_AT }, data),
  );
  const { schemaId: id, payload } = unframe(framed);
  expect(id).toBe(schemaId);
  const decoded = unwrap(avroType(avro.schema).fromBuffer(Buffer.from(payload))) as Record<string, unknown>;
  expect(decoded._airbyte_ab_id).toBe(ID);
  expect(decoded._airbyte_stream).toBe(stream.name);
  expect(decoded._airbyte_emitted_at).toBe(EMITTED_AT);
  const fields = decoded._airbyte_data as Record<string, unknown>;
  // What was fitted is what decodes, absent fields (the default) decoding as null.
  expect(withoutNulls(fields)).toEqual(withoutNulls(unwrap(data)) as Record<string, unknown>);
  return { decoded: fields, bytes: framed.length };
}

describe("the Destinations V2 envelope", () => {
  test("decodes to the raw id, extracted_at, meta with its changes, the generation and the data", () => {
    const stream = {
      name: "users",
      namespace: "faker",
      jsonSchema: { type: "object", properties: { id: { type: "integer" } } },
    };
    const avro = streamAvro(stream, "airbyte_v2");
    expect(avro.schema.fields.map((field) => field.name)).toEqual([
      "_airbyte_raw_id",
      "_airbyte_extracted_at",
      "_airbyte_meta",
      "_airbyte_generation_id",
      "_airbyte_data",
    ]);
    const type = avroType(avro.schema);
    const data = avroDataFromText(avro.data, '{"id":7}', stream.name);
    const changes = [
      { field: "bio", change: "TRUNCATED", reason: "SOURCE_FIELD_SIZE_LIMITATION" },
      { field: 5, change: "NULLED" },
    ];
    const envelope = {
      rawId: ID,
      extractedAt: EMITTED_AT,
      syncId: 42,
      generationId: 3,
      changes,
      stream: stream.name,
    };
    const decoded = unwrap(type.fromBuffer(type.toBuffer(avroEnvelopeV2(envelope, data)))) as Record<
      string,
      unknown
    >;
    expect(decoded._airbyte_raw_id).toBe(ID);
    expect(decoded._airbyte_extracted_at).toBe(EMITTED_AT);
    expect(decoded._airbyte_meta).toEqual({
      sync_id: 42,
      changes: [
        { field: "bio", change: "TRUNCATED", reason: "SOURCE_FIELD_SIZE_LIMITATION" },
        { field: "5", change: "NULLED", reason: null },
      ],
    });
    expect(decoded._airbyte_generation_id).toBe(3);
    expect((decoded._airbyte_data as Record<string, unknown>).id).toBe(7);
    const bare = avroEnvelopeV2(
      { ...envelope, syncId: undefined, generationId: undefined, changes: [] },
      data,
    );
    const none = unwrap(type.fromBuffer(type.toBuffer(bare))) as Record<string, unknown>;
    expect([none._airbyte_meta, none._airbyte_generation_id]).toEqual([{ sync_id: null, changes: [] }, null]);
  });
});

describe("source-faker streams", () => {
  for (const stream of faker.streams) {
    test(`${stream.name}: every record decodes to its data`, () => {
      expect(stream.records.length).toBeGreaterThan(0);
      for (const record of stream.records) {
        const { decoded } = roundTrip(
          { name: stream.name, namespace: "faker", jsonSchema: stream.json_schema },
          JSON.stringify(record),
        );
        const properties = stream.json_schema.properties as unknown as Record<string, { format?: string }>;
        for (const [key, value] of Object.entries(record as Record<string, unknown>)) {
          expect(naturalOf(decoded[key], properties[key]?.format)).toEqual(value);
        }
        // Properties a record lacks decode as null (purchases.returned_at).
        for (const key of Object.keys(properties)) if (!(key in record)) expect(decoded[key]).toBeNull();
        expect(decoded._airbyte_additional_properties).toBeNull();
      }
    });
  }
});

describe("a stream with every construct", () => {
  const jsonSchema = {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    definitions: {
      money: { type: "object", properties: { amount: { type: "number" }, currency: { type: "string" } } },
    },
    properties: {
      id: { type: "integer" },
      big: { type: ["null", "integer"] },
      "display name": { type: "string" },
      born: { type: "string", format: "date" },
      wakes: { type: "string", format: "time" },
      seen: { type: "string", format: "date-time" },
      score: { type: "number" },
      vip: { type: "boolean" },
      tags: { type: "array", items: { type: "string" } },
      lines: {
        type: "array",
        items: {
          type: "object",
          properties: {
            sku: { type: "string" },
            qty: { type: "integer" },
            price: { $ref: "#/definitions/money" },
          },
        },
      },
      code: { oneOf: [{ type: "string" }, { type: "integer" }] },
      meta: { type: "object" },
      raw: {},
      "2nd": { type: "boolean" },
    },
  };
  const record = {
    id: 1,
    big: 9223372036854775807n,
    "display name": "Ada Lovelace",
    born: "1815-12-10",
    wakes: "06:30:00",
    seen: "2026-11-26T17:26:21.123456+01:00",
    score: 99.5,
    vip: true,
    tags: ["a", null, "c"],
    lines: [
      { sku: "X-1", qty: 2, price: { amount: 9.99, currency: "EUR" } },
      { sku: "Y-2", qty: 1, price: null, note: "gift" },
    ],
    code: 7,
    meta: { source: "api", nested: { deep: [1, 2, 3] } },
    raw: "as is",
    "2nd": false,
    unexpected: { kept: 12345678901234567890n },
  };
  const text = stringifyJsonLossless(record);

  test("decodes to the values the mapping promises", () => {
    const { decoded } = roundTrip({ name: "orders", namespace: "shop", jsonSchema }, text);
    expect(decoded).toEqual({
      id: 1,
      big: 9223372036854775807n,
      display_name: "Ada Lovelace",
      born: -56_270,
      wakes: 23_400_000_000,
      seen: 1_795_710_381_123_456,
      score: 99.5,
      vip: true,
      tags: ["a", null, "c"],
      lines: [
        {
          sku: "X-1",
          qty: 2,
          price: { amount: 9.99, currency: "EUR", _airbyte_additional_properties: null },
          _airbyte_additional_properties: null,
        },
        { sku: "Y-2", qty: 1, price: null, _airbyte_additional_properties: { note: "gift" } },
      ],
      code: 7,
      meta: '{"source":"api","nested":{"deep":[1,2,3]}}',
      raw: "as is",
      _2nd: false,
      _airbyte_additional_properties: { unexpected: '{"kept":12345678901234567890}' },
    });
  });

  test("an empty record decodes to all nulls", () => {
    const { decoded } = roundTrip({ name: "orders", namespace: "shop", jsonSchema }, "{}");
    for (const value of Object.values(decoded)) expect(value).toBeNull();
  });

  test("a value needing more than the 64 KiB scratch buffer", () => {
    const long = "x".repeat(200_000);
    const { decoded, bytes } = roundTrip(
      { name: "orders", jsonSchema },
      JSON.stringify({ raw: long, tags: [long, long] }),
    );
    expect(decoded.raw).toBe(long);
    expect(decoded.tags).toEqual([long, long]);
    expect(bytes).toBeGreaterThan(600_000);
  });

  test("throughput: fit + encode + frame", () => {
    const users = faker.streams.find((s) => s.name === "users");
    if (!users) throw new Error("no users fixture");
    const avro = streamAvro({ name: "users", namespace: "faker", jsonSchema: users.json_schema });
    const type = avroType(avro.schema);
    const texts = users.records.map((r) => JSON.stringify(r));
    const rounds = 20_000;
    let bytes = 0;
    const started = performance.now();
    for (let i = 0; i < rounds; i++) {
      const data = avroDataFromText(avro.data, texts[i % texts.length] as string, "faker.users");
      bytes += encodeFramed(
        type,
        1,
        avroEnvelope({ id: ID, stream: "users", emittedAt: EMITTED_AT }, data),
      ).length;
    }
    const seconds = (performance.now() - started) / 1000;
    const jsonBytes = texts.reduce((sum, t) => sum + t.length, 0) / texts.length;
    console.log(
      `avro users: ${Math.round(rounds / seconds).toLocaleString("en")} records/s (parse + fit + encode + frame), ${Math.round(bytes / rounds)} B/message vs ${Math.round(jsonBytes)} B of data JSON`,
    );
    expect(rounds / seconds).toBeGreaterThan(5_000);
  });
});

// --- internal ---

/** avsc's decoded value with unions unwrapped and records made plain objects. */
function unwrap(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrap);
  if (typeof value !== "object" || value === null || Buffer.isBuffer(value)) return value;
  const keys = Object.keys(value);
  const entries = keys.map((key) => [key, unwrap((value as Record<string, unknown>)[key])] as const);
  // A wrapped union branch is an object with one key naming a type.
  if (keys.length === 1 && isBranchName(keys[0] as string, value)) return entries[0]?.[1];
  return Object.fromEntries(entries);
}

/**
 * A wrapped union branch: avsc decodes it as a `Branch$`; avro-value.ts makes it a plain object
 * (its records and maps have no prototype, so a one-key map is not mistaken for a branch).
 */
function isBranchName(key: string, value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  const wrapper = value.constructor?.name === "Branch$" || prototype === Object.prototype;
  return (
    wrapper &&
    (["boolean", "int", "long", "double", "string", "array", "map"].includes(key) || key.includes("."))
  );
}

/** `value` with null-valued object members left out (absent and null are the same to Avro here). */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}

/** A decoded faker value back to the JSON the source wrote (timestamps via Date, independent of temporal.ts). */
function naturalOf(decoded: unknown, format: string | undefined): unknown {
  if (format === "date-time" && typeof decoded === "number") {
    const iso = new Date(Math.floor(decoded / 1000)).toISOString().slice(0, 19);
    const micros = decoded % 1_000_000;
    return micros === 0 ? `${iso}+00:00` : `${iso}.${String(micros).padStart(6, "0")}`;
  }
  if (typeof decoded === "object" && decoded !== null && !Array.isArray(decoded)) {
    const { _airbyte_additional_properties: _extras, ...rest } = decoded as Record<string, unknown>;
    return rest;
  }
  return decoded;
}
