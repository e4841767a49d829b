/**
 * write with value_format avro and json_schema, against a fake registry: schemas registered once
 * per stream before its first record, values framed with their ids, a record that does not fit
 * failing the sync by name.
 */
import { describe, expect, it } from "bun:test";
import { avroType } from "../../src/formats/avro-codec.ts";
import { streamAvro } from "../../src/formats/avro-schema.ts";
import { unframe } from "../../src/formats/wire.ts";
import { runWrite } from "../../src/pipeline/write.ts";
import type { CatalogStream } from "../../src/protocol/catalog.ts";
import type { RegistryClient, SchemaType } from "../../src/registry/client.ts";
import { configWith } from "../helpers/config.ts";
import { autoSender, capturedEmitter, chunksOf } from "../helpers/fakes.ts";

const usersSchema = {
  type: "object",
  properties: { id: { type: "integer" }, name: { type: "string" }, born: { type: "string", format: "date" } },
};
const catalog: CatalogStream[] = [
  {
    stream: { name: "users", namespace: "public" },
    destinationSyncMode: "append",
    primaryKey: [],
    jsonSchema: usersSchema,
  },
  {
    stream: { name: "orders", namespace: undefined },
    destinationSyncMode: "append",
    primaryKey: [],
    jsonSchema: { type: "object", properties: { total: { type: "number" } } },
  },
];
const REGISTRY = { schema_registry: { url: "http://registry:8081" } };

const record = (stream: string, data: Record<string, unknown> | string, namespace?: string) =>
  `{"type":"RECORD","record":{${namespace ? `"namespace":"${namespace}",` : ""}"stream":"${stream}","emitted_at":1700000000123,"data":${typeof data === "string" ? data : JSON.stringify(data)}}}`;
const state = (n: number) => JSON.stringify({ type: "STATE", state: { data: { n } } });

function fakeRegistry(refuse?: Error) {
  const registered: { subject: string; type: SchemaType; schema: string; id: number }[] = [];
  const client: RegistryClient = {
    async schemaId(subject, type, schema) {
      if (refuse) throw refuse;
      const id = 100 + registered.length;
      registered.push({ subject, type, schema, id });
      return id;
    },
    ping: async () => ({ compatibility: "BACKWARD", url: "http://registry:8081" }),
  };
  return { registered, client };
}

async function run(lines: string[], config: Record<string, unknown>, registry = fakeRegistry()) {
  const output = capturedEmitter();
  const sender = autoSender();
  const summary = await runWrite({
    config: configWith({ ...REGISTRY, ...config }),
    catalog,
    input: chunksOf(lines.map((line) => `${line}\n`).join("")),
    send: sender.send,
    registry: registry.client,
    emit: output.emit,
  });
  return { summary, sent: sender.sent.flat(), messages: output.messages(), registered: registry.registered };
}

describe("write with value_format avro", () => {
  it("registers each stream's schema once, under <topic>-value, and frames Avro values with its id", async () => {
    const { summary, sent, registered } = await run(
      [
        record("users", { id: 1, name: "ada", born: "1815-12-10" }, "public"),
        record("orders", { total: 9.5 }),
        record("users", '{"id":1234567890123456789,"extra":true}', "public"),
      ],
      { value_format: "avro" },
    );
    expect(summary.failure).toBeUndefined();
    expect(registered.map(({ subject, type }) => [subject, type])).toEqual([
      ["public_users-value", "AVRO"],
      ["_orders-value", "AVRO"],
    ]);
    const users = streamAvro({ name: "users", namespace: "public", jsonSchema: usersSchema });
    expect(JSON.parse(registered[0]?.schema ?? "")).toEqual(users.schema);
    const type = avroType(users.schema);
    const first = unframe(sent[0]?.value ?? new Uint8Array());
    expect(first.schemaId).toBe(100);
    const decoded = type.fromBuffer(Buffer.from(first.payload)) as Record<string, unknown>;
    expect(decoded._airbyte_ab_id).toBe(sent[0]?.key?.toString());
    expect(decoded._airbyte_stream).toBe("users");
    expect(decoded._airbyte_emitted_at).toBe(1700000000123);
    expect(JSON.parse(JSON.stringify(decoded._airbyte_data))).toEqual({
      id: { long: 1 },
      name: { string: "ada" },
      born: { int: Date.UTC(1815, 11, 10) / 86_400_000 },
      _airbyte_additional_properties: null,
    });
    expect(unframe(sent[1]?.value ?? new Uint8Array()).schemaId).toBe(101);
    const big = type.fromBuffer(Buffer.from(unframe(sent[2]?.value ?? new Uint8Array()).payload)) as {
      _airbyte_data: {
        id: { long: bigint };
        _airbyte_additional_properties: { map: Record<string, string> };
      };
    };
    expect(big._airbyte_data.id.long).toBe(1234567890123456789n);
    expect(big._airbyte_data._airbyte_additional_properties.map).toEqual({ extra: "true" });
    expect(sent[0]?.size).toBe(82 + (sent[0]?.key?.length ?? 0) + (sent[0]?.value?.length ?? 0));
  });

  it("names the subject after the record with the record strategies", async () => {
    const record_ = await run([record("users", { id: 1 }, "public")], {
      value_format: "avro",
      subject_name_strategy: "record",
    });
    expect(record_.registered.map((r) => r.subject)).toEqual(["public.users"]);
    const topicRecord = await run([record("users", { id: 1 }, "public")], {
      value_format: "avro",
      subject_name_strategy: "topic_record",
    });
    expect(topicRecord.registered.map((r) => r.subject)).toEqual(["public_users-public.users"]);
  });

  it("fails on a record that does not fit, naming stream and field but not the value; earlier states stay echoed", async () => {
    const { summary, sent, messages } = await run(
      [
        record("users", { id: 1 }, "public"),
        state(1),
        record("users", { id: "secret-ish-text" }, "public"),
        state(2),
        record("users", { id: 3 }, "public"),
      ],
      { value_format: "avro" },
    );
    expect(sent).toHaveLength(1);
    const echoed = messages.filter((m) => m.type === "STATE");
    expect(echoed).toEqual([
      { type: "STATE", state: { data: { n: 1 }, destinationStats: { recordCount: 1 } } },
    ]);
    expect(summary.failure?.message).toContain("Input line 3");
    expect(summary.failure?.message).toContain(
      "stream public.users does not fit its Avro schema: field id is a string",
    );
    expect(summary.failure?.message).not.toContain("secret-ish-text");
  });

  it("fails on an integer beyond the Avro long range", async () => {
    const { summary } = await run([record("users", '{"id":9223372036854775808}', "public")], {
      value_format: "avro",
    });
    expect(summary.failure?.message).toContain(
      "field id is an integer outside the 64-bit range of an Avro long",
    );
  });

  it("stops before any record when the registry refuses a schema", async () => {
    const refusal = new Error("refused");
    const { summary, sent } = await run(
      [record("users", { id: 1 }, "public")],
      { value_format: "avro" },
      fakeRegistry(refusal),
    );
    expect(sent).toHaveLength(0);
    expect(summary.failure?.message).toContain("refused");
  });

  it("needs the configured catalog", async () => {
    const output = capturedEmitter();
    const attempt = runWrite({
      config: configWith({ ...REGISTRY, value_format: "avro" }),
      catalog: undefined,
      input: chunksOf(""),
      send: autoSender().send,
      registry: fakeRegistry().client,
      emit: output.emit,
    });
    await expect(attempt).rejects.toThrow("value_format is avro, which needs the configured catalog");
  });
});

describe("write with value_format json_schema", () => {
  it("frames the reference JSON value, byte for byte, with the id of the envelope's JSON Schema", async () => {
    const data = '{"id":12345678901234567890,"name":"x","amount":1.10}';
    const { summary, sent, registered } = await run([record("users", data, "public")], {
      value_format: "json_schema",
    });
    expect(summary.failure).toBeUndefined();
    expect(registered.map(({ subject, type }) => [subject, type])).toEqual([["public_users-value", "JSON"]]);
    expect(JSON.parse(registered[0]?.schema ?? "").title).toBe("public.users");
    const { schemaId, payload } = unframe(sent[0]?.value ?? new Uint8Array());
    expect(schemaId).toBe(100);
    const text = Buffer.from(payload).toString();
    expect(text).toBe(
      `{"_airbyte_ab_id":"${sent[0]?.key?.toString()}","_airbyte_stream":"users","_airbyte_emitted_at":1700000000123,"_airbyte_data":${data}}`,
    );
  });
});

describe("write with key_format avro and json_schema", () => {
  it("avro: the uuid key as a record registered under <topic>-key, the same id as the value's", async () => {
    const { summary, sent, registered } = await run([record("users", { id: 1 }, "public")], {
      value_format: "avro",
      key_format: "avro",
    });
    expect(summary.failure).toBeUndefined();
    expect(registered.map((r) => r.subject).sort()).toEqual(["public_users-key", "public_users-value"]);
    const keySchema = registered.find((r) => r.subject === "public_users-key");
    expect(JSON.parse(keySchema?.schema ?? "")).toEqual({
      type: "record",
      name: "users_key",
      namespace: "public",
      fields: [{ name: "_airbyte_ab_id", type: ["null", "string"], default: null }],
    });
    const key = unframe(sent[0]?.key ?? new Uint8Array());
    expect(key.schemaId).toBe(keySchema?.id as number);
    const decodedKey = avroType(JSON.parse(keySchema?.schema ?? "")).fromBuffer(Buffer.from(key.payload)) as {
      _airbyte_ab_id: { string: string };
    };
    const value = avroType(
      streamAvro({ name: "users", namespace: "public", jsonSchema: usersSchema }).schema,
    );
    const decodedValue = value.fromBuffer(
      Buffer.from(unframe(sent[0]?.value ?? new Uint8Array()).payload),
    ) as {
      _airbyte_ab_id: string;
    };
    expect(decodedKey._airbyte_ab_id.string).toBe(decodedValue._airbyte_ab_id);
  });

  it("avro: key fields typed as in the data record, with a json value", async () => {
    const { summary, sent, registered } = await run(
      [record("users", { id: 7, born: "2000-01-02", name: "x" }, "public")],
      { key_format: "avro", message_key: "fields", message_key_fields: [["id"], ["born"]] },
    );
    expect(summary.failure).toBeUndefined();
    expect(registered.map((r) => r.subject)).toEqual(["public_users-key"]);
    const schema = JSON.parse(registered[0]?.schema ?? "");
    expect(schema.fields.map((f: { name: string; type: unknown }) => [f.name, f.type])).toEqual([
      ["id", ["null", "long"]],
      ["born", ["null", { type: "int", logicalType: "date" }]],
    ]);
    const decoded = avroType(schema).fromBuffer(
      Buffer.from(unframe(sent[0]?.key ?? new Uint8Array()).payload),
    );
    expect(JSON.parse(JSON.stringify(decoded))).toEqual({ id: { long: 7 }, born: { int: 10_958 } });
    expect(JSON.parse(String(sent[0]?.value) ?? "")._airbyte_data).toEqual({
      id: 7,
      born: "2000-01-02",
      name: "x",
    });
  });

  it("json_schema: the JSON key framed, its schema typed from the key fields", async () => {
    const { summary, sent, registered } = await run([record("users", { id: 7, name: "x" }, "public")], {
      key_format: "json_schema",
      message_key: "fields",
      message_key_fields: [["id"], ["name"]],
      subject_name_strategy: "record",
    });
    expect(summary.failure).toBeUndefined();
    expect(registered.map(({ subject, type }) => [subject, type])).toEqual([["public.users_key", "JSON"]]);
    expect(JSON.parse(registered[0]?.schema ?? "")).toEqual({
      $schema: "http://json-schema.org/draft-07/schema#",
      title: "public.users_key",
      type: "array",
      items: [{ type: "integer" }, { type: "string" }],
      minItems: 2,
      maxItems: 2,
    });
    expect(Buffer.from(unframe(sent[0]?.key ?? new Uint8Array()).payload).toString()).toBe('[7,"x"]');
  });

  it("a record without its key field fails naming stream and field", async () => {
    const { summary, sent } = await run([record("users", { name: "x" }, "public")], {
      key_format: "avro",
      message_key: "fields",
      message_key_fields: [["id"]],
    });
    expect(sent).toHaveLength(0);
    expect(summary.failure?.message).toContain(
      "a record of stream public.users has no message key: its key field id is missing or null",
    );
  });
});

describe("write with a registry format and streams sharing a topic", () => {
  const shared = { value_format: "avro", topic_pattern: "everything" };

  it("refuses subject_name_strategy topic, naming the streams and the topic", async () => {
    await expect(run([], shared)).rejects.toThrow(
      "Streams public.users and orders both write to topic everything, so with subject_name_strategy topic their schemas would share one subject",
    );
  });

  it("registers one subject per stream with topic_record", async () => {
    const { summary, registered } = await run(
      [record("users", { id: 1 }, "public"), record("orders", { total: 1 })],
      {
        ...shared,
        subject_name_strategy: "topic_record",
      },
    );
    expect(summary.failure).toBeUndefined();
    expect(registered.map((r) => r.subject)).toEqual(["everything-public.users", "everything-orders"]);
  });
});
