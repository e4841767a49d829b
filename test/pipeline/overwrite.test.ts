import { describe, expect, it } from "bun:test";
import type { TopicMark, Truncator } from "../../src/contract/send.ts";
import { planOverwrites } from "../../src/pipeline/overwrite.ts";
import { createRoutes } from "../../src/pipeline/routes.ts";
import type { CatalogStream } from "../../src/protocol/catalog.ts";
import { parseLine, type StateLine } from "../../src/protocol/parse.ts";
import { configWith } from "../helpers/config.ts";

const entry = (name: string, extra: Partial<CatalogStream> = {}): CatalogStream => ({
  stream: { name, namespace: "public" },
  destinationSyncMode: "append",
  primaryKey: [],
  ...extra,
});
const catalog = [
  entry("users", { destinationSyncMode: "overwrite" }),
  entry("orders", { generationId: 2, minimumGenerationId: 2 }),
  entry("events"),
];

/** A truncator that marks each topic at 10 and reports deleting 7, keeping what it was asked. */
function fakeTruncator(marks: Record<string, TopicMark | undefined> = {}) {
  const marked: string[] = [];
  const truncated: TopicMark[] = [];
  const truncator: Truncator = {
    mark: async (topic) => {
      marked.push(topic);
      return topic in marks ? marks[topic] : { topic, partitions: [{ partition: 0, end: 10n }] };
    },
    truncate: async (mark) => {
      truncated.push(mark);
      return 7;
    },
  };
  return { truncator, marked, truncated };
}

function plan(config: Record<string, unknown>, streams: CatalogStream[], truncator?: Truncator) {
  const parsed = configWith(config);
  return planOverwrites(parsed, streams, createRoutes(parsed, streams, undefined), truncator);
}

const state = (json: string) =>
  parseLine(new TextEncoder().encode(`{"type":"STATE","state":${json}}`)) as StateLine;
const streamState = (name: string) =>
  state(`{"type":"STREAM","stream":{"stream_descriptor":{"name":"${name}","namespace":"public"}}}`);

describe("overwrite: which topics, and which STATEs wait", () => {
  it("overwrite and truncate-refresh streams overwrite their topics; append streams do not", () => {
    const { truncator } = fakeTruncator();
    expect(plan({}, catalog, truncator).topics).toEqual(["public_users", "public_orders"]);
    expect(plan({}, [entry("events")], undefined).topics).toEqual([]);
    expect(plan({}, [], undefined).topics).toEqual([]);
  });

  it("holds STREAM states of those streams, and every LEGACY or GLOBAL state when any stream overwrites", () => {
    const overwrites = plan({}, catalog, fakeTruncator().truncator);
    expect(overwrites.holds(streamState("users"))).toBe(true);
    expect(overwrites.holds(streamState("orders"))).toBe(true);
    expect(overwrites.holds(streamState("events"))).toBe(false);
    expect(overwrites.holds(state('{"data":{}}'))).toBe(true);
    expect(overwrites.holds(state('{"type":"GLOBAL","global":{"stream_states":[]}}'))).toBe(true);
    const appendOnly = plan({}, [entry("events")], undefined);
    expect(appendOnly.holds(state('{"data":{}}'))).toBe(false);
  });

  it("marks every topic, then deletes below each mark; a topic that did not exist deleted nothing", async () => {
    const { truncator, marked, truncated } = fakeTruncator({ public_orders: undefined });
    const overwrites = plan({}, catalog, truncator);
    await overwrites.mark();
    expect(marked).toEqual(["public_users", "public_orders"]);
    expect(truncated).toEqual([]);
    expect(Object.fromEntries(await overwrites.truncate())).toEqual({ public_users: 7, public_orders: 0 });
    expect(truncated).toEqual([{ topic: "public_users", partitions: [{ partition: 0, end: 10n }] }]);
  });
});

describe("overwrite: refused before anything is written when it cannot be safe", () => {
  const refusal = (config: Record<string, unknown>, streams: CatalogStream[]) => {
    try {
      plan(config, streams, fakeTruncator().truncator);
    } catch (error) {
      return error as { message: string; failureType: string };
    }
    throw new Error("expected a refusal");
  };

  it("a topic_pattern without {stream}: the topic is shared with every stream", () => {
    const error = refusal({ topic_pattern: "{namespace}.all" }, [
      entry("users", { destinationSyncMode: "overwrite" }),
    ]);
    expect(error.failureType).toBe("config_error");
    expect(error.message).toBe(
      "Stream public.users overwrites its topic public_all (destination_sync_mode overwrite, or a truncate refresh): once the sync succeeds, every record the topic held before it is deleted, but topic_pattern has no {stream}, so that topic is shared with every other stream. Put {stream} in topic_pattern, or use append.",
    );
  });

  it("two streams whose names give one topic", () => {
    const error = refusal({}, [entry("a.b", { destinationSyncMode: "overwrite" }), entry("a_b")]);
    expect(error.message).toContain("but stream public.a_b writes to that topic too.");
  });

  it("create_topics making compacted-only topics", () => {
    const create = { partitions: 1, replication_factor: 1, configs: { "cleanup.policy": "compact" } };
    const error = refusal({ create_topics: create }, [entry("users", { destinationSyncMode: "overwrite" })]);
    expect(error.message).toContain("create_topics would create topics kept by compaction alone");
    const both = { ...create, configs: { "cleanup.policy": "compact,delete" } };
    expect(
      plan(
        { create_topics: both },
        [entry("users", { destinationSyncMode: "overwrite" })],
        fakeTruncator().truncator,
      ).topics,
    ).toEqual(["public_users"]);
  });
});
