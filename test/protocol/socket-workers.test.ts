import { afterEach, describe, expect, it } from "bun:test";
import { Buffer } from "node:buffer";
import type { CatalogStream } from "../../src/protocol/catalog.ts";
import type { RecordLine } from "../../src/protocol/parse.ts";
import type { SocketMessage } from "../../src/protocol/socket-messages.ts";
import { workerMessages } from "../../src/protocol/socket-workers.ts";
import { frame } from "../helpers/airbyte-socket-proto.ts";
import { type Feeder, feedSockets } from "../helpers/socket-feeder.ts";

const catalog: CatalogStream[] = [
  {
    stream: { name: "users", namespace: "public" },
    destinationSyncMode: "append",
    primaryKey: [],
    jsonSchema: { properties: { id: { type: "integer" } } },
  },
];
const user = (id: number) =>
  frame({
    record: {
      streamNamespace: "public",
      streamName: "users",
      emittedAtMs: 1,
      partitionId: "p",
      data: [{ integer: String(id) }],
    },
  });
const wait = { pollMs: 10, timeoutMs: 2000 };
const feeders: Feeder[] = [];
afterEach(() => {
  for (const feeder of feeders.splice(0)) feeder.close();
});

async function all(flow: AsyncIterable<SocketMessage[]>): Promise<SocketMessage[]> {
  const out: SocketMessage[] = [];
  for await (const batch of flow) out.push(...batch);
  return out;
}

describe("workerMessages", () => {
  it("decodes a protobuf socket in a worker, every record in order", async () => {
    const frames = Array.from({ length: 3000 }, (_, i) => user(i));
    const feeder = feedSockets([Buffer.concat(frames)]);
    feeders.push(feeder);
    const messages = await all(
      workerMessages({
        socket: 1,
        path: feeder.paths[0] as string,
        catalog,
        mapping: undefined,
        wait,
        maxFrameBytes: 1 << 20,
      }),
    );
    expect(messages).toHaveLength(3000);
    expect(messages.map((m) => (m.parsed as RecordLine).data.id)).toEqual(frames.map((_, i) => i));
    expect(messages[0]?.partitionId).toBe("p");
  });

  it("applies the namespace mapping it is given", async () => {
    const feeder = feedSockets([
      frame({ record: { streamName: "users", emittedAtMs: 1, partitionId: "p", data: [{ integer: "1" }] } }),
    ]);
    feeders.push(feeder);
    const [message] = await all(
      workerMessages({
        socket: 1,
        path: feeder.paths[0] as string,
        catalog,
        mapping: { namespaceDefinitionType: "customformat", namespaceFormat: "public" },
        wait,
        maxFrameBytes: 1 << 20,
      }),
    );
    expect((message?.parsed as RecordLine | undefined)?.stream).toEqual({
      name: "users",
      namespace: "public",
    });
  });

  it("passes on the worker's failure as the same error", async () => {
    const feeder = feedSockets([user(1).subarray(0, 5)]);
    feeders.push(feeder);
    const flow = workerMessages({
      socket: 2,
      path: feeder.paths[0] as string,
      catalog,
      mapping: undefined,
      wait,
      maxFrameBytes: 1 << 20,
    });
    await expect(all(flow)).rejects.toThrow("Socket 2 cannot be read further: frame 1: it ended with ");
  });
});
