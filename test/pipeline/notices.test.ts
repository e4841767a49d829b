import { describe, expect, it } from "bun:test";
import { startNotices } from "../../src/pipeline/notices.ts";
import type { CatalogStream } from "../../src/protocol/catalog.ts";
import type { LogLevel } from "../../src/protocol/emit.ts";
import { configWith } from "../helpers/config.ts";

const stream = (name: string, destinationSyncMode: CatalogStream["destinationSyncMode"]): CatalogStream => ({
  stream: { name, namespace: "public" },
  destinationSyncMode,
  primaryKey: [],
});

describe("start notices", () => {
  it.each<[string, Record<string, unknown>, CatalogStream[], [LogLevel, string][]]>([
    ["the default config and an append catalog", {}, [stream("users", "append")], []],
    [
      "append_dedup streams",
      {},
      [stream("a", "append_dedup"), stream("b", "append"), stream("c", "append_dedup")],
      [["WARN", "Streams public.a, public.c ask for append_dedup"]],
    ],
    [
      "a setting without effect",
      { send_buffer_bytes: 1 },
      [],
      [["WARN", "send_buffer_bytes is set but has no effect"]],
    ],
    [
      "idempotence (the same send path as without it: nothing to say)",
      { enable_idempotence: true, acks: "all" },
      [],
      [],
    ],
    [
      "transactions",
      { transactional_id: "tx", enable_idempotence: true, acks: "all", transaction_timeout_ms: 90_000 },
      [],
      [["INFO", "half transaction_timeout_ms (90000 ms) old"]],
    ],
    ["acks 0", { acks: "0" }, [], [["WARN", 'acks is "0": the broker acknowledges nothing']]],
  ])("%s", (_, config, catalog, expected) => {
    const notices = startNotices(configWith(config), catalog);
    expect(notices.map((notice) => notice.level)).toEqual(expected.map(([level]) => level));
    notices.forEach((notice, i) => {
      expect(notice.text).toContain(expected[i]?.[1] ?? "");
    });
  });
});
