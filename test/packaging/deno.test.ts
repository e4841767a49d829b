/**
 * The same src/ under Deno (the `deno` npm package, a devDependency): `deno run` resolves this
 * repo's node_modules through package.json, with read, env and loopback-only net permissions.
 * --version (package.json imported as JSON), spec, a write whose records are read back, one with
 * Avro values through the Schema Registry, socket mode with protobuf (on the main thread and in
 * workers), and a SIGTERM mid-sync that still echoes the STATE its acknowledged records earned.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { Buffer } from "node:buffer";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { ensureRegistry } from "../../scripts/registry/registry.ts";
import { avroType } from "../../src/formats/avro-codec.ts";
import { streamAvro } from "../../src/formats/avro-schema.ts";
import { unframe } from "../../src/formats/wire.ts";
import { frame } from "../helpers/airbyte-socket-proto.ts";
import { ofType, parseMessages, traceError } from "../helpers/connector.ts";
import { readTopics, type TestBroker, testBroker } from "../helpers/kafka.ts";
import { feedSockets, socketEnv } from "../helpers/socket-feeder.ts";
import { runProcess } from "./process.ts";
import { expectLanded, smallSync, writeSyncFiles } from "./sync.ts";

const MAIN = resolve(import.meta.dir, "../../src/main.ts");

/** The deno executable the npm package installed for this platform. */
const DENO = (
  createRequire(import.meta.url)("deno/install_api.cjs") as { runInstall(): string }
).runInstall();

let broker: TestBroker;
let dir: string;

beforeAll(async () => {
  broker = await testBroker();
  dir = mkdtempSync(join(tmpdir(), "dk-deno-"));
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const denoRun = (...args: string[]) => [
  DENO,
  "run",
  "--no-prompt",
  "--allow-read",
  "--allow-env",
  "--allow-net=127.0.0.1",
  MAIN,
  ...args,
];
const env = { ...process.env, NO_COLOR: "1" } as Record<string, string>;

describe("under Deno", () => {
  it("prints package.json's version", () => {
    const child = Bun.spawnSync(denoRun("--version"), { cwd: dir, env, timeout: 60_000 });
    expect(child.stdout.toString().trim()).toBe(pkg.version);
  });

  it("answers spec", async () => {
    const { exitCode, messages, stderr } = await runProcess(denoRun("spec"), { cwd: dir, env });
    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: "" });
    expect(ofType(messages, "SPEC")).toHaveLength(1);
  });

  // Compressed in the compression worker, which Deno starts from the same source.
  it.each(["zstd", "lz4"])("writes records (%s) that read back", async (codec) => {
    const sync = smallSync(broker.bootstrap, { compression_type: codec });
    const files = writeSyncFiles(dir, sync);
    const result = await runProcess(denoRun("write", "--config", files.config, "--catalog", files.catalog), {
      cwd: dir,
      env,
      stdin: sync.input,
    });
    await expectLanded(broker.bootstrap, sync, result);
  });

  it("writes Avro values registered in a real Schema Registry", async () => {
    const registry = await ensureRegistry();
    const sync = smallSync(broker.bootstrap, {
      value_format: "avro",
      schema_registry: { url: registry.url },
    });
    const jsonSchema = { type: "object", properties: { id: { type: "integer" }, text: { type: "string" } } };
    const [entry] = sync.catalog.streams as { stream: { json_schema: unknown } }[];
    if (entry) entry.stream.json_schema = jsonSchema;
    const files = writeSyncFiles(dir, sync);
    const result = await runProcess(denoRun("write", "--config", files.config, "--catalog", files.catalog), {
      cwd: dir,
      env,
      stdin: sync.input,
    });
    expect({ exitCode: result.exitCode, traces: ofType(result.messages, "TRACE") }).toEqual({
      exitCode: 0,
      traces: [],
    });
    const subject = await fetch(`${registry.url}/subjects/${sync.topic}-value/versions/latest`);
    const { id } = (await subject.json()) as { id: number };
    const type = avroType(streamAvro({ name: "items", jsonSchema }).schema);
    const landed = await readTopics(broker.bootstrap, [sync.topic]);
    const ids = landed.map((record) => {
      const { schemaId, payload } = unframe(record.valueBytes);
      expect(schemaId).toBe(id);
      return (type.fromBuffer(Buffer.from(payload)) as { _airbyte_data: { id: { long: number } } })
        ._airbyte_data.id.long;
    });
    expect(ids.sort((a, b) => a - b)).toEqual(sync.ids);
  }, 120_000);

  // Unix sockets need Deno's read, write and net permission on their paths.
  it.each([[[]], [["--socket-workers"]]])("writes protobuf records from two sockets (%p)", async (flags) => {
    const sync = smallSync(broker.bootstrap);
    const [entry] = sync.catalog.streams as { stream: { json_schema: unknown } }[];
    if (entry)
      entry.stream.json_schema = {
        type: "object",
        properties: { id: { type: "integer" }, text: { type: "string" } },
      };
    const files = writeSyncFiles(dir, sync);
    const record = (id: number) =>
      frame({
        record: {
          streamName: "items",
          emittedAtMs: 1700000000000,
          partitionId: "p",
          data: [{ integer: String(id) }, { string: "x" }],
        },
      });
    const state = frame({
      airbyteProtocolMessage: JSON.stringify({
        type: "STATE",
        state: {
          type: "GLOBAL",
          global: {},
          partition_id: "p",
          id: 1,
          sourceStats: { recordCount: sync.ids.length },
        },
      }),
    });
    const feeder = feedSockets([
      Buffer.concat([state, ...sync.ids.filter((id) => id % 2 === 0).map(record)]),
      Buffer.concat(sync.ids.filter((id) => id % 2 === 1).map(record)),
    ]);
    try {
      const socketDir = join(feeder.paths[0] as string, "..");
      const net = ["127.0.0.1", ...feeder.paths.map((path) => `unix:${path}`)].join(",");
      const argv = denoRun("write", "--config", files.config, "--catalog", files.catalog, ...flags).map(
        (arg) => (arg === "--allow-net=127.0.0.1" ? `--allow-net=${net}` : arg),
      );
      const result = await runProcess([...argv.slice(0, 2), `--allow-write=${socketDir}`, ...argv.slice(2)], {
        cwd: dir,
        env: { ...env, ...socketEnv(feeder.paths, "PROTOBUF") },
      });
      expect({ exitCode: result.exitCode, traces: ofType(result.messages, "TRACE") }).toEqual({
        exitCode: 0,
        traces: [],
      });
      expect(ofType(result.messages, "STATE")).toHaveLength(1);
      const landed = await readTopics(broker.bootstrap, [sync.topic]);
      expect(
        landed.map((r) => JSON.parse(r.value)._airbyte_data.id).sort((a: number, b: number) => a - b),
      ).toEqual(sync.ids);
    } finally {
      feeder.close();
    }
  });

  it("on SIGTERM mid-sync, echoes the STATE already earned and exits 1", async () => {
    const sync = smallSync(broker.bootstrap);
    const files = writeSyncFiles(dir, sync);
    const child = Bun.spawn(denoRun("write", "--config", files.config, "--catalog", files.catalog), {
      cwd: dir,
      env,
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      timeout: 60_000,
      killSignal: "SIGKILL",
    });
    child.stdin.write(sync.input); // stdin stays open: the sync is still running
    child.stdin.flush();
    const reader = child.stdout.getReader();
    const decoder = new TextDecoder();
    let stdout = "";
    let signalled = false;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      stdout += decoder.decode(value, { stream: true });
      if (!signalled && stdout.includes('"type":"STATE"')) {
        child.kill("SIGTERM");
        signalled = true;
      }
    }
    expect(signalled).toBe(true);
    expect(await child.exited).toBe(1);
    const messages = parseMessages(stdout);
    expect(ofType(messages, "STATE")).toHaveLength(1);
    expect(traceError(messages).failure_type).toBe("transient_error");
  });
});
