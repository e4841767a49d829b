/**
 * JSON Schema → Avro schema (src/formats/avro-schema.ts), table-driven over every construct the
 * mapping table names, plus the envelope, naming and validity (avsc parses every schema).
 */
import { describe, expect, test } from "bun:test";
import { avroType } from "../../src/formats/avro-codec.ts";
import {
  type AvroField,
  type AvroRecordSchema,
  type AvroSchema,
  streamAvro,
} from "../../src/formats/avro-schema.ts";
import faker from "./fixtures/source-faker.json";

const EXTRAS: AvroField = {
  name: "_airbyte_additional_properties",
  type: ["null", { type: "map", values: "string" }],
  default: null,
};
const NS = "ns.s._airbyte_data";
const DATE = { type: "int", logicalType: "date" };
const TIME = { type: "long", logicalType: "time-micros" };
const TIMESTAMP = { type: "long", logicalType: "timestamp-micros" };

/** The data record for a root schema with the given properties (stream `ns.s`). */
function dataRecord(jsonSchema: unknown): AvroRecordSchema {
  const { schema } = streamAvro({ name: "s", namespace: "ns", jsonSchema });
  avroType(schema); // every schema must be valid Avro
  const data = schema.fields.find((field) => field.name === "_airbyte_data");
  return data?.type as AvroRecordSchema;
}

/** The Avro type of property `f` declared with `schema`. */
function fieldType(schema: unknown, extra: Record<string, unknown> = {}): AvroSchema | undefined {
  const record = dataRecord({ type: "object", properties: { f: schema }, ...extra });
  return record.fields.find((field) => field.name === "f")?.type;
}

function record(name: string, namespace: string, fields: AvroField[]): AvroRecordSchema {
  return { type: "record", name, namespace, fields: [...fields, EXTRAS] };
}

function field(name: string, type: AvroSchema, doc?: string): AvroField {
  return { name, type, default: null, ...(doc === undefined ? {} : { doc }) };
}

describe("each JSON Schema construct becomes", () => {
  const cases: [string, unknown, AvroSchema][] = [
    ["string", { type: "string" }, ["null", "string"]],
    ["number → double", { type: "number" }, ["null", "double"]],
    ["integer → long", { type: "integer" }, ["null", "long"]],
    [
      "number with airbyte_type integer → long",
      { type: "number", airbyte_type: "integer" },
      ["null", "long"],
    ],
    ["boolean", { type: "boolean" }, ["null", "boolean"]],
    ["null → plain null", { type: "null" }, "null"],
    ["a nullable type array", { type: ["string", "null"] }, ["null", "string"]],
    [
      "a type array → union in its order",
      { type: ["null", "integer", "string"] },
      ["null", "long", "string"],
    ],
    ["number and integer both", { type: ["number", "integer"] }, ["null", "double", "long"]],
    ["format date → int/date", { type: "string", format: "date" }, ["null", DATE]],
    ["format time → long/time-micros", { type: "string", format: "time" }, ["null", TIME]],
    [
      "format date-time → long/timestamp-micros",
      { type: "string", format: "date-time" },
      ["null", TIMESTAMP],
    ],
    [
      "source-faker's date-time",
      { type: ["null", "string"], format: "date-time", airbyte_type: "timestamp_with_timezone" },
      ["null", TIMESTAMP],
    ],
    [
      "airbyte_type timestamp without format",
      { type: "string", airbyte_type: "timestamp_without_timezone" },
      ["null", TIMESTAMP],
    ],
    [
      "airbyte_type time without format",
      { type: "string", airbyte_type: "time_with_timezone" },
      ["null", TIME],
    ],
    [
      "another format → its base type",
      { type: "string", format: "email", pattern: "@", maxLength: 9 },
      ["null", "string"],
    ],
    ["enum of strings, no type", { enum: ["a", "b"] }, ["null", "string"]],
    ["enum of integers, no type", { enum: [1, 2] }, ["null", "long"]],
    ["enum with null", { enum: ["a", null] }, ["null", "string"]],
    ["const", { const: true }, ["null", "boolean"]],
    ["format without type", { format: "date" }, ["null", DATE]],
    ["untyped {} → string (JSON text)", {}, ["null", "string"]],
    ["untyped true → string (JSON text)", true, ["null", "string"]],
    ["annotations only → string (JSON text)", { description: "d", title: "t" }, ["null", "string"]],
    ["false (nothing allowed) → null", false, "null"],
    ["an unknown type name → string (JSON text)", { type: "decimal" }, ["null", "string"]],
    ["object without properties → string (JSON text)", { type: "object" }, ["null", "string"]],
    [
      "object with empty properties → string (JSON text)",
      { type: "object", properties: {} },
      ["null", "string"],
    ],
    [
      "object with properties → record",
      { type: "object", properties: { a: { type: "integer" }, b: { type: "string" } } },
      ["null", record("f", NS, [field("a", ["null", "long"]), field("b", ["null", "string"])])],
    ],
    [
      "properties without type → record",
      { properties: { a: { type: "boolean" } } },
      ["null", record("f", NS, [field("a", ["null", "boolean"])])],
    ],
    [
      "nested objects → nested records, namespaced by their parents",
      { type: "object", properties: { g: { type: "object", properties: { h: { type: "number" } } } } },
      [
        "null",
        record("f", NS, [field("g", ["null", record("g", `${NS}.f`, [field("h", ["null", "double"])])])]),
      ],
    ],
    [
      "array of strings",
      { type: "array", items: { type: "string" } },
      ["null", { type: "array", items: ["null", "string"] }],
    ],
    ["array without items → string (JSON text)", { type: "array" }, ["null", "string"]],
    [
      "array of untyped items",
      { type: "array", items: {} },
      ["null", { type: "array", items: ["null", "string"] }],
    ],
    [
      "tuple items → array of their union",
      { type: "array", items: [{ type: "string" }, { type: "number" }] },
      ["null", { type: "array", items: ["null", "string", "double"] }],
    ],
    [
      "prefixItems → array of their union",
      { type: "array", prefixItems: [{ type: "integer" }, { type: "boolean" }] },
      ["null", { type: "array", items: ["null", "long", "boolean"] }],
    ],
    [
      "array of objects → array of records named after the field",
      { type: "array", items: { type: "object", properties: { id: { type: "integer" } } } },
      ["null", { type: "array", items: ["null", record("f", NS, [field("id", ["null", "long"])])] }],
    ],
    [
      "tuple of objects → one merged record (the doc's array_field example)",
      {
        type: "array",
        items: [
          {
            type: "object",
            properties: {
              id: { type: "object", properties: { p1: { type: "integer" }, p2: { type: "string" } } },
            },
          },
          {
            type: "object",
            properties: {
              id: { type: "object", properties: { p1: { type: "string" }, p2: { type: "integer" } } },
              message: { type: "string" },
            },
          },
        ],
      },
      [
        "null",
        {
          type: "array",
          items: [
            "null",
            record("f", NS, [
              field("id", [
                "null",
                record("id", `${NS}.f`, [
                  field("p1", ["null", "long", "string"]),
                  field("p2", ["null", "string", "long"]),
                ]),
              ]),
              field("message", ["null", "string"]),
            ]),
          ],
        },
      ],
    ],
    [
      "array of arrays",
      { type: "array", items: { type: "array", items: { type: "integer" } } },
      ["null", { type: "array", items: ["null", { type: "array", items: ["null", "long"] }] }],
    ],
    ["oneOf → union", { oneOf: [{ type: "string" }, { type: "integer" }] }, ["null", "string", "long"]],
    ["anyOf → union", { anyOf: [{ type: "boolean" }, { type: "null" }] }, ["null", "boolean"]],
    [
      "oneOf with the keywords around it",
      { type: "string", oneOf: [{ format: "date" }, { format: "date-time" }] },
      ["null", DATE, TIMESTAMP],
    ],
    [
      "object branches merge into one record",
      {
        anyOf: [
          { type: "object", properties: { a: { type: "integer" } } },
          { type: "object", properties: { a: { type: "string" }, b: { type: "boolean" } } },
        ],
      },
      ["null", record("f", NS, [field("a", ["null", "long", "string"]), field("b", ["null", "boolean"])])],
    ],
    [
      "a record and an array of records get distinct names",
      {
        oneOf: [
          { type: "object", properties: { a: { type: "integer" } } },
          { type: "array", items: { type: "object", properties: { b: { type: "integer" } } } },
        ],
      },
      [
        "null",
        record("f", NS, [field("a", ["null", "long"])]),
        { type: "array", items: ["null", record("f_2", NS, [field("b", ["null", "long"])])] },
      ],
    ],
    [
      "allOf → its parts merged",
      {
        allOf: [
          { type: "object", properties: { a: { type: "integer" } } },
          { properties: { b: { type: "string" } } },
        ],
      },
      ["null", record("f", NS, [field("a", ["null", "long"]), field("b", ["null", "string"])])],
    ],
    ["allOf of a type and a format", { allOf: [{ type: "string" }, { format: "date" }] }, ["null", DATE]],
    [
      "allOf intersects types",
      { allOf: [{ type: ["string", "integer"] }, { type: ["integer", "null"] }] },
      ["null", "long"],
    ],
    ["allOf: integer within number", { allOf: [{ type: "number" }, { type: "integer" }] }, ["null", "long"]],
    [
      "a union with an untyped branch → string (JSON text)",
      { oneOf: [{ type: "integer" }, {}] },
      ["null", "string"],
    ],
    [
      "integer beside date-time: the integer keeps long",
      { type: ["integer", "string"], format: "date-time" },
      ["null", "long", "string"],
    ],
    [
      "time beside date-time → string",
      {
        oneOf: [
          { type: "string", format: "time" },
          { type: "string", format: "date-time" },
        ],
      },
      ["null", "string"],
    ],
    [
      "time and date-time beside a string → that string",
      {
        oneOf: [
          { type: "string", format: "time" },
          { type: "string" },
          { type: "string", format: "date-time" },
        ],
      },
      ["null", "string"],
    ],
    [
      "date beside date-time (int and long)",
      {
        oneOf: [
          { type: "string", format: "date" },
          { type: "string", format: "date-time" },
        ],
      },
      ["null", DATE, TIMESTAMP],
    ],
    ["not → ignored", { type: "string", not: { enum: ["x"] } }, ["null", "string"]],
    [
      "if/then/else → ignored",
      JSON.parse('{"type": "integer", "if": {"minimum": 0}, "then": {}, "else": {}}'),
      ["null", "long"],
    ],
    ["WellKnownTypes Integer", { $ref: "WellKnownTypes.json#/definitions/Integer" }, ["null", "long"]],
    ["WellKnownTypes Number", { $ref: "WellKnownTypes.json#/definitions/Number" }, ["null", "double"]],
    ["WellKnownTypes Date", { $ref: "WellKnownTypes.json#/definitions/Date" }, ["null", DATE]],
    [
      "WellKnownTypes TimestampWithoutTimezone",
      { $ref: "WellKnownTypes.json#/definitions/TimestampWithoutTimezone" },
      ["null", TIMESTAMP],
    ],
    [
      "WellKnownTypes TimeWithTimezone",
      { $ref: "WellKnownTypes.json#/definitions/TimeWithTimezone" },
      ["null", TIME],
    ],
    [
      "WellKnownTypes BinaryData",
      { $ref: "WellKnownTypes.json#/definitions/BinaryData" },
      ["null", "string"],
    ],
    ["WellKnownTypes Boolean", { $ref: "WellKnownTypes.json#/definitions/Boolean" }, ["null", "boolean"]],
    [
      "an unknown well-known type → string (JSON text)",
      { $ref: "WellKnownTypes.json#/definitions/Money" },
      ["null", "string"],
    ],
    [
      "an external $ref → string (JSON text)",
      { $ref: "https://example.com/schema.json#/x" },
      ["null", "string"],
    ],
    ["a dangling $ref → string (JSON text)", { $ref: "#/definitions/missing" }, ["null", "string"]],
    [
      "oneOf of well-known types",
      {
        oneOf: [
          { $ref: "WellKnownTypes.json#/definitions/Integer" },
          { $ref: "WellKnownTypes.json#/definitions/String" },
        ],
      },
      ["null", "long", "string"],
    ],
  ];
  for (const [label, schema, expected] of cases) {
    test(label, () => expect(fieldType(schema)).toEqual(expected));
  }

  test("a local $ref → the schema it points to", () => {
    const definitions = {
      money: { type: "object", properties: { amount: { type: "number" }, currency: { type: "string" } } },
    };
    expect(fieldType({ $ref: "#/definitions/money" }, { definitions })).toEqual([
      "null",
      record("f", NS, [field("amount", ["null", "double"]), field("currency", ["null", "string"])]),
    ]);
    expect(fieldType({ $ref: "#/$defs/a~1b" }, { $defs: { "a/b": { type: "integer" } } })).toEqual([
      "null",
      "long",
    ]);
  });

  test("a $ref cycle → string (JSON text) where it repeats", () => {
    const definitions = {
      node: {
        type: "object",
        properties: {
          name: { type: "string" },
          children: { type: "array", items: { $ref: "#/definitions/node" } },
        },
      },
    };
    expect(fieldType({ $ref: "#/definitions/node" }, { definitions })).toEqual([
      "null",
      record("f", NS, [
        field("name", ["null", "string"]),
        field("children", ["null", { type: "array", items: ["null", "string"] }]),
      ]),
    ]);
  });

  test("nesting deeper than 32 levels → string (JSON text) there", () => {
    let schema: unknown = { type: "integer" };
    for (let i = 0; i < 40; i++) schema = { type: "object", properties: { x: schema } };
    let type = fieldType(schema);
    let depth = 0;
    while (
      Array.isArray(type) &&
      typeof type[1] === "object" &&
      !Array.isArray(type[1]) &&
      type[1].type === "record"
    ) {
      type = (type[1] as AvroRecordSchema).fields[0]?.type;
      depth++;
    }
    expect(depth).toBe(32);
    expect(type).toEqual(["null", "string"]);
  });
});

describe("names", () => {
  test("property names are made legal, the original kept in doc, collisions suffixed", () => {
    // Parsed, so that __proto__ is an own property as in a real catalog.
    const data = dataRecord(
      JSON.parse(`{"type": "object", "properties": {
        "first name": {"type": "string"},
        "first_name": {"type": "string"},
        "first-name": {"type": "string"},
        "2fa": {"type": "boolean"},
        "spécial": {"type": "integer"},
        "_airbyte_additional_properties": {"type": "string"},
        "__proto__": {"type": "string"}
      }}`),
    );
    expect(data.fields.map((f) => [f.name, f.doc])).toEqual([
      ["first_name_2", "_airbyte_original_name:first name"],
      ["first_name", undefined],
      ["first_name_3", "_airbyte_original_name:first-name"],
      ["_2fa", "_airbyte_original_name:2fa"],
      ["special", "_airbyte_original_name:spécial"],
      ["_airbyte_additional_properties_2", "_airbyte_original_name:_airbyte_additional_properties"],
      ["__proto__", undefined],
      ["_airbyte_additional_properties", undefined],
    ]);
  });

  test("records are named after their field, in their parent's namespace, and unique", () => {
    const { schema } = streamAvro({
      name: "s",
      namespace: "ns",
      jsonSchema: {
        properties: {
          "a b": { type: "object", properties: { x: { type: "integer" } } },
          a_b: { type: "object", properties: { x: { type: "integer" } } },
        },
      },
    });
    const names: string[] = [];
    const collect = (node: unknown, namespace: string | undefined): void => {
      if (Array.isArray(node)) for (const item of node) collect(item, namespace);
      else if (typeof node === "object" && node !== null) {
        const n = node as Record<string, unknown>;
        let inner = namespace;
        if (n.type === "record") {
          inner = typeof n.namespace === "string" ? n.namespace : namespace;
          const full = inner === undefined ? String(n.name) : `${inner}.${String(n.name)}`;
          names.push(full);
          inner = full;
        }
        for (const value of Object.values(n)) collect(value, n.type === "record" ? inner : namespace);
      }
    };
    collect(schema, undefined);
    expect(names).toEqual([
      "ns.s",
      "ns.s._airbyte_data",
      "ns.s._airbyte_data.a_b_2",
      "ns.s._airbyte_data.a_b",
    ]);
  });
});

describe("the envelope", () => {
  test("is the reference layout with the data as a nested record", () => {
    const avro = streamAvro({
      name: "users",
      namespace: "public",
      jsonSchema: { type: "object", properties: { id: { type: "integer" } } },
    });
    expect(avro.fullName).toBe("public.users");
    expect(avro.schema).toEqual({
      type: "record",
      name: "users",
      namespace: "public",
      fields: [
        { name: "_airbyte_ab_id", type: { type: "string", logicalType: "uuid" } },
        { name: "_airbyte_stream", type: "string" },
        { name: "_airbyte_emitted_at", type: { type: "long", logicalType: "timestamp-millis" } },
        {
          name: "_airbyte_data",
          type: record("_airbyte_data", "public.users", [field("id", ["null", "long"])]),
        },
      ],
    });
  });

  test("a stream name that is not Avro-legal is sanitized, the original in doc; no namespace, none", () => {
    const avro = streamAvro({ name: "order items", jsonSchema: {} });
    expect(avro.fullName).toBe("order_items");
    expect(avro.schema.name).toBe("order_items");
    expect(avro.schema.namespace).toBeUndefined();
    expect(avro.schema.doc).toBe("_airbyte_original_name:order items");
    expect(avro.schema.fields[3]?.type).toEqual({
      type: "record",
      name: "_airbyte_data",
      namespace: "order_items",
      fields: [EXTRAS],
    });
  });

  test("an untyped root keeps everything in the extras map; object alternatives at the root merge", () => {
    expect(dataRecord(undefined).fields).toEqual([EXTRAS]);
    expect(dataRecord({ type: "object" }).fields).toEqual([EXTRAS]);
    expect(
      dataRecord({
        oneOf: [{ properties: { a: { type: "integer" } } }, { properties: { b: { type: "string" } } }],
      }).fields,
    ).toEqual([field("a", ["null", "long"]), field("b", ["null", "string"]), EXTRAS]);
  });

  test("source-faker's streams give valid schemas", () => {
    for (const stream of faker.streams) {
      const avro = streamAvro({ name: stream.name, namespace: "faker", jsonSchema: stream.json_schema });
      expect(() => avroType(avro.schema)).not.toThrow();
      expect(avro.data.fields.map((f) => f.source)).toEqual(Object.keys(stream.json_schema.properties));
    }
  });
});

describe("limits", () => {
  test("a $ref graph that would multiply stops at 10,000 fields, quickly", () => {
    // d0 → two properties of d1 → two of d2 … : 2^25 fields if expanded in full.
    const definitions: Record<string, unknown> = {};
    for (let i = 0; i < 25; i++) {
      const next = { $ref: `#/definitions/d${i + 1}` };
      definitions[`d${i}`] = { type: "object", properties: { a: next, b: next } };
    }
    definitions.d25 = { type: "integer" };
    const started = performance.now();
    const { schema } = streamAvro({
      name: "s",
      jsonSchema: { definitions, properties: { f: { $ref: "#/definitions/d0" } } },
    });
    const fields = JSON.stringify(schema).match(/"default":null/g)?.length ?? 0;
    expect(fields).toBeLessThan(25_000);
    expect(() => avroType(schema)).not.toThrow();
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
