/** The JSON Schema registered for a stream in `json_schema` format (src/formats/json-schema-value.ts). */
import { describe, expect, test } from "bun:test";
import { jsonSchemaForStream } from "../../src/formats/json-schema-value.ts";
import faker from "./fixtures/source-faker.json";

describe("jsonSchemaForStream", () => {
  test("is the draft-07 envelope with the stream's schema as _airbyte_data", () => {
    const users = faker.streams.find((s) => s.name === "users");
    if (!users) throw new Error("no users fixture");
    const { $schema: _ignored, ...data } = users.json_schema;
    expect(jsonSchemaForStream({ name: "users", namespace: "faker", jsonSchema: users.json_schema })).toEqual(
      {
        $schema: "http://json-schema.org/draft-07/schema#",
        title: "faker.users",
        type: "object",
        properties: {
          _airbyte_ab_id: { type: "string" },
          _airbyte_stream: { type: "string" },
          _airbyte_emitted_at: { type: "integer" },
          _airbyte_data: data,
        },
        required: ["_airbyte_ab_id", "_airbyte_stream", "_airbyte_emitted_at", "_airbyte_data"],
        additionalProperties: false,
      },
    );
  });

  test("the V2 layout describes _airbyte_raw_id, _airbyte_extracted_at, _airbyte_meta and _airbyte_generation_id", () => {
    const document = jsonSchemaForStream({ name: "s", jsonSchema: { type: "object" } }, "airbyte_v2");
    expect(document.properties).toEqual({
      _airbyte_raw_id: { type: "string", format: "uuid" },
      _airbyte_extracted_at: { type: "integer" },
      _airbyte_meta: {
        type: "object",
        properties: {
          sync_id: { type: ["integer", "null"] },
          changes: {
            type: "array",
            items: {
              type: "object",
              properties: {
                field: { type: "string" },
                change: { type: "string" },
                reason: { type: "string" },
              },
            },
          },
        },
        required: ["sync_id", "changes"],
      },
      _airbyte_generation_id: { type: ["integer", "null"] },
      _airbyte_data: { type: "object" },
    });
    expect(document.required).toEqual([
      "_airbyte_raw_id",
      "_airbyte_extracted_at",
      "_airbyte_meta",
      "_airbyte_generation_id",
      "_airbyte_data",
    ]);
    expect(document.additionalProperties).toBe(false);
  });

  test("its title is the Avro envelope's full name (same subjects under the record strategies)", () => {
    expect(jsonSchemaForStream({ name: "order items", namespace: "my-db", jsonSchema: {} }).title).toBe(
      "my_db.order_items",
    );
    expect(jsonSchemaForStream({ name: "s", jsonSchema: {} }).title).toBe("s");
  });

  test("an empty or missing stream schema becomes an open object", () => {
    for (const jsonSchema of [undefined, true, {}]) {
      const properties = jsonSchemaForStream({ name: "s", jsonSchema }).properties as Record<string, unknown>;
      expect(properties._airbyte_data).toEqual({ type: "object" });
    }
  });

  test("local $refs are re-rooted, $id dropped, well-known types inlined, data left alone", () => {
    const jsonSchema = {
      $schema: "http://json-schema.org/draft-07/schema#",
      $id: "https://example.com/stream.json",
      type: "object",
      definitions: {
        money: {
          type: "object",
          properties: { amount: { $ref: "WellKnownTypes.json#/definitions/Number" } },
        },
      },
      properties: {
        price: { $ref: "#/definitions/money" },
        self: { $ref: "#" },
        born: { $ref: "WellKnownTypes.json#/definitions/Date", description: "birthday" },
        count: { $ref: "WellKnownTypes.json#/definitions/Integer" },
        mystery: { $ref: "WellKnownTypes.json#/definitions/Money" },
        list: { type: "array", items: [{ $ref: "#/definitions/money" }] },
        either: { oneOf: [{ $ref: "#/definitions/money" }, { type: "null" }] },
        $ref: { type: "string", default: { $ref: "#/not/a/schema" }, enum: [{ $ref: "#/x" }] },
      },
    };
    const data = (jsonSchemaForStream({ name: "s", jsonSchema }).properties as Record<string, unknown>)
      ._airbyte_data;
    expect(data).toEqual({
      type: "object",
      definitions: { money: { type: "object", properties: { amount: { type: "number" } } } },
      properties: {
        price: { $ref: "#/properties/_airbyte_data/definitions/money" },
        self: { $ref: "#/properties/_airbyte_data" },
        born: { description: "birthday", type: "string", format: "date" },
        count: { type: "integer" },
        mystery: {},
        list: { type: "array", items: [{ $ref: "#/properties/_airbyte_data/definitions/money" }] },
        either: { oneOf: [{ $ref: "#/properties/_airbyte_data/definitions/money" }, { type: "null" }] },
        $ref: { type: "string", default: { $ref: "#/not/a/schema" }, enum: [{ $ref: "#/x" }] },
      },
    });
    // The input is not modified.
    expect(jsonSchema.properties.price.$ref).toBe("#/definitions/money");
  });
});
