/**
 * Hostile input, one class at a time, through the write loop with a sender that keeps what it got:
 * what a broken or malicious source can feed `write`, and the documented outcome of each. The cases
 * that need the process or the broker (memory bounds, bytes read back from Kafka, the exit code)
 * stay in test/integration/hostile-input.test.ts.
 *
 * For every line that cannot be written (default `on_invalid_input: fail`): the sync fails with a
 * system_error naming the line number and the reason, never the line; the STATE before the bad line
 * is echoed (its record was sent) and none after it. With `skip`, each such line is skipped with a
 * WARN naming it and the sync goes on.
 */
import { describe, expect, test } from "bun:test";
import type { EncodedRecord } from "../../src/contract/send.ts";
import { runWrite, type WriteSummary } from "../../src/pipeline/write.ts";
import type { CatalogStream } from "../../src/protocol/catalog.ts";
import { configWith } from "../helpers/config.ts";
import { autoSender, capturedEmitter } from "../helpers/fakes.ts";
import { around, CANARY, record, SKIPPABLE, state } from "../helpers/hostile-input.ts";

const stream = (name: string, namespace?: string): CatalogStream => ({
  stream: { name, namespace },
  destinationSyncMode: "append",
  primaryKey: [],
});
const DEFAULT_STREAMS = [stream("users", "public"), stream("orders")];

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part) : Buffer.from(part))));

interface Outcome {
  summary: WriteSummary;
  sent: EncodedRecord[];
  messages: Record<string, unknown>[];
  /** Everything said: the messages and the failure. */
  said: string;
}

/** Runs the loop over `input`, one chunk per part, like stdin delivering it piece by piece. */
async function write(
  input: (string | Uint8Array)[],
  config: Record<string, unknown> = {},
  catalog: CatalogStream[] = DEFAULT_STREAMS,
): Promise<Outcome> {
  const output = capturedEmitter();
  const sender = autoSender();
  const summary = await runWrite({
    config: configWith({ topic_pattern: "{namespace}_{stream}", ...config }),
    catalog,
    input: (async function* () {
      for (const part of input) yield typeof part === "string" ? new TextEncoder().encode(part) : part;
    })(),
    send: sender.send,
    emit: output.emit,
  });
  const messages = output.messages();
  return {
    summary,
    sent: sender.sent.flat(),
    messages,
    said: JSON.stringify([messages, summary.failure?.message]),
  };
}

const statesOf = (outcome: Outcome) =>
  outcome.messages
    .filter((m) => m.type === "STATE")
    .map((m) => (m as { state: { data: { n: number } } }).state.data.n);
const dataOf = (outcome: Outcome, topic = "public_users") =>
  outcome.sent
    .filter((r) => r.topic === topic)
    .map((r) => (JSON.parse(String(r.value)) as { _airbyte_data: unknown })._airbyte_data);
/** The `_airbyte_data` bytes of a sent record, exactly as written. */
const dataText = (r: EncodedRecord | undefined) => {
  const value = r?.value ? String(r.value) : "";
  return value.slice(value.indexOf(',"_airbyte_data":') + ',"_airbyte_data":'.length, -1);
};

function expectLineFailure(outcome: Outcome, line: number, reason: string, statesBefore: number[] = [1]) {
  const failure = outcome.summary.failure;
  expect(failure?.failureType).toBe("system_error");
  expect(failure?.message).toStartWith(`Input line ${line} cannot be written: ${reason}.`);
  expect(failure?.message).toContain('on_invalid_input to "skip"');
  expect(statesOf(outcome)).toEqual(statesBefore);
  expect(outcome.said).not.toContain(CANARY);
}

describe("lines that cannot be written fail the sync at their line, STATE 1 echoed, none after", () => {
  const withStream = (member: string) =>
    `{"type":"RECORD","record":{"namespace":"public",${member}"data":{"${CANARY}":1},"emitted_at":1}}\n`;
  const inString = (raw: number[]) =>
    bytes(
      `{"type":"RECORD","record":{"namespace":"public","stream":"users","data":{"s":"${CANARY}`,
      raw,
      '"},"emitted_at":1}}\n',
    );

  test.each<[string, string | Uint8Array, string]>([
    // malformed JSON
    [
      "a cut-off object",
      `{"type":"RECORD","record":{"stream":"users","data":{"${CANARY}":1}\n`,
      "it is not valid JSON",
    ],
    [
      "a trailing comma",
      `{"type":"RECORD","record":{"stream":"users","data":{"${CANARY}":1},},}\n`,
      "it is not valid JSON",
    ],
    [
      "single quotes",
      `{'type':'RECORD','record':{'stream':'users','data':{'${CANARY}':1}}}\n`,
      "it is not valid JSON",
    ],
    ["a bare word", `${CANARY}\n`, "it is not valid JSON"],
    [
      "NaN as a number",
      `{"type":"RECORD","record":{"stream":"users","data":{"${CANARY}":NaN},"emitted_at":1}}\n`,
      "it is not valid JSON",
    ],
    ["two messages on one line", `${state(7).trim()}${state(8).trim()}\n`, "it is not valid JSON"],
    // invalid UTF-8
    ["a stray 0xFF byte", inString([0xff]), "it is not valid UTF-8"],
    ["a continuation byte alone", inString([0x80]), "it is not valid UTF-8"],
    ["an overlong encoding of '/'", inString([0xc0, 0xaf]), "it is not valid UTF-8"],
    ["a UTF-16 surrogate encoded as UTF-8", inString([0xed, 0xa0, 0x80]), "it is not valid UTF-8"],
    ["a code point beyond U+10FFFF", inString([0xf4, 0x90, 0x80, 0x80]), "it is not valid UTF-8"],
    ["a multi-byte sequence cut short", inString([0xe2, 0x82]), "it is not valid UTF-8"],
    // not AirbyteMessages
    ["an array", `[1,2,"${CANARY}"]\n`, "it is not a JSON object"],
    ["a string", `"${CANARY}"\n`, "it is not a JSON object"],
    ["a number", "42\n", "it is not a JSON object"],
    ["null", "null\n", "it is not a JSON object"],
    [
      "an object without type",
      `{"record":{"stream":"users","data":{"${CANARY}":1}}}\n`,
      "it has no message type",
    ],
    [
      "a non-string type",
      `{"type":1,"record":{"stream":"users","data":{"${CANARY}":1}}}\n`,
      "it has no message type",
    ],
    [
      "a RECORD without record",
      `{"type":"RECORD","data":{"${CANARY}":1}}\n`,
      "a RECORD message has no record object",
    ],
    [
      "a RECORD without emitted_at",
      `{"type":"RECORD","record":{"stream":"users","namespace":"public","data":{"${CANARY}":1}}}\n`,
      "the record has no numeric emitted_at",
    ],
    [
      "a STATE of an unknown type",
      `{"type":"STATE","state":{"type":"${CANARY}"}}\n`,
      "the state's type is not LEGACY, STREAM or GLOBAL",
    ],
    // record data that is not an object
    ["data as an array", record(`[{"${CANARY}":1}]`), "the record's data is not a JSON object"],
    ["data as a string", record(`"${CANARY}"`), "the record's data is not a JSON object"],
    ["data as a number", record("12345678901234567890"), "the record's data is not a JSON object"],
    ["data as true", record("true"), "the record's data is not a JSON object"],
    ["data as null", record("null"), "the record's data is not a JSON object"],
    [
      "absent data",
      `{"type":"RECORD","record":{"namespace":"public","stream":"users","emitted_at":1,"${CANARY}":1}}\n`,
      "the record's data is not a JSON object",
    ],
    // a missing or non-string stream
    ["an absent stream", withStream(""), "the record has no stream name"],
    ["a null stream", withStream('"stream":null,'), "the record has no stream name"],
    ["an empty stream", withStream('"stream":"",'), "the record has no stream name"],
    ["a number as stream", withStream('"stream":7,'), "the record has no stream name"],
    ["an object as stream", withStream('"stream":{"name":"users"},'), "the record has no stream name"],
    ["an array as stream", withStream('"stream":["users"],'), "the record has no stream name"],
    [
      "a namespace that is not a string",
      `{"type":"RECORD","record":{"namespace":["${CANARY}"],"stream":"users","data":{},"emitted_at":1}}\n`,
      "the record's namespace is not a string",
    ],
    // streams not in the catalog
    [
      "an unknown name",
      record(`{"${CANARY}":1}`, "nope", "public"),
      "it is a record of stream public.nope, which is not in the configured catalog",
    ],
    [
      "a known name in another namespace",
      record(`{"${CANARY}":1}`, "users", "private"),
      "it is a record of stream private.users, which is not in the configured catalog",
    ],
    [
      "a known name without its namespace",
      record(`{"${CANARY}":1}`, "users", null),
      "it is a record of stream users, which is not in the configured catalog",
    ],
    [
      "a namespaced record of a stream the catalog has without one",
      record(`{"${CANARY}":1}`, "orders", "public"),
      "it is a record of stream public.orders, which is not in the configured catalog",
    ],
  ])("%s", async (_, bad, reason) => {
    const outcome = await write(around(bad));
    expectLineFailure(outcome, 3, reason);
    expect(dataOf(outcome)).toEqual([{ id: 1 }]);
  });

  test("a byte order mark before the first message: line 1 is not JSON (RFC 8259 forbids sending one)", async () => {
    expectLineFailure(await write(["\ufeff", record('{"id":1}'), state(1)]), 1, "it is not valid JSON", []);
  });

  test("a last line truncated mid-JSON without a newline", async () => {
    const outcome = await write([
      record('{"id":1}'),
      state(1),
      `{"type":"RECORD","record":{"stream":"users","data":{"${CANARY}":`,
    ]);
    expectLineFailure(outcome, 3, "it is not valid JSON");
  });

  test("a multi-byte sequence cut at the very end of the input", async () => {
    const outcome = await write([
      record('{"id":1}'),
      state(1),
      bytes(record(`"${CANARY}`).slice(0, 40), [0xf0, 0x9f]),
    ]);
    expectLineFailure(outcome, 3, "it is not valid UTF-8");
  });

  test("a line longer than 64 MiB, named with the limit", async () => {
    const huge = [
      `{"type":"RECORD","record":{"stream":"users","data":{"blob":"${CANARY}`,
      "x".repeat(64 * 1024 * 1024),
      '"}}}\n',
    ];
    expectLineFailure(
      await write([record('{"id":1}'), state(1), ...huge]),
      3,
      `it is longer than ${64 * 1024 * 1024} bytes`,
    );
  });
});

describe("lines that are written, or tolerated", () => {
  test("a complete last line without a newline is written", async () => {
    const outcome = await write([record('{"id":1}'), state(1).trimEnd()]);
    expect(outcome.summary.failure).toBeUndefined();
    expect(statesOf(outcome)).toEqual([1]);
    expect(dataOf(outcome)).toEqual([{ id: 1 }]);
  });

  test.each([
    ["nothing at all", []],
    ["only blank lines, CRLFs and spaces", ["\n\r\n   \n\t\n\r\n"]],
  ])("an empty input (%s) is a successful sync of nothing", async (_, input) => {
    const { summary, sent, messages } = await write(input);
    expect(summary.failure).toBeUndefined();
    expect([summary.records, summary.statesEchoed, summary.skippedLines, sent.length]).toEqual([0, 0, 0, 0]);
    expect(messages.filter((m) => m.type === "STATE")).toEqual([]);
  });

  test("unknown types, TRACE, LOG and CONTROL are counted and ignored, never written", async () => {
    const outcome = await write([
      record('{"id":1}'),
      `{"type":"FUTURE_KIND","future":{"${CANARY}":1}}\n`,
      state(1),
      `{"type":"LOG","log":{"level":"INFO","message":"${CANARY}"}}\n`,
      `{"type":"TRACE","trace":{"type":"ERROR","emitted_at":1,"error":{"message":"${CANARY}"}}}\n`,
      `{"type":"CONTROL","control":{"type":"CONNECTOR_CONFIG","emitted_at":1}}\n`,
      `{"type":"FUTURE_KIND"}\n`,
      record('{"id":2}'),
      state(2),
    ]);
    expect(outcome.summary.failure).toBeUndefined();
    expect(statesOf(outcome)).toEqual([1, 2]);
    expect(dataOf(outcome)).toEqual([{ id: 1 }, { id: 2 }]);
    expect(Object.fromEntries(outcome.summary.ignoredMessages)).toEqual({
      FUTURE_KIND: 2,
      LOG: 1,
      TRACE: 1,
      CONTROL: 1,
    });
    expect(outcome.said).not.toContain(CANARY);
  });

  test("on_invalid_input skip: every invalid line is skipped with a WARN naming it; good records are sent, every STATE echoed", async () => {
    const outcome = await write(SKIPPABLE.input, { on_invalid_input: "skip" });
    expect(outcome.summary.failure).toBeUndefined();
    expect(statesOf(outcome)).toEqual([1, 2]);
    expect(dataOf(outcome)).toEqual([{ id: 1 }, { id: 2 }]);
    const warnings = outcome.messages.flatMap((m) => {
      const log = (m as { log?: { level: string; message: string } }).log;
      return log?.level === "WARN" ? [log.message] : [];
    });
    expect(warnings).toEqual(SKIPPABLE.warnings);
    expect(outcome.summary.skippedLines).toBe(7);
    expect(outcome.said).not.toContain(CANARY);
  });
});

describe("stream identity is the pair (namespace, name)", () => {
  test("a record whose namespace.name only spells a catalog stream's name is not that stream", async () => {
    const outcome = await write(
      [
        record('{"id":1}', "public.users", null),
        state(1),
        record(`{"${CANARY}":1}`, "users", "public"),
        state(2),
      ],
      {},
      [stream("public.users")],
    );
    expectLineFailure(
      outcome,
      3,
      "it is a record of stream public.users, which is not in the configured catalog",
    );
    expect(dataOf(outcome, "_public_users")).toEqual([{ id: 1 }]);
  });

  const lookalikes = [stream("b.c", "a"), stream("c", "a.b")];

  test("two catalog streams whose namespace.name spell the same text keep their own topics", async () => {
    const outcome = await write(
      [record('{"id":"a/b.c"}', "b.c", "a"), record('{"id":"a.b/c"}', "c", "a.b"), state(1)],
      { topic_pattern: "{namespace}_X_{stream}" },
      lookalikes,
    );
    expect(outcome.sent.map((r) => [r.topic, JSON.parse(String(r.value))._airbyte_data.id])).toEqual([
      ["a_X_b_c", "a/b.c"],
      ["a_b_X_c", "a.b/c"],
    ]);
  });

  test("a STREAM state counts only its own stream's records, even when namespace.name spell the same text", async () => {
    const streamState = (namespace: string, name: string) =>
      `${JSON.stringify({ type: "STATE", state: { type: "STREAM", stream: { stream_descriptor: { name, namespace }, stream_state: {} } } })}\n`;
    const outcome = await write(
      [
        record('{"id":1}', "b.c", "a"),
        record('{"id":2}', "c", "a.b"),
        record('{"id":3}', "c", "a.b"),
        streamState("a", "b.c"),
        streamState("a.b", "c"),
      ],
      { topic_pattern: "{namespace}_X_{stream}" },
      lookalikes,
    );
    const states = outcome.messages.filter((m) => m.type === "STATE") as {
      state: {
        stream: { stream_descriptor: { namespace: string } };
        destinationStats: { recordCount: number };
      };
    }[];
    expect(
      states.map((m) => [m.state.stream.stream_descriptor.namespace, m.state.destinationStats.recordCount]),
    ).toEqual([
      ["a", 1],
      ["a.b", 2],
    ]);
  });
});

describe("record data is written byte for byte, from exactly the member that was validated", () => {
  test("numbers beyond 2^53, huge exponents and trailing zeros are written digit for digit", async () => {
    const data =
      '{"big":123456789012345678901234567890,"max":9007199254740993,"neg":-9223372036854775809,' +
      '"huge":1E+400,"tiny":5e-400,"frac":1.10,"precise":0.1000000000000000055511151231257827,' +
      '"zero":-0.0,"nested":[18446744073709551617,{"x":1.0e0}]}';
    const [sent] = (await write([record(data), state(1)])).sent;
    expect(String(sent?.value)).toBe(
      `{"_airbyte_ab_id":"${sent?.key?.toString()}","_airbyte_stream":"users","_airbyte_emitted_at":1700000000000,"_airbyte_data":${data}}`,
    );
  });

  test("unicode stream names and namespaces get Java's topic names; values are written byte-identical", async () => {
    // Names: NFKD, marks dropped, ASCII whitespace runs and every other non-[A-Za-z0-9_] character → "_".
    const streams: [namespace: string, name: string, topic: string][] = [
      ["line\u2028sep", "para\u2029sep", "line_sep_para_sep"],
      ["emoji", "😀users👩‍👩‍👧", "emoji__users_____"],
      ["caf\u0065\u0301", "Cr\u00e8me\u0327 \u212bngstr\u00f6m", "cafe_Creme_Angstrom"],
      ["rtl", "משתמשים العربية", "rtl________________"],
      // NFKD turns the no-break space into a space, so "\t \u00a0" is one whitespace run.
      ["ﬁ①", "Ｗｉｄｅ\t \u00a0x", "fi1_Wide_x"],
    ];
    const value =
      '{"raw":"\u2028 \u2029 😀 e\u0301 ﬁ עברית العربية \u200f\u202e","escaped":"\\u2028\\u2029\\ud83d\\ude00\\u0000","lone":"\\udc00"}';
    const outcome = await write(
      streams.map(([namespace, name]) => record(value, name, namespace)),
      {},
      streams.map(([namespace, name]) => stream(name, namespace)),
    );
    expect(outcome.summary.failure).toBeUndefined();
    expect(outcome.sent.map((r) => r.topic)).toEqual(streams.map(([, , topic]) => topic));
    outcome.sent.forEach((r, i) => {
      expect(JSON.parse(String(r.value))._airbyte_stream).toBe(streams[i]?.[1]);
      expect(dataText(r)).toBe(value);
    });
  });

  test.each([
    [
      "an escaped member name",
      '{"type":"RECORD","record":{"namespace":"public","stream":"users","d\\u0061ta":{"a":1},"emitted_at":1}}',
      '{"a":1}',
    ],
    [
      "strings full of braces, quotes and the word data",
      '{"type":"RECORD","record":{"x":{"data":5},"namespace":"public","stream":"users","data" : {"s":"\\"}{[\\\\","data":"}"} ,"emitted_at":1}}',
      '{"s":"\\"}{[\\\\","data":"}"}',
    ],
    [
      "100 000 levels of nesting",
      `{"type":"RECORD","record":{"namespace":"public","stream":"users","data":{"d":${"[".repeat(100_000)}${"]".repeat(100_000)}},"emitted_at":1}}`,
      `{"d":${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
    ],
    // Duplicate member names: JSON.parse (and the Java connector's Jackson) keep the last one, and
    // that is the one validated; the bytes written must be that member's too.
    [
      "a duplicate data member (the last one counts)",
      '{"type":"RECORD","record":{"namespace":"public","stream":"users","data":"first","data":{"x":1},"emitted_at":1}}',
      '{"x":1}',
    ],
    [
      "a duplicate record member (the last one counts)",
      '{"type":"RECORD","record":{"namespace":"public","stream":"nope","data":{"from":"first"},"emitted_at":1},"record":{"namespace":"public","stream":"users","data":{"from":"second"},"emitted_at":1}}',
      '{"from":"second"}',
    ],
  ])("%s", async (_, line, expected) => {
    const outcome = await write([`${line}\n`, state(1)]);
    expect(outcome.summary.failure).toBeUndefined();
    expect(statesOf(outcome)).toEqual([1]);
    expect(outcome.sent.map(dataText)).toEqual([expected]);
  });

  test("a duplicate state member: the last one is echoed, as it is the one validated", async () => {
    const outcome = await write([
      record('{"id":1}'),
      '{"type":"STATE","state":{"data":{"n":1}},"state":{"data":{"n":2}}}\n',
    ]);
    expect(statesOf(outcome)).toEqual([2]);
  });
});
