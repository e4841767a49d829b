/**
 * The harness's Schema Registry (scripts/registry/): a real Apicurio Registry with a
 * Confluent-compatible API, on loopback, BACKWARD by default. Registers an Avro schema, finds it
 * by id and by subject, sees an incompatible change refused with HTTP 409, and checks that the
 * schemas src/formats derives pass a real (Java) Avro and JSON Schema parser, and evolve the way
 * BACKWARD compatibility lets them.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import {
  ensureRegistry,
  type RegistryHandle,
  readRegistryState,
  residentMiB,
} from "../../scripts/registry/registry.ts";
import { avroType } from "../../src/formats/avro-codec.ts";
import { streamAvro } from "../../src/formats/avro-schema.ts";
import { jsonSchemaForStream } from "../../src/formats/json-schema-value.ts";
import faker from "../formats/fixtures/source-faker.json";

/** First start may fetch the distribution (~160 MB) through Maven. */
const START_TIMEOUT_MS = 180_000;
const CALL_TIMEOUT_MS = 10_000;
const CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

let registry: RegistryHandle;

beforeAll(async () => {
  const started = performance.now();
  registry = await ensureRegistry();
  const state = readRegistryState(registry.name);
  console.log(
    `registry: Apicurio ${registry.version} on Java ${registry.javaMajor}, ready in ${Math.round(performance.now() - started)} ms (JVM start to first answer: ${state?.startupMs} ms), ${residentMiB(registry.pid) ?? "?"} MiB resident`,
  );
}, START_TIMEOUT_MS);

describe("the registry", () => {
  test("listens on loopback only: its HTTP port and its management port", () => {
    expect(new URL(registry.url).hostname).toBe("127.0.0.1");
    const addresses = listeningAddresses(registry.pid);
    expect(addresses.length).toBeGreaterThanOrEqual(readRegistryState(registry.name)?.managementUrl ? 2 : 1);
    for (const address of addresses) expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(addresses).toContain(new URL(registry.url).host);
  });

  test("is reused while it runs", async () => {
    const started = performance.now();
    const again = await ensureRegistry();
    expect(again.pid).toBe(registry.pid);
    expect(again.url).toBe(registry.url);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  test("has global compatibility BACKWARD (Confluent's default)", async () => {
    expect(await call("GET", "/config")).toEqual({ status: 200, body: { compatibilityLevel: "BACKWARD" } });
  });
});

describe("an Avro schema through the Confluent API", () => {
  const subject = `harness-${randomUUID()}-value`;
  const v1 = {
    type: "record",
    name: "Order",
    namespace: "harness",
    fields: [
      { name: "id", type: "long" },
      { name: "note", type: ["null", "string"], default: null },
    ],
  };
  let id = -1;

  test(
    "is registered under a subject",
    async () => {
      const { status, body } = await register(subject, v1);
      expect(status).toBe(200);
      id = (body as { id: number }).id;
      expect(Number.isInteger(id)).toBe(true);
    },
    CALL_TIMEOUT_MS,
  );

  test(
    "is found by id, and again by subject; registering it again gives the same id",
    async () => {
      const byId = await call("GET", `/schemas/ids/${id}`);
      expect(byId.status).toBe(200);
      expect(JSON.parse((byId.body as { schema: string }).schema)).toEqual(v1);
      expect((await register(subject, v1)).body).toEqual({ id });
      const lookup = await call("POST", `/subjects/${subject}`, { schema: JSON.stringify(v1) });
      expect(lookup.status).toBe(200);
      expect(lookup.body).toMatchObject({ subject, version: 1, id });
    },
    CALL_TIMEOUT_MS,
  );

  test(
    "an incompatible change is refused with HTTP 409; a compatible one is a new version",
    async () => {
      const retyped = { ...v1, fields: [{ name: "id", type: "string" }, v1.fields[1]] };
      const refused = await register(subject, retyped);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ error_code: 409 });

      const widened = {
        ...v1,
        fields: [...v1.fields, { name: "total", type: ["null", "double"], default: null }],
      };
      const accepted = await register(subject, widened);
      expect(accepted.status).toBe(200);
      expect((accepted.body as { id: number }).id).not.toBe(id);
      expect((await call("GET", `/subjects/${subject}/versions`)).body).toEqual([1, 2]);
    },
    CALL_TIMEOUT_MS,
  );
});

describe("the schemas src/formats derives", () => {
  test(
    "Avro: source-faker's streams and a stream with every construct are accepted and read back",
    async () => {
      const streams = [
        ...faker.streams.map((s) => ({ name: s.name, namespace: "faker", jsonSchema: s.json_schema })),
        { name: "every construct", namespace: "my-db", jsonSchema: EVERY_CONSTRUCT },
      ];
      for (const stream of streams) {
        const { schema } = streamAvro(stream);
        const { status, body } = await register(`harness-${randomUUID()}-value`, schema);
        expect({ stream: stream.name, status }).toEqual({ stream: stream.name, status: 200 });
        const back = await call("GET", `/schemas/ids/${(body as { id: number }).id}`);
        const parsed = JSON.parse((back.body as { schema: string }).schema);
        expect(() => avroType(parsed)).not.toThrow();
      }
    },
    CALL_TIMEOUT_MS,
  );

  test(
    "Avro under BACKWARD: a new property or a widened type is a new version; a changed type is refused",
    async () => {
      const users = faker.streams.find((s) => s.name === "users")?.json_schema as {
        properties: Record<string, unknown>;
      };
      const subject = `harness-${randomUUID()}-value`;
      const version = (properties: Record<string, unknown>) =>
        streamAvro({ name: "users", namespace: "faker", jsonSchema: { ...users, properties } }).schema;
      expect((await register(subject, version(users.properties))).status).toBe(200);
      const added = { ...users.properties, nickname: { type: ["null", "string"] } };
      expect((await register(subject, version(added))).status).toBe(200);
      const widened = { ...added, age: { type: ["integer", "string"] } };
      expect((await register(subject, version(widened))).status).toBe(200);
      const changed = { ...added, age: { type: "string" } };
      const refused = await register(subject, version(changed));
      expect(refused.status).toBe(409);
      expect((refused.body as { message: string }).message).toContain(
        "reader union lacking writer type: LONG",
      );
    },
    CALL_TIMEOUT_MS,
  );

  test(
    "JSON Schema: the envelope is accepted; with the stream's open content model a new property is refused",
    async () => {
      const subject = `harness-${randomUUID()}-value`;
      const version = (properties: Record<string, unknown>) =>
        jsonSchemaForStream({
          name: "users",
          namespace: "faker",
          jsonSchema: { type: "object", properties },
        });
      const base = { id: { type: "integer" }, name: { type: "string" } };
      expect((await register(subject, version(base), "JSON")).status).toBe(200);
      // Confluent's and Apicurio's rule for open content models: a new property narrows what
      // `additionalProperties` allowed, so BACKWARD refuses it (a closed model would accept it).
      const added = await register(subject, version({ ...base, nickname: { type: "string" } }), "JSON");
      expect(added.status).toBe(409);
      expect((await register(subject, version({ id: { type: "integer" } }), "JSON")).status).toBe(200);
    },
    CALL_TIMEOUT_MS,
  );
});

// --- internal ---

const EVERY_CONSTRUCT = {
  type: "object",
  definitions: { money: { type: "object", properties: { amount: { type: "number" } } } },
  properties: {
    id: { type: "integer" },
    "display name": { type: "string" },
    "2nd": { type: "boolean" },
    born: { type: "string", format: "date" },
    wakes: { type: "string", format: "time" },
    seen: { type: "string", format: "date-time" },
    tags: { type: "array", items: { type: "string" } },
    lines: {
      type: "array",
      items: {
        type: "object",
        properties: { sku: { type: "string" }, price: { $ref: "#/definitions/money" } },
      },
    },
    code: {
      oneOf: [
        { type: "string" },
        { type: "integer" },
        { type: "object", properties: { a: { type: "integer" } } },
      ],
    },
    either: {
      oneOf: [
        { type: "object", properties: { a: { type: "integer" } } },
        { type: "array", items: { type: "object", properties: { b: { type: "integer" } } } },
      ],
    },
    meta: { type: "object" },
    raw: {},
    nothing: { type: "null" },
  },
};

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${registry.url}${path}`, {
    method,
    headers: { "content-type": CONTENT_TYPE },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? null : JSON.parse(text) };
}

function register(subject: string, schema: unknown, schemaType?: "AVRO" | "JSON") {
  return call("POST", `/subjects/${encodeURIComponent(subject)}/versions`, {
    schema: JSON.stringify(schema),
    ...(schemaType === undefined ? {} : { schemaType }),
  });
}

/** `address:port` of every TCP socket `pid` listens on (from /proc: its fds' socket inodes). */
function listeningAddresses(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {}
  }
  const addresses: string[] = [];
  for (const table of ["tcp", "tcp6"]) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, "utf8").split("\n").slice(1)) {
      const columns = line.trim().split(/\s+/);
      const [local, state, inode] = [columns[1], columns[3], columns[9]];
      if (local === undefined || state !== "0A" || inode === undefined || !inodes.has(inode)) continue;
      addresses.push(decodeAddress(local));
    }
  }
  return addresses;
}

/** /proc/net/tcp's hex `address:port` (IPv4, or IPv6 incl. IPv4-mapped) → readable. */
function decodeAddress(hex: string): string {
  const [address = "", port = "0"] = hex.split(":");
  const portNumber = Number.parseInt(port, 16);
  const bytes = (address.match(/../g) ?? []).map((b) => Number.parseInt(b, 16));
  // Each 32-bit word is in host (little-endian) order.
  const words: number[][] = [];
  for (let i = 0; i < bytes.length; i += 4) words.push(bytes.slice(i, i + 4).reverse());
  const flat = words.flat();
  if (flat.length === 4) return `${flat.join(".")}:${portNumber}`;
  const mapped = flat.slice(0, 10).every((b) => b === 0) && flat[10] === 0xff && flat[11] === 0xff;
  if (mapped) return `${flat.slice(12).join(".")}:${portNumber}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((flat[i] ?? 0) << 8) | (flat[i + 1] ?? 0)).toString(16));
  return `[${groups.join(":")}]:${portNumber}`;
}
