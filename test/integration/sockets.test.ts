/**
 * Socket mode against a real broker, the connector run as a process with the environment Airbyte
 * sets and a feeder playing the source (binding the sockets, writing protobuf frames or JSONL):
 * what lands is what the same records sent as JSONL on stdin land, STATEs are echoed with their
 * partitions' counts, and bad input ends the sync with a clear TRACE and no STATE.
 */
import { afterEach, beforeAll, describe, expect, it } from "bun:test";
import { Buffer } from "node:buffer";
import { frame } from "../helpers/airbyte-socket-proto.ts";
import { jsonFile, ofType, runConnector, traceError } from "../helpers/connector.ts";
import { type LandedRecord, readTopics, type TestBroker, testBroker, uniqueName } from "../helpers/kafka.ts";
import { type Feeder, feedSockets, socketEnv } from "../helpers/socket-feeder.ts";
import { EVERY_KIND, jsonlLines, protobufFrames, USERS_SCHEMA } from "../helpers/socket-records.ts";

let broker: TestBroker;
const feeders: Feeder[] = [];

beforeAll(async () => {
  broker = await testBroker("default");
}, 120_000);

afterEach(() => {
  for (const feeder of feeders.splice(0)) feeder.close();
});

function sync(overrides: Record<string, unknown> = {}) {
  const prefix = uniqueName("sock");
  const config = jsonFile("config.json", {
    bootstrap_servers: broker.bootstrap,
    topic_pattern: `${prefix}.{namespace}.{stream}`,
    acks: "all",
    max_block_ms: "10000",
    ...overrides,
  });
  const catalog = jsonFile("catalog.json", {
    streams: [
      {
        stream: { name: "users", namespace: "public", json_schema: USERS_SCHEMA },
        sync_mode: "incremental",
        destination_sync_mode: "append",
      },
    ],
  });
  return {
    prefix,
    topic: `${prefix}_public_users`,
    args: ["write", "--config", config, "--catalog", catalog],
  };
}

const globalState = (id: number, partition: string, count: number) =>
  JSON.stringify({
    type: "STATE",
    state: {
      type: "GLOBAL",
      global: { shared_state: { id } },
      partition_id: partition,
      id,
      sourceStats: { recordCount: count },
    },
  });
const stateFrame = (id: number, partition: string, count: number) =>
  frame({ airbyteProtocolMessage: globalState(id, partition, count) });

function feed(perSocket: Uint8Array[][], options: { delayMs?: number } = {}): Feeder {
  const feeder = feedSockets(
    perSocket.map((frames) => Buffer.concat(frames)),
    options,
  );
  feeders.push(feeder);
  return feeder;
}

/** What landed, ids replaced, in a stable order. */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/g;
const normalized = (landed: LandedRecord[]) =>
  landed
    .map((r) => JSON.stringify({ key: r.key, value: r.value, headers: r.headers }).replaceAll(UUID, "<id>"))
    .sort();

const states = (messages: Record<string, unknown>[]) =>
  ofType(messages, "STATE").map((m) => m.state as { id: number; destinationStats: { recordCount: number } });

describe("write in socket mode, against a real broker", () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ["the reference layout", {}, []],
    ["airbyte_v2 with headers", { message_layout: "airbyte_v2", headers: true }, []],
    ["the reference layout, decoded in worker threads", {}, ["--socket-workers"]],
  ])("lands over two protobuf sockets what JSONL on stdin lands, with %s", async (_, config, flags) => {
    const viaStdin = sync(config);
    const stdin = await runConnector(viaStdin.args, jsonlLines(EVERY_KIND).join(""));
    expect(stdin.exitCode).toBe(0);

    const viaSockets = sync(config);
    const [first, ...rest] = protobufFrames(EVERY_KIND, "a").map((m) => frame(m));
    // Partition a's STATE arrives on socket 1 before the records socket 2 carries.
    const feeder = feed([
      [stateFrame(1, "a", EVERY_KIND.length), first as Uint8Array, frame({ probe: {} })],
      rest,
    ]);
    const result = await runConnector(
      [...viaSockets.args, ...flags],
      "",
      60_000,
      socketEnv(feeder.paths, "PROTOBUF"),
    );
    expect(ofType(result.messages, "TRACE")).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(states(result.messages).map((s) => [s.id, s.destinationStats.recordCount])).toEqual([
      [1, EVERY_KIND.length],
    ]);

    const [fromStdin, fromSockets] = await Promise.all([
      readTopics(broker.bootstrap, [viaStdin.topic]),
      readTopics(broker.bootstrap, [viaSockets.topic]),
    ]);
    expect(fromSockets).toHaveLength(EVERY_KIND.length);
    expect(normalized(fromSockets)).toEqual(normalized(fromStdin));
  });

  it("reads JSONL sockets under the connection's namespace mapping, echoing STATEs in id order", async () => {
    const s = sync();
    const lines = jsonlLines(EVERY_KIND, "p1").map((line) => line.replace('"namespace":"public",', ""));
    const mapping = jsonFile("mapping.json", {
      namespaceDefinitionType: "customformat",
      namespaceFormat: "public",
    });
    const encode = (text: string) => new TextEncoder().encode(text);
    const feeder = feed([
      [encode(`${globalState(2, "p2", 0)}\n`), encode(lines[0] as string)],
      [encode(lines.slice(1).join("")), encode(`${globalState(1, "p1", EVERY_KIND.length)}\n`)],
    ]);
    const result = await runConnector(
      s.args,
      "",
      60_000,
      // The source sends no namespace; the connection's custom format gives the catalog's.
      socketEnv(feeder.paths, "JSONL", { NAMESPACE_MAPPING_CONFIG_PATH: mapping }),
    );
    expect(ofType(result.messages, "TRACE")).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(states(result.messages).map((m) => m.id)).toEqual([1, 2]);
    const landed = await readTopics(broker.bootstrap, [s.topic]);
    expect(landed).toHaveLength(EVERY_KIND.length);
  });

  it("fails with a clear TRACE when a socket never appears, and echoes nothing", async () => {
    const s = sync();
    // Partition a's record would come on the socket that never appears.
    const feeder = feed([[stateFrame(1, "a", 1)]]);
    const missing = `${feeder.paths[0]}.missing`;
    const result = await runConnector(
      [...s.args, "--socket-wait-ms", "300"],
      "",
      30_000,
      socketEnv([feeder.paths[0] as string, missing], "PROTOBUF"),
    );
    expect(result.exitCode).toBe(1);
    expect(traceError(result.messages)).toEqual({
      message: `The socket ${missing} did not appear within 0.3 s: the source never opened it.`,
      failure_type: "system_error",
    });
    expect(states(result.messages)).toEqual([]);
  });

  it("fails with a clear TRACE on a truncated frame, echoing no STATE after it", async () => {
    const s = sync();
    const record = frame(protobufFrames(EVERY_KIND.slice(0, 1), "a")[0] as never);
    const feeder = feed([[stateFrame(1, "a", 1)], [record.subarray(0, record.length - 3)]]);
    const result = await runConnector(s.args, "", 30_000, socketEnv(feeder.paths, "PROTOBUF"));
    expect(result.exitCode).toBe(1);
    const error = traceError(result.messages);
    expect(error.message).toStartWith("Socket 2 cannot be read further: frame 1: it ended with ");
    expect(error.failure_type).toBe("system_error");
    expect(states(result.messages)).toEqual([]);
  });
});
