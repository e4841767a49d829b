/**
 * cdc_deletes tombstone against a real broker: a CDC delete (non-null _ab_cdc_deleted_at) lands as
 * its row's key with a null value, on the partition of the row's other messages, so a compacted
 * topic drops the row; read back with kcat (librdkafka), an independent consumer.
 */
import { beforeAll, describe, expect, it } from "bun:test";
import { consumeWithKcat } from "../../scripts/kafka/kcat.ts";
import { jsonFile, ofType, runConnector, traceError } from "../helpers/connector.ts";
import { describeTopic, type TestBroker, testBroker, uniqueName } from "../helpers/kafka.ts";

let broker: TestBroker;

beforeAll(async () => {
  broker = await testBroker("default");
}, 120_000);

const row = (data: Record<string, unknown>) =>
  `{"type":"RECORD","record":{"namespace":"public","stream":"users","data":${JSON.stringify(data)},"emitted_at":1700000000000}}\n`;

function setUp(primaryKey: string[][]) {
  const prefix = uniqueName("cdc");
  const config = jsonFile("config.json", {
    bootstrap_servers: broker.bootstrap,
    topic_pattern: `${prefix}.{stream}`,
    acks: "all",
    message_key: "primary_key",
    key_format: "json",
    cdc_deletes: "tombstone",
    create_topics: { partitions: 3, replication_factor: 1, configs: { "cleanup.policy": "compact" } },
  });
  const catalog = jsonFile("catalog.json", {
    streams: [
      {
        stream: { name: "users", namespace: "public", json_schema: {} },
        sync_mode: "incremental",
        destination_sync_mode: "append_dedup",
        primary_key: primaryKey,
      },
    ],
  });
  return {
    topic: `${prefix}_users`,
    write: (input: string) => runConnector(["write", "--config", config, "--catalog", catalog], input),
  };
}

describe("cdc_deletes tombstone", () => {
  it("a delete lands as its key with a null value, beside the row's other messages on a compacted topic", async () => {
    const s = setUp([["id"]]);
    const result = await s.write(
      row({ id: 1, name: "a", _ab_cdc_deleted_at: null }) +
        row({ id: 2, name: "b", _ab_cdc_deleted_at: null }) +
        row({ id: 1, name: "a2", _ab_cdc_deleted_at: null }) +
        row({ id: 2, name: null, _ab_cdc_deleted_at: "2024-05-01T10:00:00.000000Z" }) +
        '{"type":"STATE","state":{"data":{"lsn":42}}}\n',
    );
    expect(result.exitCode).toBe(0);
    expect(ofType(result.messages, "STATE")).toHaveLength(1);
    expect((await describeTopic(broker.bootstrap, s.topic, ["cleanup.policy"])).configs).toEqual({
      "cleanup.policy": "compact",
    });

    const landed = (await consumeWithKcat(broker.bootstrap, s.topic, "read_uncommitted")).sort(
      (a, b) => a.partition - b.partition || a.offset - b.offset,
    );
    const byKey = (key: string) => landed.filter((message) => message.key === key);
    expect(byKey("1").map((m) => JSON.parse(m.payload ?? "null")._airbyte_data.name)).toEqual(["a", "a2"]);
    const [insert, tombstone] = byKey("2");
    expect(JSON.parse(insert?.payload ?? "null")._airbyte_data.name).toBe("b");
    expect(tombstone?.payload).toBeNull();
    expect(tombstone?.partition).toBe(insert?.partition as number);
    expect(landed).toHaveLength(4);
  }, 30_000);

  it("a stream without a primary key is refused before anything is written", async () => {
    const s = setUp([]);
    const result = await s.write(row({ id: 1, _ab_cdc_deleted_at: "2024-05-01T10:00:00Z" }));
    expect(result.exitCode).toBe(1);
    const error = traceError(result.messages);
    expect(error.failure_type).toBe("config_error");
    expect(error.message).toContain("stream public.users has no primary key in the catalog");
  }, 30_000);
});
