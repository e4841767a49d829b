import { beforeAll, describe, expect, it } from "bun:test";
import { keyedPartition } from "../../src/kafka/partitioner.ts";
import {
  connectorCommand,
  jsonFile,
  logText,
  ofType,
  runConnector,
  startConnector,
  traceError,
} from "../helpers/connector.ts";
import {
  createTopic,
  describeTopic,
  listTopics,
  readTopics,
  type TestBroker,
  testBroker,
  uniqueName,
} from "../helpers/kafka.ts";

let broker: TestBroker;
let noauto: TestBroker;

beforeAll(async () => {
  [broker, noauto] = await Promise.all([testBroker("default"), testBroker("noauto")]);
}, 120_000);

interface Sync {
  prefix: string;
  config: string;
  catalog: string;
  topic: (namespace: string | undefined, stream: string) => string;
}

/** A config and catalog writing to topics no other test uses: `<prefix>_<namespace>_<stream>`. */
function sync(overrides: Record<string, unknown> = {}, bootstrap = broker.bootstrap): Sync {
  const prefix = uniqueName("w");
  const config = jsonFile("config.json", {
    bootstrap_servers: bootstrap,
    topic_pattern: `${prefix}.{namespace}.{stream}`,
    max_block_ms: "10000",
    ...overrides,
  });
  const catalog = jsonFile("catalog.json", {
    streams: [
      {
        stream: { name: "users", namespace: "public", json_schema: {} },
        sync_mode: "incremental",
        destination_sync_mode: "append",
        // A refresh's later generation, still appending (minimum 0): nothing is deleted.
        generation_id: 3,
        minimum_generation_id: 0,
        sync_id: 1,
      },
      {
        stream: { name: "orders", namespace: null, json_schema: {} },
        sync_mode: "full_refresh",
        destination_sync_mode: "append_dedup",
        primary_key: [["id"]],
      },
    ],
  });
  return { prefix, config, catalog, topic: (ns, stream) => `${prefix}_${ns ?? ""}_${stream}` };
}

const record = (
  stream: string,
  data: unknown,
  namespace: string | null = "public",
  emittedAt = 1700000000000,
) =>
  `{"type":"RECORD","record":{"namespace":${JSON.stringify(namespace)},"stream":"${stream}","data":${typeof data === "string" ? data : JSON.stringify(data)},"emitted_at":${emittedAt}}}\n`;
const streamState = (stream: string, namespace: string | null, cursor: number, sourceCount: number) =>
  `${JSON.stringify({
    type: "STATE",
    state: {
      type: "STREAM",
      stream: { stream_descriptor: { name: stream, namespace }, stream_state: { cursor } },
      sourceStats: { recordCount: sourceCount },
    },
  })}\n`;

const write = (s: Sync, input: string, timeoutMs = 60_000) =>
  runConnector(["write", "--config", s.config, "--catalog", s.catalog], input, timeoutMs);

describe("write to a real broker", () => {
  it("lands every record in its topic with the reference key and value, data digit for digit", async () => {
    const s = sync({ acks: "all" });
    const rawData =
      '{"id":12345678901234567890123,"price":1.10,"name":"Zoë \\"q\\"","nested":{"a":[1,2.50,null]}}';
    const input = [
      record("users", rawData),
      record("users", { id: 2 }),
      record("orders", { id: 7 }, null, 1700000000123),
      streamState("users", "public", 2, 2),
      '{"type":"TRACE","trace":{"type":"STREAM_STATUS","emitted_at":1,"stream_status":{"status":"COMPLETE"}}}\n',
      '{"type":"LOG","log":{"level":"INFO","message":"from the source"}}\n',
      streamState("orders", null, 7, 1),
    ].join("");
    const result = await write(s, input);
    expect(result.exitCode).toBe(0);
    expect(ofType(result.messages, "TRACE")).toHaveLength(0);

    const users = await readTopics(broker.bootstrap, [s.topic("public", "users")]);
    const orders = await readTopics(broker.bootstrap, [s.topic(undefined, "orders")]);
    expect(users).toHaveLength(2);
    expect(orders).toHaveLength(1);
    const first = users[0];
    expect(first?.key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first?.value).toBe(
      `{"_airbyte_ab_id":"${first?.key}","_airbyte_stream":"users","_airbyte_emitted_at":1700000000000,"_airbyte_data":${rawData}}`,
    );
    expect(first?.headers).toEqual([]);
    expect(JSON.parse(orders[0]?.value ?? "")).toMatchObject({
      _airbyte_stream: "orders",
      _airbyte_emitted_at: 1700000000123,
      _airbyte_data: { id: 7 },
    });

    const states = ofType(result.messages, "STATE") as { state: Record<string, unknown> }[];
    expect(states.map((m) => m.state)).toEqual([
      {
        type: "STREAM",
        stream: { stream_descriptor: { name: "users", namespace: "public" }, stream_state: { cursor: 2 } },
        sourceStats: { recordCount: 2 },
        destinationStats: { recordCount: 2 },
      },
      {
        type: "STREAM",
        stream: { stream_descriptor: { name: "orders", namespace: null }, stream_state: { cursor: 7 } },
        sourceStats: { recordCount: 1 },
        destinationStats: { recordCount: 1 },
      },
    ]);
    expect(logText(result.messages)).toContain("written as append");
  });

  it("echoes a STATE only once the records before it can be read from Kafka", async () => {
    const s = sync({ acks: "all", linger_ms: "50" });
    const live = startConnector(["write", "--config", s.config, "--catalog", s.catalog]);
    const topic = s.topic("public", "users");
    for (let round = 1; round <= 3; round++) {
      let batch = "";
      for (let i = 0; i < 200; i++) batch += record("users", { round, i });
      live.write(`${batch}{"type":"STATE","state":{"data":{"round":${round}}}}\n`);
      await live.waitFor(
        (m) => m.type === "STATE" && (m.state as { data: { round: number } }).data.round === round,
      );
      // The moment the STATE is out, every record before it must be in Kafka.
      const landed = await readTopics(broker.bootstrap, [topic]);
      expect(landed.length).toBe(200 * round);
    }
    await live.end();
    const result = await live.finished();
    expect(result.exitCode).toBe(0);
    const counts = ofType(result.messages, "STATE").map(
      (m) => (m.state as { destinationStats: { recordCount: number } }).destinationStats.recordCount,
    );
    expect(counts).toEqual([200, 200, 200]);
  }, 60_000);

  it.each(["gzip", "snappy", "lz4", "zstd"])("writes with %s compression", async (compression) => {
    const s = sync({ compression_type: compression, acks: "all" });
    let input = "";
    for (let i = 0; i < 50; i++) input += record("users", { i, text: "repetitive ".repeat(20) });
    const result = await write(s, `${input}{"type":"STATE","state":{"data":{}}}\n`);
    expect(result.exitCode).toBe(0);
    const landed = await readTopics(broker.bootstrap, [s.topic("public", "users")]);
    expect(landed.map((r) => JSON.parse(r.value)._airbyte_data.i)).toEqual([...Array(50).keys()]);
  });

  it.each([
    ["acks 0, with a warning that nothing is guaranteed", { acks: "0" }, 'acks is "0"'],
    ["sync_producer, one record at a time", { sync_producer: true }, ""],
    ["idempotence", { enable_idempotence: true, acks: "all" }, ""],
    [
      "tiny batches and a small buffer",
      { batch_size: 100, buffer_memory: "2000", max_request_size: 2000 },
      "",
    ],
  ])("writes everything with %s", async (_label, overrides, logged) => {
    const s = sync(overrides);
    let input = "";
    for (let i = 0; i < 100; i++) input += record("users", { i });
    const result = await write(s, `${input}{"type":"STATE","state":{"data":{"done":true}}}\n`);
    expect(result.exitCode).toBe(0);
    expect(ofType(result.messages, "STATE")).toHaveLength(1);
    // With acks 0 nothing was acknowledged: the broker may still be appending when the STATE is out.
    let landed = await readTopics(broker.bootstrap, [s.topic("public", "users")]);
    for (let tries = 0; landed.length < 100 && tries < 20; tries++) {
      await Bun.sleep(250);
      landed = await readTopics(broker.bootstrap, [s.topic("public", "users")]);
    }
    expect(landed.map((r) => JSON.parse(r.value)._airbyte_data.i)).toEqual([...Array(100).keys()]);
    expect(logText(result.messages)).toContain(logged);
  });
});

describe("write fails loudly, never silently", () => {
  it("a topic the broker will not create fails the sync with a config_error naming it", async () => {
    const s = sync({ max_block_ms: "5000" }, noauto.bootstrap);
    const result = await write(s, `${record("users", { id: 1 })}{"type":"STATE","state":{"data":{}}}\n`);
    expect(result.exitCode).toBe(1);
    const error = traceError(result.messages);
    expect(error.failure_type).toBe("config_error");
    expect(error.message).toContain(`topic ${s.topic("public", "users")} does not exist`);
    expect(ofType(result.messages, "STATE")).toHaveLength(0);
  });

  it("a delivery failure mid-sync fails the run and no later STATE is echoed", async () => {
    const s = sync({ acks: "all" });
    const topic = s.topic("public", "users");
    await createTopic(broker.bootstrap, topic, { "max.message.bytes": "2000" });
    const input = [
      record("users", { id: 1 }),
      '{"type":"STATE","state":{"data":{"n":1}}}\n',
      record("users", { blob: "x".repeat(5000) }), // within max_request_size, over the topic's limit
      '{"type":"STATE","state":{"data":{"n":2}}}\n',
      record("users", { id: 3 }),
      '{"type":"STATE","state":{"data":{"n":3}}}\n',
    ].join("");
    const result = await write(s, input);
    expect(result.exitCode).toBe(1);
    const error = traceError(result.messages);
    expect(error.message).toContain(`too large for topic ${topic}`);
    const states = ofType(result.messages, "STATE") as { state: { data: { n: number } } }[];
    expect(states.map((m) => m.state.data.n)).toEqual([1]);
    const landed = await readTopics(broker.bootstrap, [topic]);
    expect(landed.map((r) => JSON.parse(r.value)._airbyte_data.id)).toContain(1);
  });

  it.each([
    ["one batch in flight", { max_in_flight_requests_per_connection: 1 }],
    ["five batches in flight, keyed", { message_key: "fields", message_key_fields: [["k"]] }],
  ])(
    "a batch over the topic's max.message.bytes is sent again in halves until it fits, in order (%s)",
    async (_label, overrides) => {
      // Records wait together while every in-flight slot is busy; a topic may take less than that.
      // The halves of a split batch land before any later batch of the partition.
      const s = sync({ acks: "all", ...overrides });
      const topic = s.topic("public", "users");
      await createTopic(broker.bootstrap, topic, { "max.message.bytes": "20000" });
      const count = 3000;
      const lines = Array.from({ length: count }, (_, i) =>
        record("users", { i, k: i % 3, pad: "y".repeat(400) }),
      );
      const result = await write(s, `${lines.join("")}${streamState("users", "public", count, count)}`);
      expect(result.exitCode).toBe(0);
      expect(ofType(result.messages, "STATE")).toHaveLength(1);
      const landed = await readTopics(broker.bootstrap, [topic]);
      expect(landed).toHaveLength(count);
      const inOffsetOrder = [...landed].sort((a, b) => Number(a.offset) - Number(b.offset));
      expect(inOffsetOrder.map((r) => JSON.parse(r.value)._airbyte_data.i)).toEqual([...Array(count).keys()]);
    },
  );

  it("an invalid input line fails the sync naming the line, never its content", async () => {
    const s = sync();
    const input = `${record("users", { id: 1 })}{"type":"STATE","state":{"data":{}}}\nnot json password=hunter2\n${record("users", { id: 2 })}{"type":"STATE","state":{"data":{}}}\n`;
    const result = await write(s, input);
    expect(result.exitCode).toBe(1);
    expect(traceError(result.messages).message).toStartWith(
      "Input line 3 cannot be written: it is not valid JSON",
    );
    expect(JSON.stringify(result.messages)).not.toContain("hunter2");
    expect(ofType(result.messages, "STATE")).toHaveLength(1);
  });

  it("a config is required, from a file or an environment variable", async () => {
    const result = await runConnector(["write"]);
    expect(result.exitCode).toBe(1);
    expect(traceError(result.messages).message).toBe(
      "The config is missing: give --config FILE or --config-env NAME.",
    );
    const unset = await runConnector(["write", "--config-env", "DK_TEST_UNSET_CONFIG"]);
    expect(traceError(unset.messages).message).toBe(
      "The environment variable DK_TEST_UNSET_CONFIG (--config-env) is not set.",
    );
  });
});

describe("write on SIGTERM and SIGINT", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "on %s it stops reading, echoes the STATEs earned and exits non-zero",
    async (signal) => {
      const s = sync({ acks: "all" });
      const live = startConnector(["write", "--config", s.config, "--catalog", s.catalog]);
      live.write(`${record("users", { id: 1 })}{"type":"STATE","state":{"data":{"n":1}}}\n`);
      await live.waitFor((m) => m.type === "STATE");
      live.signal(signal);
      const result = await live.finished(20_000);
      expect(result.exitCode).not.toBe(0);
      expect(ofType(result.messages, "STATE")).toHaveLength(1);
      expect(traceError(result.messages).message).toContain("interrupted");
    },
    30_000,
  );
});

describe("write when its reader goes away", () => {
  it("exits non-zero, promptly, when stdout is closed mid-sync (EPIPE)", async () => {
    const s = sync();
    let input = "";
    for (let i = 0; i < 20_000; i++)
      input += `${record("users", { i })}{"type":"STATE","state":{"data":{"i":${i}}}}\n`;
    const started = Date.now();
    const child = Bun.spawn(connectorCommand("write", "--config", s.config, "--catalog", s.catalog), {
      stdin: new TextEncoder().encode(input),
      stdout: "pipe",
      stderr: "pipe",
    });
    const reader = child.stdout.getReader();
    await reader.read(); // the first message, then the reader leaves, like `| head -1`
    await reader.cancel();
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const exitCode = await child.exited;
    clearTimeout(timer);
    expect(exitCode).not.toBe(0);
    expect(exitCode).not.toBe(137); // not killed by the guard above
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 40_000);
});

describe("opt-in record layout: keys, headers, timestamps, topic names", () => {
  it("key_format json, headers and record_timestamp emitted_at land as configured", async () => {
    const s = sync({ key_format: "json", headers: true, record_timestamp: "emitted_at", acks: "all" });
    const result = await write(
      s,
      `${record("users", { id: 1 }, "public", 1_600_000_000_123)}{"type":"STATE","state":{"data":{}}}\n`,
    );
    expect(result.exitCode).toBe(0);
    const [landed] = await readTopics(broker.bootstrap, [s.topic("public", "users")]);
    const value = JSON.parse(landed?.value ?? "");
    expect(JSON.parse(landed?.key ?? "")).toBe(value._airbyte_ab_id);
    expect(landed?.timestamp).toBe(1_600_000_000_123n);
    expect(landed?.headers).toEqual([
      ["airbyte_stream", "users"],
      ["airbyte_namespace", "public"],
      ["airbyte_emitted_at", "1600000000123"],
      ["airbyte_ab_id", value._airbyte_ab_id],
      ["airbyte_generation_id", "3"],
    ]);
  });

  it("the same options hold on the idempotent producer's path", async () => {
    const s = sync({ headers: true, record_timestamp: "emitted_at", enable_idempotence: true, acks: "all" });
    const result = await write(s, `${record("users", { id: 2 }, "public", 1_500_000_000_000)}`);
    expect(result.exitCode).toBe(0);
    const [landed] = await readTopics(broker.bootstrap, [s.topic("public", "users")]);
    expect(landed?.timestamp).toBe(1_500_000_000_000n);
    expect(landed?.headers.map(([name]) => name)).toEqual([
      "airbyte_stream",
      "airbyte_namespace",
      "airbyte_emitted_at",
      "airbyte_ab_id",
      "airbyte_generation_id",
    ]);
  });

  it("topic_naming kafka keeps dots and dashes", async () => {
    const prefix = uniqueName("k");
    const config = jsonFile("config.json", {
      bootstrap_servers: broker.bootstrap,
      topic_pattern: `${prefix}.{namespace}.{stream}-v1`,
      topic_naming: "kafka",
    });
    const catalog = jsonFile("catalog.json", {
      streams: [{ stream: { name: "users", namespace: "public" }, destination_sync_mode: "append" }],
    });
    const result = await runConnector(
      ["write", "--config", config, "--catalog", catalog],
      record("users", { id: 3 }),
    );
    expect(result.exitCode).toBe(0);
    expect(await readTopics(broker.bootstrap, [`${prefix}.public.users-v1`])).toHaveLength(1);
  });
});

describe("message keys from the record's fields", () => {
  const keyedSync = (overrides: Record<string, unknown>, primaryKey?: string[][]) => {
    const prefix = uniqueName("key");
    const config = jsonFile("config.json", {
      bootstrap_servers: broker.bootstrap,
      topic_pattern: `${prefix}_{stream}`,
      acks: "all",
      ...overrides,
    });
    const catalog = jsonFile("catalog.json", {
      streams: [
        {
          stream: { name: "users", source_defined_primary_key: [["id"]] },
          destination_sync_mode: "append_dedup",
          ...(primaryKey ? { primary_key: primaryKey } : {}),
        },
      ],
    });
    return {
      topic: `${prefix}_users`,
      run: (input: string) => runConnector(["write", "--config", config, "--catalog", catalog], input),
    };
  };
  const user = (data: unknown) =>
    `{"type":"RECORD","record":{"stream":"users","data":${JSON.stringify(data)},"emitted_at":1}}\n`;

  it("primary_key keys land on the partition Java's default partitioner picks, per key", async () => {
    const s = keyedSync({ message_key: "primary_key" }, [["user", "id"]]);
    await createTopic(broker.bootstrap, s.topic, {}, { partitions: 4 });
    let input = "";
    for (let i = 0; i < 40; i++) input += user({ user: { id: `u-${i % 8}` }, n: i });
    const result = await s.run(`${input}{"type":"STATE","state":{"data":{}}}\n`);
    expect(result.exitCode).toBe(0);
    const landed = await readTopics(broker.bootstrap, [s.topic]);
    expect(landed).toHaveLength(40);
    for (const record of landed) {
      const data = JSON.parse(record.value)._airbyte_data;
      expect(record.key).toBe(data.user.id);
      expect(record.partition).toBe(keyedPartition(Buffer.from(data.user.id), 4));
    }
    // One entity's records keep their order within its partition.
    const forU3 = landed
      .filter((record) => record.key === "u-3")
      .map((record) => JSON.parse(record.value)._airbyte_data.n);
    expect(forU3).toEqual([3, 11, 19, 27, 35]);
  });

  it("the stream's source-defined primary key serves when the catalog sets none", async () => {
    const s = keyedSync({ message_key: "primary_key", key_format: "json" });
    expect((await s.run(user({ id: 42 }))).exitCode).toBe(0);
    const [landed] = await readTopics(broker.bootstrap, [s.topic]);
    expect(landed?.key).toBe("42");
  });

  it("several fields make a JSON array key", async () => {
    const s = keyedSync({ message_key: "fields", message_key_fields: [["region"], ["id"]] });
    expect((await s.run(user({ id: 1, region: "eu" }))).exitCode).toBe(0);
    const [landed] = await readTopics(broker.bootstrap, [s.topic]);
    expect(landed?.key).toBe('["eu",1]');
  });

  it("a record without its key field fails the sync naming stream and field, with no later STATE", async () => {
    const s = keyedSync({ message_key: "fields", message_key_fields: [["user", "id"]] });
    const result = await s.run(
      `${user({ user: { id: "a" } })}{"type":"STATE","state":{"data":{"n":1}}}\n${user({ user: {} })}{"type":"STATE","state":{"data":{"n":2}}}\n`,
    );
    expect(result.exitCode).toBe(1);
    expect(traceError(result.messages).message).toContain(
      "Input line 3 cannot be written: the record of stream users has no message key: its key field user.id is missing or null",
    );
    expect(ofType(result.messages, "STATE")).toHaveLength(1);
  });

  it("message_key none writes records without a key", async () => {
    const s = keyedSync({ message_key: "none" });
    expect((await s.run(user({ id: 1 }))).exitCode).toBe(0);
    const [landed] = await readTopics(broker.bootstrap, [s.topic]);
    expect(landed?.key).toBeNull();
  });
});

describe("pipelines without files", () => {
  it("without --catalog every stream is routed by topic_pattern, config from an environment variable", async () => {
    const prefix = uniqueName("pipe");
    const config = JSON.stringify({
      bootstrap_servers: broker.bootstrap,
      topic_pattern: `${prefix}_{namespace}_{stream}`,
    });
    const input = `${record("users", { id: 1 })}${record("events", { n: 2 }, null)}{"type":"STATE","state":{"data":{"done":1}}}\n`;
    const result = await runConnector(["write", "--config-env", "DK_CONFIG"], input, 60_000, {
      DK_CONFIG: config,
    });
    expect(result.exitCode).toBe(0);
    expect(ofType(result.messages, "STATE")).toHaveLength(1);
    expect(await readTopics(broker.bootstrap, [`${prefix}_public_users`])).toHaveLength(1);
    expect(await readTopics(broker.bootstrap, [`${prefix}__events`])).toHaveLength(1);
  });

  it("check reads its config through a process substitution", async () => {
    const config = jsonFile("config.json", { bootstrap_servers: broker.bootstrap, topic_pattern: "x" });
    const command = connectorCommand("check", "--config", `<(cat ${config})`).join(" ");
    const child = Bun.spawn(["bash", "-c", command], { stdout: "pipe" });
    const messages = JSON.parse((await new Response(child.stdout).text()).trim());
    expect(await child.exited).toBe(0);
    expect(messages).toEqual({ type: "CONNECTION_STATUS", connectionStatus: { status: "SUCCEEDED" } });
  });

  it("message_key primary_key without a catalog is a config error", async () => {
    const config = jsonFile("config.json", {
      bootstrap_servers: broker.bootstrap,
      topic_pattern: "x",
      message_key: "primary_key",
    });
    const result = await runConnector(["write", "--config", config], record("users", { id: 1 }));
    expect(result.exitCode).toBe(1);
    expect(traceError(result.messages).message).toContain(
      "message_key is primary_key, which needs the configured catalog",
    );
  });
});

describe("create_topics", () => {
  const createSettings = { partitions: 3, replication_factor: 1, configs: { "cleanup.policy": "compact" } };

  it("creates a missing topic with the asked partitions and configs, where the broker would not", async () => {
    const s = sync({ create_topics: createSettings }, noauto.bootstrap);
    const result = await write(s, `${record("users", { id: 1 })}{"type":"STATE","state":{"data":{}}}\n`);
    expect(result.exitCode).toBe(0);
    expect(ofType(result.messages, "STATE")).toHaveLength(1);
    const topic = s.topic("public", "users");
    expect(await describeTopic(noauto.bootstrap, topic, ["cleanup.policy"])).toEqual({
      partitions: 3,
      configs: { "cleanup.policy": "compact" },
    });
    expect(await readTopics(noauto.bootstrap, [topic])).toHaveLength(1);
  });

  it("never changes a topic that exists", async () => {
    const s = sync({ create_topics: createSettings }, noauto.bootstrap);
    const topic = s.topic("public", "users");
    await createTopic(noauto.bootstrap, topic, { "cleanup.policy": "delete" }, { partitions: 1 });
    expect((await write(s, record("users", { id: 1 }))).exitCode).toBe(0);
    expect(await describeTopic(noauto.bootstrap, topic, ["cleanup.policy"])).toEqual({
      partitions: 1,
      configs: { "cleanup.policy": "delete" },
    });
  });

  it("check says whether a fixed topic exists or will be created", async () => {
    const topic = uniqueName("fixed");
    const config = {
      bootstrap_servers: noauto.bootstrap,
      topic_pattern: topic,
      create_topics: createSettings,
    };
    const before = await runConnector(["check", "--config", jsonFile("config.json", config)]);
    expect(before.messages[0]?.connectionStatus).toEqual({
      status: "SUCCEEDED",
      message: `Topic ${topic} does not exist; write will create it with 3 partition(s) and replication factor 1 (the cluster accepted these settings and this client's right to create it in a dry run).`,
    });
    await createTopic(noauto.bootstrap, topic);
    const after = await runConnector(["check", "--config", jsonFile("config.json", config)]);
    expect(after.messages[0]?.connectionStatus).toEqual({
      status: "SUCCEEDED",
      message: `Topic ${topic} exists; create_topics leaves it as it is.`,
    });
  });

  it("check fails when the cluster would refuse to create the topic, naming why, and creates nothing", async () => {
    const topic = uniqueName("fixed");
    const config = {
      bootstrap_servers: noauto.bootstrap,
      topic_pattern: topic,
      create_topics: { partitions: 1, replication_factor: 3 },
    };
    const result = await runConnector(["check", "--config", jsonFile("config.json", config)]);
    expect(result.exitCode).toBe(1);
    const status = result.messages[0]?.connectionStatus as { status: string; message: string };
    expect(status.status).toBe("FAILED");
    expect(status.message).toContain(`validating the creation of the topic (topic ${topic})`);
    expect(status.message).toContain("the cluster refused the replication factor");
    expect(status.message).toContain("only 1 broker(s) are registered");
    expect(await listTopics(noauto.bootstrap)).not.toContain(topic);
  });
});

describe("memory reused between records", () => {
  // Values are carved from slabs that are reused once every value in them is acknowledged; a
  // slab reused too early would send one record's bytes in another's place.
  it.each([
    ["acks all", { acks: "all" }],
    ["idempotent", { acks: "all", enable_idempotence: true }],
  ])(
    "%s: 20,000 records of mixed sizes land intact, each once",
    async (_, overrides) => {
      const s = sync({ ...overrides, buffer_memory: "1048576", batch_size: 8192 });
      const count = 20_000;
      const lines: string[] = [];
      for (let i = 0; i < count; i++) {
        lines.push(record("users", { i, pad: "x".repeat((i * 7919) % 1500) }));
        if (i % 1000 === 999) lines.push(streamState("users", "public", i, 1000));
      }
      const result = await write(s, lines.join(""), 90_000);
      expect(result.exitCode).toBe(0);
      const landed = await readTopics(broker.bootstrap, [s.topic("public", "users")], 30_000);
      expect(landed).toHaveLength(count);
      const seen = new Set<number>();
      for (const message of landed) {
        const value = JSON.parse(message.value ?? "");
        const { i, pad } = value._airbyte_data;
        expect(pad).toBe("x".repeat((i * 7919) % 1500));
        expect(message.key).toBe(value._airbyte_ab_id);
        seen.add(i);
      }
      expect(seen.size).toBe(count);
    },
    120_000,
  );
});
