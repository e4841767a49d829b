/**
 * message_layout airbyte_v2 against a real broker: each value is Airbyte's Destinations V2 record
 * (`_airbyte_raw_id`, `_airbyte_extracted_at`, `_airbyte_meta`, `_airbyte_generation_id`,
 * `_airbyte_data`), keyed by its raw id, read back by an independent consumer. (With Avro and
 * JSON Schema values: test/integration/registry.test.ts.)
 */
import { beforeAll, describe, expect, it } from "bun:test";
import { jsonFile, runConnector } from "../helpers/connector.ts";
import { readTopics, type TestBroker, testBroker, uniqueName } from "../helpers/kafka.ts";

let broker: TestBroker;

beforeAll(async () => {
  broker = await testBroker("default");
}, 120_000);

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("message_layout airbyte_v2", () => {
  it("lands the V2 fields with the catalog's sync and generation and the record's changes, data digit for digit", async () => {
    const prefix = uniqueName("v2");
    const config = jsonFile("config.json", {
      bootstrap_servers: broker.bootstrap,
      topic_pattern: `${prefix}.{namespace}.{stream}`,
      message_layout: "airbyte_v2",
      headers: true,
      acks: "all",
    });
    const catalog = jsonFile("catalog.json", {
      streams: [
        {
          stream: { name: "users", namespace: "public", json_schema: {} },
          sync_mode: "incremental",
          destination_sync_mode: "append",
          generation_id: 6,
          minimum_generation_id: 0,
          sync_id: 1234,
        },
      ],
    });
    const changes = [{ field: "bio", change: "TRUNCATED", reason: "SOURCE_FIELD_SIZE_LIMITATION" }];
    const data = '{"id":12345678901234567890123,"price":1.10,"bio":"Zoë"}';
    const input = [
      `{"type":"RECORD","record":{"namespace":"public","stream":"users","data":${data},"emitted_at":1700000000000,"meta":{"changes":${JSON.stringify(changes)}}}}`,
      '{"type":"RECORD","record":{"namespace":"public","stream":"users","data":{"id":2},"emitted_at":1700000000001}}',
      '{"type":"STATE","state":{"data":{}}}',
      "",
    ].join("\n");
    const result = await runConnector(["write", "--config", config, "--catalog", catalog], input);
    expect(result.exitCode).toBe(0);

    const landed = await readTopics(broker.bootstrap, [`${prefix}_public_users`]);
    expect(landed).toHaveLength(2);
    const [first, second] = landed.sort((a, b) => Number(a.offset - b.offset));
    expect(first?.key).toMatch(UUID_V7);
    expect(first?.value).toBe(
      `{"_airbyte_raw_id":"${first?.key}","_airbyte_extracted_at":1700000000000,"_airbyte_meta":{"sync_id":1234,"changes":${JSON.stringify(changes)}},"_airbyte_generation_id":6,"_airbyte_data":${data}}`,
    );
    expect(JSON.parse(second?.value ?? "")._airbyte_meta).toEqual({ sync_id: 1234, changes: [] });
    expect(first?.headers).toEqual([
      ["airbyte_stream", "users"],
      ["airbyte_namespace", "public"],
      ["airbyte_extracted_at", "1700000000000"],
      ["airbyte_raw_id", first?.key ?? ""],
      ["airbyte_generation_id", "6"],
    ]);
  });

  it("without a catalog: no sync or generation to tell (null), and key_format json quotes the raw id", async () => {
    const prefix = uniqueName("v2");
    const config = jsonFile("config.json", {
      bootstrap_servers: broker.bootstrap,
      topic_pattern: `${prefix}.{stream}`,
      message_layout: "airbyte_v2",
      key_format: "json",
    });
    const result = await runConnector(
      ["write", "--config", config],
      '{"type":"RECORD","record":{"stream":"s","data":{"a":1},"emitted_at":5}}\n',
    );
    expect(result.exitCode).toBe(0);
    const [landed] = await readTopics(broker.bootstrap, [`${prefix}_s`]);
    const value = JSON.parse(landed?.value ?? "");
    expect(JSON.parse(landed?.key ?? "")).toBe(value._airbyte_raw_id);
    expect(value).toMatchObject({
      _airbyte_extracted_at: 5,
      _airbyte_meta: { sync_id: null, changes: [] },
      _airbyte_generation_id: null,
      _airbyte_data: { a: 1 },
    });
  });
});
