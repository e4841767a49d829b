/**
 * on_invalid_input dead_letter against real brokers: every line that cannot be written lands on
 * the dead-letter topic as it was read, with headers giving the reason, the input line and the
 * stream; the good records land on their topics; each STATE's destinationStats counts the
 * rejected records; and a dead letter that cannot be written fails the sync.
 */
import { beforeAll, describe, expect, it } from "bun:test";
import { jsonFile, ofType, runConnector, traceError } from "../helpers/connector.ts";
import { readTopics, type TestBroker, testBroker, uniqueName } from "../helpers/kafka.ts";

let broker: TestBroker;
let noauto: TestBroker;

beforeAll(async () => {
  [broker, noauto] = await Promise.all([testBroker("default"), testBroker("noauto")]);
}, 120_000);

const record = (data: unknown) =>
  `{"type":"RECORD","record":{"namespace":"public","stream":"users","data":${JSON.stringify(data)},"emitted_at":1700000000000}}`;
const state = (n: number) =>
  JSON.stringify({
    type: "STATE",
    state: {
      type: "STREAM",
      stream: { stream_descriptor: { name: "users", namespace: "public" }, stream_state: { n } },
    },
  });

function setUp(bootstrap: string, dlq = uniqueName("dlq")) {
  const prefix = uniqueName("dl");
  const config = jsonFile("config.json", {
    bootstrap_servers: bootstrap,
    topic_pattern: `${prefix}.{stream}`,
    acks: "all",
    max_block_ms: "5000",
    max_request_size: 2000,
    message_key: "fields",
    message_key_fields: [["id"]],
    on_invalid_input: "dead_letter",
    dead_letter_topic: dlq,
  });
  const catalog = jsonFile("catalog.json", {
    streams: [
      { stream: { name: "users", namespace: "public", json_schema: {} }, destination_sync_mode: "append" },
    ],
  });
  return {
    dlq,
    users: `${prefix}_users`,
    write: (lines: string[]) =>
      runConnector(["write", "--config", config, "--catalog", catalog], lines.map((l) => `${l}\n`).join("")),
  };
}

describe("the dead-letter topic", () => {
  it("holds each rejected line with why, which line and which stream; STATEs count the rejected records", async () => {
    const s = setUp(broker.bootstrap);
    const tooLarge = record({ id: 3, blob: "x".repeat(3000) });
    const result = await s.write([
      record({ id: 1 }),
      "not json at all",
      record({ name: "no id" }),
      state(1),
      tooLarge,
      record({ id: 2 }),
      state(2),
    ]);
    expect(result.exitCode).toBe(0);
    const destinationStats = ofType(result.messages, "STATE").map(
      (m) => (m.state as { destinationStats: unknown }).destinationStats,
    );
    // "not json" is no record of a stream: rejected, but counted in no stream's STATE.
    expect(destinationStats).toEqual([
      { recordCount: 2, rejectedRecordCount: 1 },
      { recordCount: 2, rejectedRecordCount: 1 },
    ]);

    const users = await readTopics(broker.bootstrap, [s.users]);
    expect(users.map((r) => JSON.parse(r.value)._airbyte_data.id).sort()).toEqual([1, 2]);
    const letters = (await readTopics(broker.bootstrap, [s.dlq])).sort((a, b) => Number(a.offset - b.offset));
    const headers = letters.map((letter) => Object.fromEntries(letter.headers));
    expect(headers).toEqual([
      { airbyte_rejected_reason: "it is not valid JSON", airbyte_input_line: "2" },
      {
        airbyte_rejected_reason:
          "the record of stream public.users has no message key: its key field id is missing or null",
        airbyte_input_line: "3",
        airbyte_stream: "users",
        airbyte_namespace: "public",
      },
      {
        airbyte_rejected_reason: expect.stringMatching(
          /^the record of stream public\.users is \d+ bytes once encoded, over max_request_size \(2000 bytes\)$/,
        ),
        airbyte_input_line: "5",
        airbyte_stream: "users",
        airbyte_namespace: "public",
        airbyte_truncated_from: String(tooLarge.length),
      },
    ]);
    expect(letters.map((letter) => letter.key)).toEqual([null, null, null]);
    expect(letters[0]?.value).toBe("not json at all");
    expect(letters[1]?.value).toBe(record({ name: "no id" }));
    // Within max_request_size itself: the first bytes of the line.
    expect(tooLarge.startsWith(letters[2]?.value ?? "-")).toBe(true);
    expect(letters[2]?.value.length).toBeLessThan(2000);
  }, 30_000);

  it("a dead letter that cannot be written fails the sync: no STATE after it is echoed", async () => {
    // The broker does not create topics, and the dead-letter topic does not exist.
    const s = setUp(noauto.bootstrap);
    const result = await s.write([state(0), "not json", state(1)]);
    expect(result.exitCode).toBe(1);
    const error = traceError(result.messages);
    expect(error.failure_type).toBe("config_error");
    expect(error.message).toContain(`topic ${s.dlq} does not exist`);
    expect(
      ofType(result.messages, "STATE").map(
        (m) => (m.state as { stream: { stream_state: { n: number } } }).stream.stream_state.n,
      ),
    ).toEqual([0]);
  }, 30_000);
});
