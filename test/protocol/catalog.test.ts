import { describe, expect, it } from "bun:test";
import { overwrites, parseCatalog } from "../../src/protocol/catalog.ts";

const entry = (stream: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  stream: { json_schema: {}, ...stream },
  destination_sync_mode: "append",
  ...extra,
});

describe("parseCatalog", () => {
  it("reads each stream's identity, sync mode, primary key and json_schema", () => {
    const schema = { type: "object", properties: { id: { type: "integer" } } };
    expect(
      parseCatalog({
        streams: [
          entry({ name: "users", namespace: "public", json_schema: schema }, { primary_key: [["id"]] }),
          entry({ name: "orders", namespace: null, source_defined_primary_key: [["order", "id"]] }),
          { stream: { name: "events" }, destination_sync_mode: "append_dedup", primary_key: [] },
        ],
      }),
    ).toEqual([
      {
        stream: { name: "users", namespace: "public" },
        destinationSyncMode: "append",
        primaryKey: [["id"]],
        jsonSchema: schema,
      },
      {
        stream: { name: "orders", namespace: undefined },
        destinationSyncMode: "append",
        primaryKey: [["order", "id"]],
        jsonSchema: {},
      },
      {
        stream: { name: "events", namespace: undefined },
        destinationSyncMode: "append_dedup",
        primaryKey: [],
        jsonSchema: undefined,
      },
    ]);
  });

  it("reads generation_id, minimum_generation_id and sync_id; absent or null is undefined", () => {
    const [withThem, nulls, absent] = parseCatalog({
      streams: [
        entry({ name: "a" }, { generation_id: 3, minimum_generation_id: 3, sync_id: 42 }),
        entry({ name: "b" }, { generation_id: null, minimum_generation_id: null, sync_id: null }),
        entry({ name: "c" }),
      ],
    });
    expect(withThem).toMatchObject({ generationId: 3, minimumGenerationId: 3, syncId: 42 });
    for (const stream of [nulls, absent]) {
      expect(stream?.generationId).toBeUndefined();
      expect(stream?.minimumGenerationId).toBeUndefined();
      expect(stream?.syncId).toBeUndefined();
    }
  });

  it.each([
    ["destination_sync_mode overwrite", { destination_sync_mode: "overwrite" }, true],
    [
      "overwrite on a platform without refreshes",
      { destination_sync_mode: "overwrite", generation_id: null },
      true,
    ],
    [
      "a truncate refresh of an append stream (minimum = generation > 0)",
      { generation_id: 4, minimum_generation_id: 4 },
      true,
    ],
    ["a later generation that keeps the older ones", { generation_id: 4, minimum_generation_id: 0 }, false],
    [
      "generation 0 (the first sync, nothing to truncate)",
      { generation_id: 0, minimum_generation_id: 0 },
      false,
    ],
    ["append without generations", {}, false],
    ["append_dedup", { destination_sync_mode: "append_dedup" }, false],
  ])("%s overwrites: %p", (_, extra, expected) => {
    const [stream] = parseCatalog({ streams: [entry({ name: "s" }, extra)] });
    if (!stream) throw new Error("no stream");
    expect(overwrites(stream)).toBe(expected);
  });

  it("a missing destination_sync_mode is append", () => {
    expect(parseCatalog({ streams: [{ stream: { name: "s" } }] })[0]?.destinationSyncMode).toBe("append");
  });

  it.each([
    ["JSON without streams", [], "Invalid catalog: it has no streams array."],
    ["a streams member that is not an array", { streams: {} }, "Invalid catalog: it has no streams array."],
    [
      "a stream without a name",
      { streams: [entry({ name: "" })] },
      "Invalid catalog: streams[0] has no stream.name.",
    ],
    [
      "a namespace that is not a string",
      { streams: [entry({ name: "s", namespace: 7 })] },
      "streams[0] has no stream.name",
    ],
    [
      "the same stream and namespace twice",
      {
        streams: [
          entry({ name: "users", namespace: "public" }),
          entry({ name: "orders" }),
          entry({ name: "users", namespace: "public" }),
        ],
      },
      "Invalid catalog: stream public.users is listed more than once.",
    ],
    [
      "a null and an absent namespace (the same stream)",
      { streams: [entry({ name: "orders", namespace: null }), entry({ name: "orders" })] },
      "Invalid catalog: stream orders is listed more than once.",
    ],
    [
      "a generation_id that is not a whole number",
      { streams: [entry({ name: "users" }, { generation_id: 1.5 })] },
      "Stream users has a generation_id that is not a whole number.",
    ],
    [
      "a sync_id that is a string",
      { streams: [entry({ name: "users" }, { sync_id: "7" })] },
      "Stream users has a sync_id that is not a whole number.",
    ],
    [
      "an unknown sync mode",
      { streams: [entry({ name: "users" }, { destination_sync_mode: "upsert" })] },
      "Stream users has an unknown destination_sync_mode.",
    ],
  ])("%s is a config error", (_, raw, message) => {
    let error: unknown;
    try {
      parseCatalog(raw);
    } catch (caught) {
      error = caught;
    }
    expect((error as { failureType?: string }).failureType).toBe("config_error");
    expect((error as Error).message).toContain(message);
  });
});
