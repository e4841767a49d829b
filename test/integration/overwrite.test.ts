/**
 * Full Refresh Overwrite and truncate refreshes against a real broker: each sync appends, and
 * once it has succeeded the records its topic held before it are deleted (DeleteRecords), so an
 * independent consumer reads only the last successful sync. A failed sync deletes nothing and
 * echoes no STATE of the stream; a topic whose records cannot be deleted is refused before
 * anything is written.
 */
import { beforeAll, describe, expect, it } from "bun:test";
import { jsonFile, logText, ofType, runConnector, traceError } from "../helpers/connector.ts";
import {
  createTopic,
  listTopics,
  readTopics,
  type TestBroker,
  testBroker,
  uniqueName,
} from "../helpers/kafka.ts";
import { readWithKcat } from "../helpers/transactions.ts";

let broker: TestBroker;

beforeAll(async () => {
  broker = await testBroker("default");
}, 120_000);

const record = (stream: string, data: unknown) =>
  `{"type":"RECORD","record":{"namespace":"public","stream":"${stream}","data":${JSON.stringify(data)},"emitted_at":1700000000000}}\n`;
const state = (stream: string, n: number) =>
  `${JSON.stringify({ type: "STATE", state: { type: "STREAM", stream: { stream_descriptor: { name: stream, namespace: "public" }, stream_state: { n } } } })}\n`;
const rows = (stream: string, sync: number, count: number) =>
  Array.from({ length: count }, (_, i) => record(stream, { sync, i })).join("");

/** A config and a catalog whose `users` stream overwrites and whose `events` stream appends. */
function setUp(
  usersMode: Record<string, unknown> = { destination_sync_mode: "overwrite" },
  config: Record<string, unknown> = {},
) {
  const prefix = uniqueName("ow");
  const files = {
    config: jsonFile("config.json", {
      bootstrap_servers: broker.bootstrap,
      topic_pattern: `${prefix}.{stream}`,
      acks: "all",
      max_block_ms: "10000",
      ...config,
    }),
    catalog: jsonFile("catalog.json", {
      streams: [
        {
          stream: { name: "users", namespace: "public", json_schema: {} },
          sync_mode: "full_refresh",
          ...usersMode,
        },
        {
          stream: { name: "events", namespace: "public", json_schema: {} },
          sync_mode: "incremental",
          destination_sync_mode: "append",
        },
      ],
    }),
  };
  const write = (input: string) =>
    runConnector(["write", "--config", files.config, "--catalog", files.catalog], input, 60_000);
  return { prefix, users: `${prefix}_users`, events: `${prefix}_events`, write };
}

const syncsIn = async (topic: string) =>
  (await readTopics(broker.bootstrap, [topic])).map(
    (r) => JSON.parse(r.value)._airbyte_data as { sync: number; i: number },
  );

describe("overwrite against a real broker", () => {
  it("overwrite twice: only the second sync is read back; the append stream keeps both", async () => {
    const s = setUp();
    await createTopic(broker.bootstrap, s.users, {}, { partitions: 3 });
    const first = await s.write(
      rows("users", 1, 30) + state("users", 1) + rows("events", 1, 5) + state("events", 1),
    );
    expect(first.exitCode).toBe(0);
    expect((await syncsIn(s.users)).length).toBe(30);

    const second = await s.write(
      rows("users", 2, 20) + state("users", 2) + rows("events", 2, 5) + state("events", 2),
    );
    expect(second.exitCode).toBe(0);
    const users = await syncsIn(s.users);
    expect(users.map((row) => row.sync)).toEqual(Array(20).fill(2));
    expect(users.map((row) => row.i).sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect((await syncsIn(s.events)).length).toBe(10);
    expect(logText(second.messages)).toContain(`overwrite of topic ${s.users} deleted 30 older records`);
    // Both STATEs are echoed, the overwriting stream's after the deletion.
    const echoed = ofType(second.messages, "STATE").map(
      (m) => (m.state as { stream: { stream_descriptor: { name: string } } }).stream.stream_descriptor.name,
    );
    expect(echoed).toEqual(["events", "users"]);
  }, 60_000);

  it("a failed second sync keeps the first, echoes none of its STATEs; the next success deletes both", async () => {
    const s = setUp();
    expect((await s.write(rows("users", 1, 10) + state("users", 1))).exitCode).toBe(0);

    const failed = await s.write(`${rows("users", 2, 5)}${state("users", 2)}not json\n`);
    expect(failed.exitCode).toBe(1);
    expect(traceError(failed.messages).message).toContain("Input line 7 cannot be written");
    expect(ofType(failed.messages, "STATE")).toEqual([]);
    const afterFailure = await syncsIn(s.users);
    expect(afterFailure.filter((row) => row.sync === 1)).toHaveLength(10);
    expect(afterFailure.filter((row) => row.sync === 2)).toHaveLength(5);

    // Airbyte retries from the start (no STATE of the stream was echoed): only the retry remains.
    const retry = await s.write(rows("users", 3, 8) + state("users", 3));
    expect(retry.exitCode).toBe(0);
    expect((await syncsIn(s.users)).map((row) => row.sync)).toEqual(Array(8).fill(3));
  }, 60_000);

  it("a truncate refresh of an append stream (minimum_generation_id = generation_id) deletes the older generation", async () => {
    const refresh = {
      destination_sync_mode: "append",
      generation_id: 2,
      minimum_generation_id: 2,
      sync_id: 9,
    };
    const s = setUp({
      destination_sync_mode: "append",
      generation_id: 1,
      minimum_generation_id: 0,
      sync_id: 8,
    });
    expect((await s.write(rows("users", 1, 6))).exitCode).toBe(0);
    // The refresh: the same topic, its catalog now asking for generation 2 alone.
    const catalog = jsonFile("catalog.json", {
      streams: [{ stream: { name: "users", namespace: "public", json_schema: {} }, ...refresh }],
    });
    const config = jsonFile("config.json", {
      bootstrap_servers: broker.bootstrap,
      topic_pattern: `${s.prefix}.{stream}`,
      headers: true,
    });
    const result = await runConnector(
      ["write", "--config", config, "--catalog", catalog],
      rows("users", 2, 4),
    );
    expect(result.exitCode).toBe(0);
    const landed = await readTopics(broker.bootstrap, [s.users]);
    expect(landed.map((r) => JSON.parse(r.value)._airbyte_data.sync)).toEqual([2, 2, 2, 2]);
    expect(landed.map((r) => Object.fromEntries(r.headers).airbyte_generation_id)).toEqual([
      "2",
      "2",
      "2",
      "2",
    ]);
  }, 60_000);

  it("with transactions, the deletion follows the last commit", async () => {
    const s = setUp(undefined, { enable_idempotence: true, transactional_id: uniqueName("ow-tx") });
    expect((await s.write(rows("users", 1, 10) + state("users", 1))).exitCode).toBe(0);
    const second = await s.write(rows("users", 2, 10) + state("users", 2));
    expect(second.exitCode).toBe(0);
    const { data } = await readWithKcat(broker.bootstrap, s.users, "read_committed");
    expect(data.map((row) => row.sync)).toEqual(Array(10).fill(2));
    // 10 records and the first transaction's commit marker.
    expect(logText(second.messages)).toContain(`overwrite of topic ${s.users} deleted 11 older records`);
  }, 60_000);
});

describe("overwrite is refused before anything is written when it cannot be safe", () => {
  it("a topic kept by compaction alone", async () => {
    const s = setUp();
    await createTopic(broker.bootstrap, s.users, { "cleanup.policy": "compact" });
    const result = await s.write(rows("users", 1, 3));
    expect(result.exitCode).toBe(1);
    const error = traceError(result.messages);
    expect(error.failure_type).toBe("config_error");
    expect(error.message).toContain(`topic ${s.users} keeps its records by compaction alone`);
    expect(await syncsIn(s.users)).toEqual([]);
    expect(await listTopics(broker.bootstrap)).not.toContain(s.events);
  }, 30_000);

  it("a topic_pattern without {stream}", async () => {
    const topic = uniqueName("shared");
    const s = setUp(undefined, { topic_pattern: topic });
    const result = await s.write(rows("users", 1, 3));
    expect(result.exitCode).toBe(1);
    expect(traceError(result.messages).message).toContain("but topic_pattern has no {stream}");
    expect(await listTopics(broker.bootstrap)).not.toContain(topic);
  }, 30_000);
});
