/**
 * Protobuf over sockets writes exactly what JSONL on stdin writes for the same records: the same
 * value bytes, key and headers, in every layout (airbyte_v1, airbyte_v2) and value format (json,
 * avro, json_schema), with every kind of protobuf value. The random ids each record gets are the
 * only difference, so each is replaced by a placeholder before comparing. (Against a real broker,
 * read back: test/integration/sockets.test.ts.)
 */
import { describe, expect, it } from "bun:test";
import { Buffer } from "node:buffer";
import type { EncodedRecord } from "../../src/contract/send.ts";
import { runWrite } from "../../src/pipeline/write.ts";
import type { CatalogStream } from "../../src/protocol/catalog.ts";
import { identityMapping } from "../../src/protocol/namespace-mapping.ts";
import { protobufMessages, protoStreams } from "../../src/protocol/socket-messages.ts";
import type { RegistryClient } from "../../src/registry/client.ts";
import { frame } from "../helpers/airbyte-socket-proto.ts";
import { configWith } from "../helpers/config.ts";
import { autoSender, capturedEmitter, chunksOf } from "../helpers/fakes.ts";
import { EVERY_KIND, jsonlLines, protobufFrames, USERS_SCHEMA } from "../helpers/socket-records.ts";

const catalog: CatalogStream[] = [
  {
    stream: { name: "users", namespace: "public" },
    destinationSyncMode: "append",
    primaryKey: [["id"]],
    jsonSchema: USERS_SCHEMA,
    generationId: 3,
    syncId: 9,
  },
];

const registry: RegistryClient = {
  schemaId: async (_subject, _type, schema) => 100 + (schema.length % 50),
  ping: async () => ({ compatibility: "BACKWARD", url: "http://registry:8081" }),
};

/** Sends, in the order written, with each record's random id replaced. */
async function written(
  input: Parameters<typeof runWrite>[0]["input"],
  config: Record<string, unknown>,
): Promise<string[]> {
  const sender = autoSender();
  const output = capturedEmitter();
  const summary = await runWrite({
    config: configWith({ linger_ms: 0, ...config }),
    catalog,
    input,
    send: sender.send,
    registry,
    emit: output.emit,
  });
  expect(summary.failure).toBeUndefined();
  return sender.sent.flat().map(normalized);
}

async function* oneChunk(bytes: Uint8Array) {
  yield bytes;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/g;

function normalized(record: EncodedRecord): string {
  const text = (bytes: Uint8Array | null | undefined) =>
    bytes ? Buffer.from(bytes).toString("latin1").replaceAll(UUID, "<id>") : "null";
  const headers = (record.headers ?? []).map(([name, value]) => `${text(name)}=${text(value)}`);
  return JSON.stringify({ topic: record.topic, key: text(record.key), value: text(record.value), headers });
}

describe("protobuf over sockets writes what JSONL on stdin writes", () => {
  it.each<[string, Record<string, unknown>]>([
    ["airbyte_v1, json values (the Java layout)", {}],
    [
      "airbyte_v1 with headers, JSON keys and emitted_at timestamps",
      { headers: true, key_format: "json", record_timestamp: "emitted_at" },
    ],
    ["airbyte_v2, json values", { message_layout: "airbyte_v2", headers: true }],
    ["primary-key message keys", { message_key: "primary_key" }],
    ["avro values", { value_format: "avro", schema_registry: { url: "http://registry:8081" } }],
    ["json_schema values", { value_format: "json_schema", schema_registry: { url: "http://registry:8081" } }],
    [
      "avro values and keys, airbyte_v2",
      {
        message_layout: "airbyte_v2",
        value_format: "avro",
        key_format: "avro",
        message_key: "primary_key",
        schema_registry: { url: "http://registry:8081" },
      },
    ],
  ])("with %s", async (_, config) => {
    const stdin = await written(chunksOf(jsonlLines(EVERY_KIND).join("")), config);
    const frames = Buffer.concat(protobufFrames(EVERY_KIND).map((message) => frame(message)));
    const streams = protoStreams(catalog, identityMapping);
    const sockets = await written(
      { sockets: [protobufMessages(1, oneChunk(frames), streams, 1 << 20)] },
      config,
    );
    expect(sockets).toHaveLength(EVERY_KIND.length);
    expect(sockets).toEqual(stdin);
  });
});
