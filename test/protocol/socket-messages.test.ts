import { describe, expect, it } from "bun:test";
import { identityMapping, parseNamespaceMapping } from "../../src/protocol/namespace-mapping.ts";
import type { RecordLine } from "../../src/protocol/parse.ts";
import {
  jsonlMessages,
  protobufMessages,
  protoStreams,
  type SocketMessage,
} from "../../src/protocol/socket-messages.ts";
import { frame } from "../helpers/airbyte-socket-proto.ts";
import { chunksOf } from "../helpers/fakes.ts";
import { ID_NAME_CATALOG } from "../helpers/socket-records.ts";

const catalog = ID_NAME_CATALOG;
const streams = protoStreams(catalog, identityMapping);

async function all(messages: AsyncIterable<SocketMessage[]>): Promise<SocketMessage[]> {
  const out: SocketMessage[] = [];
  for await (const batch of messages) out.push(...batch);
  return out;
}

async function* bytes(...parts: Uint8Array[]) {
  yield* parts;
}

const userRecord = (data: Record<string, unknown>[], partitionId = "p1") => ({
  record: { streamNamespace: "public", streamName: "users", emittedAtMs: 1700000000000, partitionId, data },
});
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
function recordOf(message: SocketMessage | undefined): RecordLine {
  expect(message?.parsed.kind).toBe("record");
  return message?.parsed as RecordLine;
}

describe("protobufMessages", () => {
  it("turns a record's values into data in the schema's sorted property order, with its partition", async () => {
    const [message] = await all(
      protobufMessages(1, bytes(frame(userRecord([{ integer: "7" }, { string: "Zoë" }]))), streams, 1 << 20),
    );
    const record = recordOf(message);
    expect(record.stream).toEqual({ name: "users", namespace: "public" });
    expect(record.emittedAt).toBe(1700000000000);
    expect(text(record.dataBytes)).toBe('{"id":7,"name":"Zoë"}');
    expect(record.data).toEqual({ id: 7, name: "Zoë" });
    expect(record.metaBytes).toBeUndefined();
    expect(message?.partitionId).toBe("p1");
    expect(message?.number).toBe(1);
  });

  it("reads STATEs and other messages sent as JSON, and skips probes", async () => {
    const state = {
      type: "STATE",
      state: { type: "GLOBAL", global: {}, partition_id: "p1", id: 1, sourceStats: { recordCount: 1 } },
    };
    const messages = await all(
      protobufMessages(
        1,
        bytes(frame({ probe: {} }), frame({ airbyteProtocolMessage: JSON.stringify(state) })),
        streams,
        1 << 20,
      ),
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]?.number).toBe(2);
    expect(messages[0]?.parsed).toMatchObject({
      kind: "state",
      stateType: "GLOBAL",
      partition: { id: "p1", index: 1, sourceRecordCount: 1 },
    });
  });

  it("writes meta changes as the JSONL meta object", async () => {
    const message = userRecord([{ isNull: true }, { string: "x" }]);
    const [decoded] = await all(
      protobufMessages(
        1,
        bytes(
          frame({
            record: { ...message.record, meta: { changes: [{ field: "id", change: 0, reason: 3 }] } },
          }),
        ),
        streams,
        1 << 20,
      ),
    );
    const record = recordOf(decoded);
    expect(text(record.dataBytes)).toBe('{"id":null,"name":"x"}');
    expect(text(record.metaBytes as Uint8Array)).toBe(
      '{"changes":[{"field":"id","change":"NULLED","reason":"SOURCE_FIELD_SIZE_LIMITATION"}]}',
    );
  });

  it("applies the namespace mapping before looking the stream up", async () => {
    const mapped = protoStreams(
      catalog,
      parseNamespaceMapping({ namespaceDefinitionType: "customformat", namespaceFormat: "public" }),
    );
    const message = {
      record: {
        streamName: "users",
        emittedAtMs: 1,
        partitionId: "p",
        data: [{ integer: "1" }, { string: "a" }],
      },
    };
    const [decoded] = await all(protobufMessages(1, bytes(frame(message)), mapped, 1 << 20));
    expect(recordOf(decoded).stream).toEqual({ name: "users", namespace: "public" });
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "a stream not in the catalog",
      { record: { streamName: "ghosts", emittedAtMs: 1, partitionId: "p", data: [] } },
      "it is a record of stream ghosts, which is not in the configured catalog",
    ],
    [
      "a record with fewer values than properties",
      userRecord([{ integer: "1" }]),
      "it has 1 values where stream public.users's json_schema has 2 properties",
    ],
    [
      "a value JSON cannot hold",
      userRecord([{ number: Number.POSITIVE_INFINITY }, { string: "a" }]),
      'the value of "id" is a number JSON cannot hold',
    ],
  ])("makes %s an invalid message for the input policy", async (_, message, reason) => {
    const [decoded] = await all(protobufMessages(1, bytes(frame(message as never)), streams, 1 << 20));
    expect(decoded?.parsed).toMatchObject({ kind: "invalid", reason });
  });

  it.each<[string, Uint8Array[], string]>([
    [
      "a frame over the limit",
      [new Uint8Array([0xe9, 0x07])],
      "Socket 3 cannot be read further: frame 1: a frame of 1001 bytes is longer than the limit of 1000. No later STATE is echoed.",
    ],
    [
      "a cut frame",
      [frame(userRecord([{ integer: "1" }, { string: "a" }])).subarray(0, 10)],
      "Socket 3 cannot be read further: frame 1: it ended with 9 of the ",
    ],
    [
      "a frame that is no message",
      [new Uint8Array([0x02, 0x0a, 0x05])],
      "Socket 3 cannot be read further: frame 1 is not an AirbyteMessageProtobuf: a field runs past the end of its message. No later STATE is echoed.",
    ],
  ])("ends the socket with a clear error on %s", async (_, parts, message) => {
    const reading = all(protobufMessages(3, bytes(...parts), streams, 1000));
    await expect(reading).rejects.toThrow(message);
  });
});

describe("jsonlMessages", () => {
  it("reads lines with their partition_id, under the mapped names", async () => {
    const mapping = parseNamespaceMapping({ namespaceDefinitionType: "source", streamPrefix: "pre_" });
    const line =
      '{"type":"RECORD","record":{"namespace":"public","stream":"users","data":{"id":1},"emitted_at":5,"partition_id":"p9"}}';
    const state =
      '{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"}},"partition_id":"p9","id":1}}';
    const [record, stateMessage] = await all(
      jsonlMessages(chunksOf(`${line}\n${state}\n`), mapping, 1 << 20),
    );
    expect(record?.partitionId).toBe("p9");
    expect(recordOf(record).stream).toEqual({ name: "pre_users", namespace: "public" });
    expect(recordOf(record).data).toEqual({ id: 1 });
    expect(text(record?.line as Uint8Array)).toBe(line);
    expect(stateMessage?.parsed).toMatchObject({
      kind: "state",
      stream: { name: "pre_users" },
      partition: { id: "p9", index: 1 },
    });
  });

  it("refuses a line over the limit as stdin does, and reads on", async () => {
    const messages = await all(
      jsonlMessages(chunksOf(`${"x".repeat(50)}\n{"type":"LOG"}\n`), identityMapping, 20),
    );
    expect(messages.map((m) => m.parsed)).toEqual([
      { kind: "invalid", reason: "it is longer than 20 bytes" },
      { kind: "other", type: "LOG" },
    ]);
  });
});
