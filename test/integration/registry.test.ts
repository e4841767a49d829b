/**
 * value_format avro and json_schema end to end: the connector writes to a real broker with its
 * schemas in a real registry (Apicurio, Confluent-compatible API), and an independent reader —
 * Python's fastavro and jsonschema, with the writer schema fetched from the registry by the id in
 * each frame — decodes what landed, compared with the input record by record.
 */
import { beforeAll, describe, expect, it } from "bun:test";
import { resolve } from "node:path";
import { ensurePythonPeers } from "../../scripts/python-peers.ts";
import { ensureRegistry, type RegistryHandle } from "../../scripts/registry/registry.ts";
import { parseJsonLossless } from "../../src/formats/json-lossless.ts";
import { connectionStatus, jsonFile, ofType, runConnector, traceError } from "../helpers/connector.ts";
import { type LandedRecord, readTopics, type TestBroker, testBroker, uniqueName } from "../helpers/kafka.ts";

const DECODER = resolve(import.meta.dir, "../helpers/registry-decode.py");
/** Nothing listens on the discard port on loopback. */
const DEAD_REGISTRY = "http://127.0.0.1:9";
const EMITTED_AT = 1700000000123;

let broker: TestBroker;
let registry: RegistryHandle;
let python: string;

beforeAll(async () => {
  const [b, r, peers] = await Promise.all([testBroker(), ensureRegistry(), ensurePythonPeers()]);
  [broker, registry, python] = [b, r, peers.python];
}, 600_000);

type Schema = Record<string, unknown>;
interface Stream {
  name: string;
  namespace?: string;
  schema: Schema;
  /** More members of the configured stream (generation_id, sync_id). */
  configured?: Record<string, unknown>;
}

/** A config and catalog for `streams`, on topics no other test uses: `<prefix>_<stream>`. */
function sync(streams: Stream[], overrides: Record<string, unknown> = {}, prefix = uniqueName("reg")) {
  const config = jsonFile("config.json", {
    bootstrap_servers: broker.bootstrap,
    topic_pattern: `${prefix}_{stream}`,
    acks: "all",
    max_block_ms: "10000",
    request_timeout_ms: 10000,
    value_format: "avro",
    schema_registry: { url: registry.url },
    ...overrides,
  });
  const catalog = jsonFile("catalog.json", {
    streams: streams.map(({ name, namespace, schema, configured }) => ({
      stream: { name, namespace, json_schema: schema, supported_sync_modes: ["full_refresh"] },
      sync_mode: "full_refresh",
      destination_sync_mode: "append",
      ...configured,
    })),
  });
  return {
    prefix,
    topic: (stream: string) => `${prefix}_${stream.replaceAll(/[^A-Za-z0-9_]/g, "_")}`,
    write: (lines: string[]) =>
      runConnector(["write", "--config", config, "--catalog", catalog], lines.map((l) => `${l}\n`).join("")),
  };
}

const record = (stream: string, data: string, namespace?: string) =>
  `{"type":"RECORD","record":{"stream":"${stream}",${namespace ? `"namespace":"${namespace}",` : ""}"emitted_at":${EMITTED_AT},"data":${data}}}`;
const state = (n: number) => JSON.stringify({ type: "STATE", state: { data: { n } } });

interface Decoded {
  schema_id: number;
  schema_type: "AVRO" | "JSON";
  value: Record<string, unknown>;
  rest?: number;
  valid?: boolean;
  error?: string | null;
}

/**
 * Decodes framed values (or, with `part` "key", keys) with the Python reader (fastavro /
 * jsonschema), schemas fetched by id.
 */
async function decode(landed: LandedRecord[], part: "value" | "key" = "value"): Promise<Decoded[]> {
  const child = Bun.spawn([python, DECODER, registry.url], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  for (const message of landed) {
    const bytes = part === "key" ? message.keyBytes : message.valueBytes;
    child.stdin.write(`${JSON.stringify({ value_b64: bytes?.toString("base64") })}\n`);
  }
  await child.stdin.end();
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (exitCode !== 0) throw new Error(`the Python decoder failed: ${stderr}`);
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => parseJsonLossless(line) as Decoded);
}

async function registryGet(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${registry.url}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** How Python prints a UTC datetime (fastavro's timestamp-millis / -micros). */
const pythonUtc = (iso: string) => iso.replace(/Z$/, "+00:00");
const EMITTED_AT_PY = pythonUtc(new Date(EMITTED_AT).toISOString().replace(".123Z", ".123000Z"));

const usersSchema: Schema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    name: { type: ["null", "string"] },
    score: { type: "number" },
    active: { type: "boolean" },
    born: { type: "string", format: "date" },
    seen_at: { type: "string", format: "date-time" },
    wakes: { type: "string", format: "time" },
    address: { type: "object", properties: { city: { type: "string" }, "zip code": { type: "string" } } },
    tags: { type: "array", items: { type: "string" } },
    meta: { type: "object" },
  },
};
const ordersSchema: Schema = {
  type: "object",
  properties: {
    order_id: { type: "integer" },
    lines: {
      type: "array",
      items: { type: "object", properties: { sku: { type: "string" }, qty: { type: "integer" } } },
    },
    total: { type: "number" },
  },
};

describe("value_format avro", () => {
  it("syncs several streams; fastavro decodes every message, with the schema fetched by id, as the input", async () => {
    const streams = [
      { name: "users", namespace: "public", schema: usersSchema },
      { name: "orders", schema: ordersSchema },
    ];
    const target = sync(streams);
    const users = [
      `{"id":1,"name":"Ada","score":1.5,"active":true,"born":"1815-12-10","seen_at":"2024-02-29T12:34:56.789123Z","wakes":"07:30:00","address":{"city":"London","zip code":"N1"},"tags":["a","b"],"meta":{"k":[1,2]},"nick":"extra"}`,
      `{"id":9007199254740993,"name":null,"score":-0.25,"active":false}`,
      `{"id":-9223372036854775808,"seen_at":"1969-12-31T23:59:59+01:00","tags":[]}`,
    ];
    const orders = [
      `{"order_id":1,"lines":[{"sku":"x-1","qty":2},{"sku":"y","qty":1,"gift":true}],"total":30.5}`,
      `{"order_id":2,"lines":[],"total":0}`,
    ];
    const result = await target.write([
      record("users", users[0] as string, "public"),
      record("orders", orders[0] as string),
      state(1),
      record("users", users[1] as string, "public"),
      record("users", users[2] as string, "public"),
      record("orders", orders[1] as string),
      state(2),
    ]);
    expect(result.exitCode).toBe(0);
    expect(ofType(result.messages, "STATE")).toHaveLength(2);

    const landedUsers = await readTopics(broker.bootstrap, [target.topic("users")]);
    const landedOrders = await readTopics(broker.bootstrap, [target.topic("orders")]);
    const decodedUsers = await decode(landedUsers);
    const decodedOrders = await decode(landedOrders);

    const nullUser = {
      id: null,
      name: null,
      score: null,
      active: null,
      born: null,
      seen_at: null,
      wakes: null,
      address: null,
      tags: null,
      meta: null,
      _airbyte_additional_properties: null,
    };
    const expectedUsers = [
      {
        id: 1,
        name: "Ada",
        score: 1.5,
        active: true,
        born: "1815-12-10",
        seen_at: "2024-02-29T12:34:56.789123+00:00",
        wakes: "07:30:00",
        address: { city: "London", zip_code: "N1", _airbyte_additional_properties: null },
        tags: ["a", "b"],
        meta: '{"k":[1,2]}',
        _airbyte_additional_properties: { nick: "extra" },
      },
      { ...nullUser, id: 9007199254740993n, score: -0.25, active: false },
      { ...nullUser, id: -9223372036854775808n, seen_at: "1969-12-31T22:59:59+00:00", tags: [] },
    ];
    const expectedOrders = [
      {
        order_id: 1,
        lines: [
          { sku: "x-1", qty: 2, _airbyte_additional_properties: null },
          { sku: "y", qty: 1, _airbyte_additional_properties: { gift: "true" } },
        ],
        total: 30.5,
        _airbyte_additional_properties: null,
      },
      { order_id: 2, lines: [], total: 0, _airbyte_additional_properties: null },
    ];
    for (const [landed, decoded, expected, stream] of [
      [landedUsers, decodedUsers, expectedUsers, "users"],
      [landedOrders, decodedOrders, expectedOrders, "orders"],
    ] as const) {
      expect(decoded).toHaveLength(expected.length);
      const { body } = await registryGet(`/subjects/${target.topic(stream)}-value/versions/latest`);
      decoded.forEach((message, i) => {
        expect(message.schema_type).toBe("AVRO");
        expect(message.schema_id).toBe(body.id as number);
        expect(message.rest).toBe(0);
        expect(message.value).toEqual({
          _airbyte_ab_id: landed[i]?.key,
          _airbyte_stream: stream,
          _airbyte_emitted_at: EMITTED_AT_PY,
          _airbyte_data: expected[i],
        });
      });
    }
  }, 60_000);

  it("registers under the subject each strategy names", async () => {
    const prefix = uniqueName("reg");
    const stream = `s${prefix.slice(-12)}`;
    const streams = [{ name: stream, namespace: "shop", schema: ordersSchema }];
    for (const strategy of ["record", "topic_record"]) {
      const result = await sync(streams, { subject_name_strategy: strategy }, prefix).write([
        record(stream, '{"order_id":1}', "shop"),
      ]);
      expect(result.exitCode).toBe(0);
    }
    const topic = `${prefix}_${stream}`;
    const [landed] = [await readTopics(broker.bootstrap, [topic])];
    const ids = (await decode(landed)).map((message) => message.schema_id);
    expect((await registryGet(`/subjects/shop.${stream}/versions/latest`)).body.id).toBe(ids[0]);
    expect((await registryGet(`/subjects/${topic}-shop.${stream}/versions/latest`)).body.id).toBe(ids[1]);
    expect((await registryGet(`/subjects/${topic}-value/versions/latest`)).status).toBe(404);
  }, 60_000);

  it("fails with a config error naming the subject and the level when the registry refuses a schema change", async () => {
    const prefix = uniqueName("reg");
    const first = await sync(
      [{ name: "items", schema: { type: "object", properties: { id: { type: "integer" } } } }],
      {},
      prefix,
    ).write([record("items", '{"id":1}')]);
    expect(first.exitCode).toBe(0);
    const second = await sync(
      [{ name: "items", schema: { type: "object", properties: { id: { type: "string" } } } }],
      {},
      prefix,
    ).write([record("items", '{"id":"one"}'), state(1)]);
    expect(second.exitCode).toBe(1);
    const error = traceError(second.messages);
    expect(error.failure_type).toBe("config_error");
    expect(error.message).toContain(`subject ${prefix}_items-value`);
    expect(error.message).toContain("compatibility level BACKWARD");
    expect(ofType(second.messages, "STATE")).toHaveLength(0);
    expect(await readTopics(broker.bootstrap, [`${prefix}_items`])).toHaveLength(1);
  }, 60_000);

  it("fails on a record that does not fit, naming stream and field, never the value; earlier STATEs stand", async () => {
    const target = sync([
      { name: "items", schema: { type: "object", properties: { id: { type: "integer" } } } },
    ]);
    const result = await target.write([
      record("items", '{"id":1}'),
      state(1),
      record("items", '{"id":"no-such-number"}'),
      state(2),
      record("items", '{"id":3}'),
    ]);
    expect(result.exitCode).toBe(1);
    const error = traceError(result.messages);
    expect(error.message).toContain("stream items does not fit its Avro schema: field id is a string");
    expect(error.message).not.toContain("no-such-number");
    expect(ofType(result.messages, "STATE").map((m) => (m.state as { data: unknown }).data)).toEqual([
      { n: 1 },
    ]);
    expect(await readTopics(broker.bootstrap, [target.topic("items")])).toHaveLength(1);
  }, 60_000);

  it("fails with a transient error when the registry cannot be reached", async () => {
    const target = sync([{ name: "items", schema: usersSchema }], {
      schema_registry: { url: DEAD_REGISTRY },
    });
    const result = await target.write([record("items", '{"id":1}'), state(1)]);
    expect(result.exitCode).toBe(1);
    const error = traceError(result.messages);
    expect(error.failure_type).toBe("transient_error");
    expect(error.message).toContain(`Could not reach the Schema Registry (${DEAD_REGISTRY}`);
    expect(ofType(result.messages, "STATE")).toHaveLength(0);
  }, 60_000);
});

describe("key_format avro", () => {
  it("writes keys of the key fields that fastavro decodes, under <topic>-key, beside avro values", async () => {
    const target = sync([{ name: "orders", schema: ordersSchema }], {
      key_format: "avro",
      message_key: "fields",
      message_key_fields: [["order_id"]],
    });
    const result = await target.write([
      record("orders", '{"order_id":9007199254740991,"total":1}'),
      record("orders", '{"order_id":-4,"total":2}'),
    ]);
    expect(result.exitCode).toBe(0);
    const landed = await readTopics(broker.bootstrap, [target.topic("orders")]);
    const keys = await decode(landed, "key");
    const values = await decode(landed);
    const { body } = await registryGet(`/subjects/${target.topic("orders")}-key/versions/latest`);
    expect(keys.map((key) => [key.schema_id, key.rest, key.value])).toEqual([
      [body.id as number, 0, { order_id: 9007199254740991 }],
      [body.id as number, 0, { order_id: -4 }],
    ]);
    expect(values.map((value) => (value.value._airbyte_data as { order_id: unknown }).order_id)).toEqual([
      9007199254740991, -4,
    ]);
  }, 60_000);
});

describe("value_format json_schema", () => {
  it("syncs several streams: the reference JSON framed with a registered schema it validates against", async () => {
    const target = sync(
      [
        { name: "users", namespace: "public", schema: usersSchema },
        { name: "orders", schema: ordersSchema },
      ],
      { value_format: "json_schema" },
    );
    const data = {
      users: [
        `{"id":12345678901234567890,"name":"Ada","score":1.10,"born":"1815-12-10"}`,
        `{"id":2,"tags":["x"]}`,
      ],
      orders: [`{"order_id":1,"lines":[{"sku":"x","qty":2}],"total":3}`],
    };
    const result = await target.write([
      record("users", data.users[0] as string, "public"),
      record("orders", data.orders[0] as string),
      state(1),
      record("users", data.users[1] as string, "public"),
    ]);
    expect(result.exitCode).toBe(0);
    for (const stream of ["users", "orders"] as const) {
      const landed = await readTopics(broker.bootstrap, [target.topic(stream)]);
      const decoded = await decode(landed);
      const { body } = await registryGet(`/subjects/${target.topic(stream)}-value/versions/latest`);
      expect(decoded).toHaveLength(data[stream].length);
      decoded.forEach((message, i) => {
        expect(message.schema_type).toBe("JSON");
        expect(message.schema_id).toBe(body.id as number);
        expect(message.valid).toBe(true);
        // Byte for byte the reference layout, the data as the source wrote it (1.10, 2^64-ish).
        expect(landed[i]?.valueBytes.subarray(5).toString()).toBe(
          `{"_airbyte_ab_id":"${landed[i]?.key}","_airbyte_stream":"${stream}","_airbyte_emitted_at":${EMITTED_AT},"_airbyte_data":${data[stream][i]}}`,
        );
      });
    }
  }, 60_000);
});

describe("message_layout airbyte_v2 with a registry format", () => {
  it.each(["avro", "json_schema"])(
    "%s: the V2 fields (raw id as the key, extracted_at, meta with the record's changes, generation) read back",
    async (format) => {
      const configured = { generation_id: 4, minimum_generation_id: 0, sync_id: 77 };
      const target = sync([{ name: "orders", schema: ordersSchema, configured }], {
        value_format: format,
        message_layout: "airbyte_v2",
      });
      const changes = [{ field: "note", change: "TRUNCATED", reason: "SOURCE_FIELD_SIZE_LIMITATION" }];
      const data = '{"order_id":1,"lines":[{"sku":"x","qty":2}],"total":3}';
      const result = await target.write([
        `{"type":"RECORD","record":{"stream":"orders","emitted_at":${EMITTED_AT},"data":${data},"meta":{"changes":${JSON.stringify(changes)}}}}`,
        state(1),
      ]);
      expect(result.exitCode).toBe(0);
      const landed = await readTopics(broker.bootstrap, [target.topic("orders")]);
      const [decoded] = await decode(landed);
      const value = decoded?.value ?? {};
      expect(Object.keys(value)).toEqual([
        "_airbyte_raw_id",
        "_airbyte_extracted_at",
        "_airbyte_meta",
        "_airbyte_generation_id",
        "_airbyte_data",
      ]);
      expect(value._airbyte_raw_id).toBe(landed[0]?.key as string);
      expect(landed[0]?.key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(value._airbyte_meta).toEqual({ sync_id: 77, changes });
      expect(value._airbyte_generation_id).toBe(4);
      if (format === "avro") {
        expect(value._airbyte_extracted_at).toBe(EMITTED_AT_PY);
        expect(decoded?.rest).toBe(0);
      } else {
        expect(decoded?.valid).toBe(true);
        expect(value._airbyte_extracted_at).toBe(EMITTED_AT);
        expect(landed[0]?.valueBytes.subarray(5).toString()).toEndWith(`"_airbyte_data":${data}}`);
      }
    },
    60_000,
  );
});

describe("check with a registry format", () => {
  const checkWith = (url: string) =>
    runConnector([
      "check",
      "--config",
      jsonFile("config.json", {
        bootstrap_servers: broker.bootstrap,
        topic_pattern: "{stream}",
        max_block_ms: "10000",
        value_format: "avro",
        schema_registry: { url, username: "reader", password: "s3cret-pass" },
      }),
    ]);

  it("reaches the registry and says so", async () => {
    const result = await checkWith(registry.url);
    expect(result.exitCode).toBe(0);
    const status = connectionStatus(result.messages);
    expect(status.status).toBe("SUCCEEDED");
    expect(status.message).toBe(
      `The Schema Registry at ${registry.url} answered (global compatibility BACKWARD); value_format avro registers each stream's schema there.`,
    );
  });

  it("fails when the registry cannot be reached, without printing the password", async () => {
    const result = await checkWith(DEAD_REGISTRY);
    expect(result.exitCode).toBe(1);
    const status = connectionStatus(result.messages);
    expect(status.status).toBe("FAILED");
    expect(status.message).toStartWith(
      "Could not use the Schema Registry with provided configuration. Could not reach",
    );
    expect(JSON.stringify(result.messages) + result.stderr).not.toContain("s3cret-pass");
  });
});
