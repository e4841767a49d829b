/**
 * registryCodec on its own, with a fake registry: which streams get one, what it registers, and the
 * framed value and key it makes. What write does with it per format: test/pipeline/write.registry.test.ts.
 */
import { describe, expect, it } from "bun:test";
import { REFERENCE_RECORD } from "../../src/codec/record.ts";
import { registryCodec } from "../../src/codec/registry-record.ts";
import { avroType } from "../../src/formats/avro-codec.ts";
import type { AvroSchema } from "../../src/formats/avro-schema.ts";
import { unframe } from "../../src/formats/wire.ts";
import type { RecordLine } from "../../src/protocol/parse.ts";
import type { RegistryClient } from "../../src/registry/client.ts";
import { configWith } from "../helpers/config.ts";

const entry = {
  stream: { name: "users", namespace: "public" },
  jsonSchema: { type: "object", properties: { id: { type: "integer" } } },
};
const line = (data: Record<string, unknown>, text = JSON.stringify(data)): RecordLine => {
  return {
    kind: "record",
    stream: entry.stream,
    emittedAt: 5,
    dataBytes: new TextEncoder().encode(text),
    data,
  };
};

function fakeRegistry() {
  const registered: { subject: string; schema: AvroSchema; id: number }[] = [];
  const client: RegistryClient = {
    schemaId: async (subject, _type, schema) => {
      registered.push({ subject, schema: JSON.parse(schema), id: 100 + registered.length });
      return 100 + registered.length - 1;
    },
    ping: async () => ({ compatibility: "BACKWARD", url: "http://registry" }),
  };
  return { client, registered };
}

const codecFor = (config: Record<string, unknown>, registry = fakeRegistry()) => ({
  codec: registryCodec(
    configWith({ schema_registry: { url: "http://registry" }, ...config }),
    entry,
    "public_users",
    undefined,
    registry.client,
  ),
  registered: registry.registered,
});

describe("registryCodec", () => {
  it.each([
    ["json values and string keys", {}],
    ["key_format avro without a key (message_key none)", { key_format: "avro", message_key: "none" }],
  ])("makes none for %s", (_, config) => {
    expect(codecFor(config).codec).toBeUndefined();
  });

  it("avro values: registered once under <topic>-value before the first record, then framed with the id", async () => {
    const { codec, registered } = codecFor({ value_format: "avro" });
    expect(codec?.keys).toBe(false);
    expect(() => codec?.encode(line({ id: 1 }), "public_users", REFERENCE_RECORD, undefined)).toThrow(
      "not registered yet",
    );
    await codec?.pending();
    expect(codec?.pending()).toBeUndefined();
    expect(registered.map((r) => r.subject)).toEqual(["public_users-value"]);
    const encoded = codec?.encode(line({ id: 1 }), "public_users", REFERENCE_RECORD, undefined);
    const { schemaId, payload } = unframe(encoded?.value ?? new Uint8Array());
    expect(schemaId).toBe(100);
    const decoded = avroType(registered[0]?.schema ?? "null").fromBuffer(Buffer.from(payload)) as Record<
      string,
      unknown
    >;
    expect([decoded._airbyte_ab_id, decoded._airbyte_stream, decoded._airbyte_emitted_at]).toEqual([
      encoded?.key?.toString(),
      "users",
      5,
    ]);
    // Kafka's size bound counts the framed value, not the JSON one it replaced.
    expect(encoded?.size).toBe(82 + (encoded?.key?.length ?? 0) + (encoded?.value.length ?? 0));
  });

  it("json_schema values: the reference JSON value byte for byte, framed", async () => {
    const { codec } = codecFor({ value_format: "json_schema" });
    await codec?.pending();
    const encoded = codec?.encode(
      line({ id: 0 }, '{"id":12345678901234567890}'),
      "public_users",
      REFERENCE_RECORD,
      null,
    );
    const { payload } = unframe(encoded?.value ?? new Uint8Array());
    expect(Buffer.from(payload).toString()).toEndWith(',"_airbyte_data":{"id":12345678901234567890}}');
    expect(encoded?.key).toBeUndefined(); // the key override (null: none) is kept
  });

  it("avro keys of message_key uuid: a key record registered under <topic>-key holding the value's id", async () => {
    const { codec, registered } = codecFor({ key_format: "avro" });
    expect(codec?.keys).toBe(true);
    await codec?.pending();
    expect(registered.map((r) => r.subject)).toEqual(["public_users-key"]);
    const encoded = codec?.encode(line({ id: 1 }), "public_users", REFERENCE_RECORD, undefined);
    const key = unframe(encoded?.key ?? new Uint8Array());
    const decoded = avroType(registered[0]?.schema ?? "null").fromBuffer(Buffer.from(key.payload)) as {
      _airbyte_ab_id: unknown;
    };
    expect(decoded._airbyte_ab_id).toEqual({
      string: JSON.parse(encoded?.value.toString() ?? "")._airbyte_ab_id,
    });
  });
});

describe("registryCodec with message_layout airbyte_v2", () => {
  const v2 = { ...entry, syncId: 42, generationId: 3 };
  const codecV2 = (config: Record<string, unknown>, registry = fakeRegistry()) => ({
    codec: registryCodec(
      configWith({ schema_registry: { url: "http://registry" }, message_layout: "airbyte_v2", ...config }),
      v2,
      "public_users",
      undefined,
      registry.client,
    ),
    registered: registry.registered,
  });

  it("avro values: the V2 envelope with a UUIDv7 raw id (the key), the catalog's sync and generation", async () => {
    const { codec, registered } = codecV2({ value_format: "avro" });
    await codec?.pending();
    const encoded = codec?.encode(line({ id: 1 }), "public_users", REFERENCE_RECORD, undefined);
    const decoded = avroType(registered[0]?.schema ?? "null").fromBuffer(
      Buffer.from(unframe(encoded?.value ?? new Uint8Array()).payload),
    ) as Record<string, unknown>;
    expect(decoded._airbyte_raw_id).toBe(encoded?.key?.toString());
    expect(decoded._airbyte_raw_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(decoded._airbyte_extracted_at).toBe(5);
    expect(decoded._airbyte_meta).toEqual({ sync_id: { long: 42 }, changes: [] });
    expect(decoded._airbyte_generation_id).toEqual({ long: 3 });
  });

  it("json_schema values: the V2 JSON value byte for byte, framed", async () => {
    const { codec } = codecV2({ value_format: "json_schema" });
    await codec?.pending();
    // The route hands its catalog facts to the JSON value as it does without a registry.
    const options = { ...REFERENCE_RECORD, syncId: 42, generationId: 3 };
    const encoded = codec?.encode(line({ id: 1 }), "public_users", options, undefined);
    const value = JSON.parse(Buffer.from(unframe(encoded?.value ?? new Uint8Array()).payload).toString());
    expect(Object.keys(value)).toEqual([
      "_airbyte_raw_id",
      "_airbyte_extracted_at",
      "_airbyte_meta",
      "_airbyte_generation_id",
      "_airbyte_data",
    ]);
    expect(value._airbyte_meta).toEqual({ sync_id: 42, changes: [] });
  });

  it("avro keys of message_key uuid hold _airbyte_raw_id", async () => {
    const { codec, registered } = codecV2({ key_format: "avro" });
    await codec?.pending();
    const encoded = codec?.encode(line({ id: 1 }), "public_users", REFERENCE_RECORD, undefined);
    const decoded = avroType(registered[0]?.schema ?? "null").fromBuffer(
      Buffer.from(unframe(encoded?.key ?? new Uint8Array()).payload),
    ) as Record<string, unknown>;
    expect(decoded._airbyte_raw_id).toEqual({
      string: JSON.parse(encoded?.value.toString() ?? "")._airbyte_raw_id,
    });
  });
});
