/**
 * `write` in socket mode, with the Kafka edge faked: records and STATEs of partitions spread over
 * sockets, STATEs echoed in id order only once their partitions' records are acknowledged, and each
 * kind of bad input failing the sync with a clear error and no STATE echoed after it.
 */
import { describe, expect, it } from "bun:test";
import { runWrite } from "../../src/pipeline/write.ts";
import { identityMapping } from "../../src/protocol/namespace-mapping.ts";
import { jsonlMessages, protobufMessages, protoStreams } from "../../src/protocol/socket-messages.ts";
import { frame } from "../helpers/airbyte-socket-proto.ts";
import { configWith } from "../helpers/config.ts";
import { autoSender, capturedEmitter, chunksOf, handSender, settle } from "../helpers/fakes.ts";
import { ID_NAME_CATALOG } from "../helpers/socket-records.ts";

const catalog = ID_NAME_CATALOG;
const streams = protoStreams(catalog, identityMapping);

const user = (id: number, partitionId: string) =>
  frame({
    record: {
      streamNamespace: "public",
      streamName: "users",
      emittedAtMs: 1700000000000,
      partitionId,
      data: [{ integer: String(id) }, { string: `user ${id}` }],
    },
  });
const state = (id: number, partitionId: string, count: number) =>
  frame({
    airbyteProtocolMessage: JSON.stringify({
      type: "STATE",
      state: {
        type: "GLOBAL",
        global: { shared_state: { id } },
        partition_id: partitionId,
        id,
        sourceStats: { recordCount: count },
      },
    }),
  });

async function* bytes(...parts: Uint8Array[]) {
  yield* parts;
}

/** One socket per list of frames, each frame its own chunk. */
const sockets = (...perSocket: Uint8Array[][]) =>
  perSocket.map((frames, index) => protobufMessages(index + 1, bytes(...frames), streams, 1 << 20));

function run(
  flows: ReturnType<typeof sockets>,
  send = autoSender().send,
  config: Record<string, unknown> = {},
) {
  const output = capturedEmitter();
  const promise = runWrite({
    config: configWith({ linger_ms: 0, batch_size: 1, ...config }),
    catalog,
    input: { sockets: flows },
    send,
    emit: output.emit,
  });
  return { promise, output };
}

const echoed = (messages: Record<string, unknown>[]) =>
  messages.filter((m) => m.type === "STATE").map((m) => (m.state as { id: number }).id);

describe("write over sockets", () => {
  it("writes the records of every socket and echoes each STATE, in id order, once its partition is acknowledged", async () => {
    const sender = handSender();
    const { promise, output } = run(
      sockets([state(1, "a", 2), user(1, "a"), user(3, "b")], [user(2, "a"), state(2, "b", 1)]),
      sender.send,
    );
    await settle();
    await settle();
    expect(sender.sends.map((s) => s.records.length)).toEqual([1, 1, 1]);
    const topics = sender.sends.map((s) => JSON.parse(String(s.records[0]?.value))._airbyte_data.id).sort();
    expect(topics).toEqual([1, 2, 3]);
    // Acknowledge out of order: only once every record numbered up to a partition's last one is in.
    const byId = (id: number) =>
      sender.sends.find((s) => JSON.parse(String(s.records[0]?.value))._airbyte_data.id === id);
    byId(3)?.resolve();
    await settle();
    expect(echoed(output.messages())).toEqual([]);
    byId(1)?.resolve();
    byId(2)?.resolve();
    const summary = await promise;
    expect(summary.failure).toBeUndefined();
    expect(echoed(output.messages())).toEqual([1, 2]);
    const [first] = output.messages().filter((m) => m.type === "STATE");
    expect((first?.state as { destinationStats?: unknown } | undefined)?.destinationStats).toEqual({
      recordCount: 2,
    });
    expect(summary.statesEchoed).toBe(2);
  });

  it("reads JSONL sockets with partition_id on the records", async () => {
    const line = (id: number) =>
      `{"type":"RECORD","record":{"namespace":"public","stream":"users","data":{"id":${id}},"emitted_at":1,"partition_id":"a"}}\n`;
    const st =
      '{"type":"STATE","state":{"type":"GLOBAL","global":{},"partition_id":"a","id":1,"sourceStats":{"recordCount":2}}}\n';
    const flows = [
      jsonlMessages(chunksOf(line(1), st), identityMapping, 1 << 20),
      jsonlMessages(chunksOf(line(2)), identityMapping, 1 << 20),
    ];
    const { promise, output } = run(flows);
    const summary = await promise;
    expect(summary.failure).toBeUndefined();
    expect(summary.records).toBe(2);
    expect(echoed(output.messages())).toEqual([1]);
  });

  it.each<[string, Uint8Array[][], string, string]>([
    [
      "a truncated frame",
      [[state(1, "a", 1), user(1, "a").subarray(0, 12)]],
      "Socket 1 cannot be read further: frame 2: it ended with 11 of the 41 bytes of its last frame. No later STATE is echoed.",
      "system_error",
    ],
    [
      "a frame longer than the limit",
      [[state(1, "a", 1)], [new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f])]],
      "Socket 2 cannot be read further: frame 1: a frame of 4294967295 bytes is longer than the limit of 1048576. No later STATE is echoed.",
      "system_error",
    ],
    [
      "a stream not in the catalog",
      [
        [
          frame({ record: { streamName: "ghosts", emittedAtMs: 1, partitionId: "a", data: [] } }),
          state(1, "a", 1),
        ],
      ],
      'Input socket 1 message 1 cannot be written: it is a record of stream ghosts, which is not in the configured catalog. No later STATE is echoed. Set on_invalid_input to "skip" (or "dead_letter") to go on without such lines.',
      "system_error",
    ],
    [
      "a record whose value count does not match the schema",
      [
        [
          frame({
            record: {
              streamNamespace: "public",
              streamName: "users",
              emittedAtMs: 1,
              partitionId: "a",
              data: [{ integer: "1" }],
            },
          }),
          state(1, "a", 1),
        ],
      ],
      "Input socket 1 message 1 cannot be written: it has 1 values where stream public.users's json_schema has 2 properties. No later STATE is echoed.",
      "system_error",
    ],
    [
      "a STATE with a partition no record carried",
      [[user(1, "a"), state(1, "nobody", 1)]],
      'STATE id 1 of the sync closes partition "nobody", which had 0 records where the source counted 1; it and the STATEs after it are not echoed.',
      "system_error",
    ],
  ])(
    "fails on %s with a clear error, echoing nothing after it",
    async (_, perSocket, message, failureType) => {
      const { promise, output } = run(sockets(...perSocket));
      const summary = await promise;
      expect(summary.failure?.message).toStartWith(message);
      expect(summary.failure?.failureType).toBe(failureType as "system_error");
      expect(echoed(output.messages())).toEqual([]);
    },
  );

  it("skips a record that does not fit under on_invalid_input skip, counting it in its partition", async () => {
    const bad = frame({
      record: { streamNamespace: "public", streamName: "users", emittedAtMs: 1, partitionId: "a", data: [] },
    });
    const { promise, output } = run(sockets([bad, user(1, "a"), state(1, "a", 2)]), autoSender().send, {
      on_invalid_input: "skip",
    });
    const summary = await promise;
    expect(summary.failure).toBeUndefined();
    const [st] = output.messages().filter((m) => m.type === "STATE");
    expect((st?.state as { destinationStats?: unknown } | undefined)?.destinationStats).toEqual({
      recordCount: 2,
      rejectedRecordCount: 1,
    });
    expect(output.lines.some((l) => l.includes("Skipped input socket 1 message 1"))).toBe(true);
  });

  it("a failure on one socket stops the others, and a STATE earned after it is not echoed", async () => {
    const sender = handSender();
    async function* late() {
      await settle(); // after socket 1's record and STATE were read
      yield new Uint8Array([0x05, 0x0a]);
    }
    const flows = [
      protobufMessages(1, bytes(Buffer.concat([user(1, "a"), state(1, "a", 1)])), streams, 1 << 20),
      protobufMessages(2, late(), streams, 1 << 20),
    ];
    const { promise, output } = run(flows, sender.send);
    await settle();
    await settle();
    // The record of partition a is acknowledged only after socket 2 failed.
    expect(sender.sends).toHaveLength(1);
    for (const send of sender.sends) send.resolve();
    const summary = await promise;
    expect(summary.failure?.message).toStartWith("Socket 2 cannot be read further");
    expect(echoed(output.messages())).toEqual([]);
  });
});
