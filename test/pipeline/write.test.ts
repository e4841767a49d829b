import { describe, expect, it } from "bun:test";
import type { Truncator } from "../../src/contract/send.ts";
import { ConnectorError } from "../../src/errors.ts";
import { runWrite, type WriteOptions } from "../../src/pipeline/write.ts";
import type { CatalogStream } from "../../src/protocol/catalog.ts";
import { configWith } from "../helpers/config.ts";
import { autoSender, capturedEmitter, chunksOf, handSender, handTimers, settle } from "../helpers/fakes.ts";

const catalog: CatalogStream[] = [
  { stream: { name: "users", namespace: "public" }, destinationSyncMode: "append", primaryKey: [] },
  { stream: { name: "orders", namespace: undefined }, destinationSyncMode: "append_dedup", primaryKey: [] },
];
const rec = (stream: string, n: number, namespace = "public") =>
  JSON.stringify({ type: "RECORD", record: { namespace, stream, data: { n }, emitted_at: 1700000000000 } });
const ordersRec = (n: number) =>
  JSON.stringify({ type: "RECORD", record: { stream: "orders", data: { n }, emitted_at: 1 } });
const legacyState = (n: number) => JSON.stringify({ type: "STATE", state: { data: { n } } });

function run(
  lines: string[],
  overrides: Partial<Omit<WriteOptions, "config">> & { config?: Record<string, unknown> } = {},
) {
  const output = capturedEmitter();
  const sender = autoSender();
  const { config, ...rest } = overrides;
  const promise = runWrite({
    config: configWith({ linger_ms: 0, ...config }),
    catalog,
    input: chunksOf(lines.map((line) => `${line}\n`).join("")),
    send: sender.send,
    emit: output.emit,
    ...rest,
  });
  return { promise, output, sender };
}

const states = (messages: Record<string, unknown>[]) => messages.filter((m) => m.type === "STATE");
const traces = (messages: Record<string, unknown>[]) =>
  messages.filter((m) => m.type === "TRACE") as { trace: { error: { message: string } } }[];

describe("write: the happy path", () => {
  it("writes every record to its topic with the reference layout and echoes states with counts", async () => {
    const { promise, output, sender } = run([
      rec("users", 1),
      ordersRec(2),
      legacyState(1),
      rec("users", 3),
      legacyState(2),
    ]);
    const summary = await promise;
    expect(summary.failure).toBeUndefined();
    const sent = sender.sent.flat();
    // The Java rule: a missing namespace becomes empty, so "{namespace}.{stream}" gives "_orders".
    expect(sent.map((r) => r.topic)).toEqual(["public_users", "_orders", "public_users"]);
    const value = JSON.parse(String(sent[0]?.value) ?? "");
    expect(Object.keys(value)).toEqual([
      "_airbyte_ab_id",
      "_airbyte_stream",
      "_airbyte_emitted_at",
      "_airbyte_data",
    ]);
    expect(value._airbyte_ab_id).toBe(sent[0]?.key?.toString());
    expect(value._airbyte_ab_id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(value._airbyte_stream).toBe("users");
    expect(value._airbyte_emitted_at).toBe(1700000000000);
    expect(value._airbyte_data).toEqual({ n: 1 });
    expect(states(output.messages())).toEqual([
      { type: "STATE", state: { data: { n: 1 }, destinationStats: { recordCount: 2 } } },
      { type: "STATE", state: { data: { n: 2 }, destinationStats: { recordCount: 1 } } },
    ]);
    expect(summary.statesEchoed).toBe(2);
  });

  it("warns once that append_dedup streams are written as append", async () => {
    const { promise, output } = run([]);
    await promise;
    const warnings = output
      .messages()
      .filter((m) => (m as { log?: { level: string } }).log?.level === "WARN");
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0])).toContain("orders ask for append_dedup");
  });

  it("ignores TRACE, LOG, CONTROL and unknown messages and tolerates blank lines and CRLF", async () => {
    const { promise, sender } = run([
      '{"type":"TRACE","trace":{"type":"STREAM_STATUS"}}',
      '{"type":"LOG","log":{"level":"INFO","message":"hi"},"record":null}',
      '{"type":"CONTROL","control":{}}',
      '{"type":"NEW_KIND"}',
      "",
      `${rec("users", 1)}\r`,
    ]);
    const summary = await promise;
    expect(summary.failure).toBeUndefined();
    expect(sender.sent.flat()).toHaveLength(1);
    expect(Object.fromEntries(summary.ignoredMessages)).toEqual({
      TRACE: 1,
      LOG: 1,
      CONTROL: 1,
      NEW_KIND: 1,
    });
  });
});

describe("write: the checkpoint rule", () => {
  it("echoes a STATE only after the records before it are acknowledged, in order", async () => {
    const output = capturedEmitter();
    const sender = handSender();
    const input = chunksOf(`${rec("users", 1)}\n${legacyState(1)}\n${rec("users", 2)}\n${legacyState(2)}\n`);
    const promise = runWrite({
      config: configWith({ batch_size: 1 }),
      catalog,
      input,
      send: sender.send,
      emit: output.emit,
    });
    await settle();
    expect(sender.sends).toHaveLength(2);
    expect(states(output.messages())).toHaveLength(0);
    sender.sends[1]?.resolve(); // the later batch first
    await settle();
    expect(states(output.messages())).toHaveLength(0);
    sender.sends[0]?.resolve();
    await promise;
    expect(
      states(output.messages()).map((m) => (m as { state: { data: { n: number } } }).state.data.n),
    ).toEqual([1, 2]);
  });

  it("a delivery failure fails the sync and no STATE after it is echoed", async () => {
    const output = capturedEmitter();
    const sender = handSender();
    const input = chunksOf(
      `${rec("users", 1)}\n${legacyState(1)}\n${rec("users", 2)}\n${legacyState(2)}\n${rec("users", 3)}\n${legacyState(3)}\n`,
    );
    const promise = runWrite({
      config: configWith({ batch_size: 1 }),
      catalog,
      input,
      send: sender.send,
      emit: output.emit,
    });
    await settle();
    sender.sends[0]?.resolve();
    sender.sends[1]?.reject(new Error("broker said no"));
    for (const s of sender.sends.slice(2)) s.resolve();
    const summary = await promise;
    expect(summary.failure?.message).toContain("broker said no");
    expect(
      states(output.messages()).map((m) => (m as { state: { data: { n: number } } }).state.data.n),
    ).toEqual([1]);
    expect(summary.statesHeld).toBeGreaterThan(0);
  });
});

describe("write: with transactions, a STATE waits for the commit that covers it", () => {
  const txConfig = { transactional_id: "tx", enable_idempotence: true, acks: "all", batch_size: 1 };
  const stateNumbers = (messages: Record<string, unknown>[]) =>
    states(messages).map((m) => (m as { state: { data: { n: number } } }).state.data.n);

  /** Commits the test settles by hand, counted. */
  function handCommits() {
    const pending: { resolve: () => void; reject: (error: unknown) => void }[] = [];
    return {
      pending,
      commit: () =>
        new Promise<void>((resolve, reject) => {
          pending.push({ resolve, reject });
        }),
    };
  }

  /** A transactional sync of two records, each followed by a STATE. */
  const twoRounds = (send: WriteOptions["send"], commit: () => Promise<void>, emit: WriteOptions["emit"]) =>
    runWrite({
      config: configWith(txConfig),
      catalog,
      input: chunksOf(`${rec("users", 1)}\n${legacyState(1)}\n${rec("users", 2)}\n${legacyState(2)}\n`),
      send,
      commit,
      emit,
    });

  it("acknowledged records earn no STATE until their transaction commits", async () => {
    const output = capturedEmitter();
    const sender = handSender();
    const commits = handCommits();
    const promise = twoRounds(sender.send, commits.commit, output.emit);
    await settle();
    expect(sender.sends).toHaveLength(1);
    sender.sends[0]?.resolve();
    await settle();
    // Acknowledged, and the commit is asked for; reading waits for it, so record 2 is not sent yet.
    expect(commits.pending).toHaveLength(1);
    expect(sender.sends).toHaveLength(1);
    expect(stateNumbers(output.messages())).toEqual([]);
    commits.pending[0]?.resolve();
    await settle();
    expect(stateNumbers(output.messages())).toEqual([1]);
    sender.sends[1]?.resolve();
    await settle();
    commits.pending[1]?.resolve();
    const summary = await promise;
    expect(summary.failure).toBeUndefined();
    expect(stateNumbers(output.messages())).toEqual([1, 2]);
    expect(commits.pending).toHaveLength(2);
  });

  it("the end of the input commits the records after the last STATE", async () => {
    const sender = autoSender();
    let commits = 0;
    const summary = await runWrite({
      config: configWith(txConfig),
      catalog,
      input: chunksOf(`${rec("users", 1)}\n${legacyState(1)}\n${rec("users", 2)}\n`),
      send: sender.send,
      commit: async () => {
        commits++;
      },
      emit: capturedEmitter().emit,
    });
    expect(summary.failure).toBeUndefined();
    expect(commits).toBe(2);
  });

  it("a failed commit fails the sync: its STATE and every later one are held, nothing more is sent or committed", async () => {
    const output = capturedEmitter();
    const sender = autoSender();
    const commits = handCommits();
    const promise = twoRounds(sender.send, commits.commit, output.emit);
    await settle();
    commits.pending[0]?.reject(new Error("the producer was fenced"));
    const summary = await promise;
    expect(summary.failure?.message).toContain("the producer was fenced");
    expect(stateNumbers(output.messages())).toEqual([]);
    expect(sender.sent.flat()).toHaveLength(1);
    expect(commits.pending).toHaveLength(1);
  });

  it("a source that pauses longer than the transaction timeout gets a commit between STATEs", async () => {
    const output = capturedEmitter();
    const sender = autoSender();
    const clock = handTimers();
    let commits = 0;
    let resume: () => void = () => {};
    const paused = new Promise<void>((resolve) => {
      resume = resolve;
    });
    const input = (async function* () {
      yield new TextEncoder().encode(`${rec("users", 1)}\n`);
      await paused; // minutes without a STATE
      yield new TextEncoder().encode(`${legacyState(1)}\n`);
    })();
    const promise = runWrite({
      config: configWith({ ...txConfig, transaction_timeout_ms: 60_000, progress_interval_seconds: 0 }),
      catalog,
      input,
      send: sender.send,
      commit: async () => {
        commits++;
      },
      emit: output.emit,
      timers: clock.timers,
    });
    await settle();
    clock.fire(0); // linger
    await settle();
    expect(sender.sent.flat()).toHaveLength(1);
    expect(commits).toBe(0);
    clock.fire(30_000); // half the transaction timeout
    await settle();
    expect(commits).toBe(1);
    expect(stateNumbers(output.messages())).toEqual([]); // the STATE has not even been read
    resume();
    const summary = await promise;
    expect(summary.failure).toBeUndefined();
    // The record was committed already: the STATE is echoed without another transaction.
    expect(stateNumbers(output.messages())).toEqual([1]);
  });

  it("a timed commit that fails ends the sync at once, though the source is silent", async () => {
    const output = capturedEmitter();
    const clock = handTimers();
    const input = (async function* () {
      yield new TextEncoder().encode(`${rec("users", 1)}\n`);
      await new Promise(() => {}); // the source never speaks again
    })();
    const promise = runWrite({
      config: configWith({ ...txConfig, transaction_timeout_ms: 60_000, progress_interval_seconds: 0 }),
      catalog,
      input,
      send: autoSender().send,
      commit: async () => {
        throw new Error("the producer was fenced");
      },
      emit: output.emit,
      timers: clock.timers,
      graceMs: 100,
    });
    await settle();
    clock.fire(0); // linger
    await settle();
    clock.fire(30_000); // half the transaction timeout
    const summary = await promise;
    expect(summary.failure?.message).toContain("the producer was fenced");
    expect(stateNumbers(output.messages())).toEqual([]);
  });

  it("an interrupted sync commits nothing more", async () => {
    const sender = autoSender();
    const controller = new AbortController();
    let commits = 0;
    const input = (async function* () {
      yield new TextEncoder().encode(`${rec("users", 1)}\n`);
      await new Promise(() => {}); // the source stalls; Airbyte cancels the sync
    })();
    const promise = runWrite({
      config: configWith(txConfig),
      catalog,
      input,
      send: sender.send,
      commit: async () => {
        commits++;
      },
      emit: capturedEmitter().emit,
      signal: controller.signal,
      graceMs: 100,
    });
    await settle();
    controller.abort();
    const summary = await promise;
    expect(summary.failure?.message).toContain("interrupted");
    expect(sender.sent.flat()).toHaveLength(1);
    expect(commits).toBe(0);
  });
});

describe("write: input policy", () => {
  const badLines: [string, string, string][] = [
    ["a line that is not JSON", "{nope", "Input line 2 cannot be written: it is not valid JSON"],
    ["a line that is not a message", '{"hello":1}', "Input line 2 cannot be written: it has no message type"],
    [
      "a record of a stream not in the catalog",
      rec("ghosts", 1),
      "Input line 2 cannot be written: it is a record of stream public.ghosts, which is not in the configured catalog",
    ],
  ];

  it.each(badLines)("%s fails the sync by default, with no later STATE", async (_label, bad, message) => {
    const { promise, output } = run([legacyState(0), bad, rec("users", 1), legacyState(1)]);
    const summary = await promise;
    expect(summary.failure?.message).toStartWith(message);
    expect(summary.failure?.failureType).toBe("system_error");
    expect(states(output.messages())).toHaveLength(1);
  });

  it.each(badLines)("%s is skipped with a WARN under on_invalid_input skip", async (_label, bad) => {
    const { promise, output, sender } = run([bad, rec("users", 1), legacyState(1)], {
      config: { on_invalid_input: "skip" },
    });
    const summary = await promise;
    expect(summary.failure).toBeUndefined();
    expect(summary.skippedLines).toBe(1);
    expect(sender.sent.flat()).toHaveLength(1);
    expect(JSON.stringify(output.messages())).toContain("Skipped input line 1");
    expect(states(output.messages())).toHaveLength(1);
  });

  it("a line that is not UTF-8 fails the sync naming the line", async () => {
    const output = capturedEmitter();
    const input = (async function* () {
      yield new TextEncoder().encode(`${rec("users", 1)}\n`);
      yield new Uint8Array([0x7b, 0xc3, 0x28, 0x7d, 0x0a]);
    })();
    const summary = await runWrite({
      config: configWith(),
      catalog,
      input,
      send: autoSender().send,
      emit: output.emit,
    });
    expect(summary.failure?.message).toStartWith("Input line 2 cannot be written: it is not valid UTF-8");
  });

  it("a record over max_request_size fails the sync naming stream, size and limit, never the content", async () => {
    const big = JSON.stringify({
      type: "RECORD",
      record: { namespace: "public", stream: "users", data: { blob: "secret".repeat(100) }, emitted_at: 1 },
    });
    const { promise } = run([big], { config: { max_request_size: 500 } });
    const summary = await promise;
    expect(summary.failure?.message).toMatch(
      /^Input line 1 cannot be written: the record of stream public.users is \d+ bytes once encoded, over max_request_size \(500 bytes\)/,
    );
    expect(summary.failure?.message).not.toContain("secret");
  });

  it("a failure is reported once as a TRACE by the command, not here", async () => {
    const { promise, output } = run(["{nope"]);
    await promise;
    expect(traces(output.messages())).toHaveLength(0);
  });
});

describe("write: interruption", () => {
  it("on abort it stops reading, echoes the STATEs already earned and reports the interruption", async () => {
    const output = capturedEmitter();
    const sender = autoSender();
    const controller = new AbortController();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const input = (async function* () {
      yield new TextEncoder().encode(`${rec("users", 1)}\n${legacyState(1)}\n`);
      await gate; // the source stalls; Airbyte cancels the sync
      yield new TextEncoder().encode(`${rec("users", 2)}\n${legacyState(2)}\n`);
    })();
    const promise = runWrite({
      config: configWith(),
      catalog,
      input,
      send: sender.send,
      emit: output.emit,
      signal: controller.signal,
      graceMs: 1000,
    });
    await settle();
    controller.abort();
    const summary = await promise;
    release();
    expect(summary.failure?.message).toContain("interrupted");
    expect(states(output.messages())).toHaveLength(1);
    expect(sender.sent.flat()).toHaveLength(1);
  });
});

describe("write: configuration problems and the summary", () => {
  it("a config the catalog cannot work with is refused before anything is sent", async () => {
    const sender = autoSender();
    await expect(
      runWrite({
        config: configWith({ message_key: "primary_key" }),
        catalog,
        input: chunksOf(`${rec("users", 1)}\n`),
        send: sender.send,
        emit: capturedEmitter().emit,
      }),
    ).rejects.toThrow("stream public.users has no primary key in the catalog");
    expect(sender.sent).toEqual([]);
  });

  it("the summary counts records per stream and topic, STATEs held, lines skipped", async () => {
    const output = capturedEmitter();
    const sender = handSender();
    const promise = runWrite({
      config: configWith({ topic_pattern: "everything", on_invalid_input: "skip", batch_size: 1 }),
      catalog,
      input: chunksOf(`${rec("users", 1)}\n${ordersRec(2)}\n{nope\n${legacyState(1)}\n${rec("users", 3)}\n`),
      send: sender.send,
      emit: output.emit,
    });
    await settle();
    sender.sends[0]?.resolve();
    sender.sends[1]?.reject(new Error("broker said no"));
    for (const send of sender.sends.slice(2)) send.resolve();
    const summary = await promise;
    expect(summary.records).toBe(3);
    expect(summary.recordsByStream).toEqual([
      ["public.users", 2],
      ["orders", 1],
    ]);
    expect(summary.topics).toEqual([expect.stringMatching(/^everything: 3 records, 0\.0 MB in \d+\.\d s$/)]);
    expect([summary.statesEchoed, summary.statesHeld, summary.skippedLines]).toEqual([0, 1, 1]);
    expect(summary.failure?.message).toContain("broker said no");
  });
});

describe("write: streams that overwrite their topics", () => {
  const overwriting: CatalogStream[] = [
    { stream: { name: "users", namespace: "public" }, destinationSyncMode: "overwrite", primaryKey: [] },
    { stream: { name: "orders", namespace: undefined }, destinationSyncMode: "append", primaryKey: [] },
  ];
  const usersState = (n: number) =>
    JSON.stringify({
      type: "STATE",
      state: { type: "STREAM", stream: { stream_descriptor: { name: "users", namespace: "public" } }, n },
    });
  const ordersState = (n: number) =>
    JSON.stringify({
      type: "STATE",
      state: { type: "STREAM", stream: { stream_descriptor: { name: "orders" } }, n },
    });
  const stateNs = (messages: Record<string, unknown>[]) =>
    states(messages).map((m) => (m as { state: { n: number } }).state.n);

  /** A truncator that logs what it is asked, in order with the sends. */
  function tracking(events: string[], failTruncate = false): Truncator {
    return {
      mark: async (topic) => {
        events.push(`mark ${topic}`);
        return { topic, partitions: [{ partition: 0, end: 5n }] };
      },
      truncate: async (mark) => {
        events.push(`truncate ${mark.topic}`);
        if (failTruncate) throw new ConnectorError("deletion refused", "transient_error");
        return 5;
      },
    };
  }

  it("marks before the first send, deletes after the last acknowledgement, then echoes the held STATEs", async () => {
    const events: string[] = [];
    const output = capturedEmitter();
    const summary = await runWrite({
      config: configWith(),
      catalog: overwriting,
      input: chunksOf([rec("users", 1), usersState(1), ordersRec(2), ordersState(2), ""].join("\n")),
      send: async (records) => {
        events.push(`send ${records.length}`);
      },
      truncator: tracking(events),
      emit: output.emit,
    });
    expect(summary.failure).toBeUndefined();
    expect(events[0]).toBe("mark public_users");
    expect(events.at(-1)).toBe("truncate public_users");
    expect(events.filter((e) => e.startsWith("send"))).not.toHaveLength(0);
    // The orders STATE is echoed as soon as it is earned; the users one only after the deletion.
    expect(stateNs(output.messages())).toEqual([2, 1]);
    expect(Object.fromEntries(summary.deleted)).toEqual({ public_users: 5 });
    expect([summary.statesEchoed, summary.statesHeld]).toEqual([2, 0]);
    expect(JSON.stringify(output.messages())).toContain("Streams public.users overwrite their topics");
  });

  it("a failed send deletes nothing and never echoes the overwritten stream's STATEs", async () => {
    const events: string[] = [];
    const output = capturedEmitter();
    const summary = await runWrite({
      config: configWith({ batch_size: 1 }),
      catalog: overwriting,
      input: chunksOf([rec("users", 1), usersState(1), ordersRec(2), ordersState(2), ""].join("\n")),
      send: async (records) => {
        if (records[0]?.topic === "_orders") throw new ConnectorError("broker said no", "system_error");
      },
      truncator: tracking(events),
      emit: output.emit,
    });
    expect(summary.failure?.message).toContain("broker said no");
    expect(events).toEqual(["mark public_users"]);
    expect(stateNs(output.messages())).toEqual([]);
    expect(summary.statesHeld).toBe(2);
  });

  it("an invalid line (the input did not end well) deletes nothing", async () => {
    const events: string[] = [];
    const summary = await runWrite({
      config: configWith(),
      catalog: overwriting,
      input: chunksOf(`${rec("users", 1)}\n{nope\n`),
      send: async () => undefined,
      truncator: tracking(events),
      emit: capturedEmitter().emit,
    });
    expect(summary.failure?.message).toContain("Input line 2 cannot be written");
    expect(events).toEqual(["mark public_users"]);
  });

  it("an interrupted sync deletes nothing", async () => {
    const events: string[] = [];
    const controller = new AbortController();
    const input = (async function* () {
      yield new TextEncoder().encode(`${rec("users", 1)}\n${usersState(1)}\n`);
      await new Promise(() => {}); // the source stalls; Airbyte cancels the sync
    })();
    const output = capturedEmitter();
    const promise = runWrite({
      config: configWith(),
      catalog: overwriting,
      input,
      send: async () => undefined,
      truncator: tracking(events),
      emit: output.emit,
      signal: controller.signal,
      graceMs: 100,
    });
    await settle();
    controller.abort();
    const summary = await promise;
    expect(summary.failure?.message).toContain("interrupted");
    expect(events).toEqual(["mark public_users"]);
    expect(stateNs(output.messages())).toEqual([]);
  });

  it("a deletion that fails fails the sync, and the held STATEs stay unechoed", async () => {
    const events: string[] = [];
    const output = capturedEmitter();
    const summary = await runWrite({
      config: configWith(),
      catalog: overwriting,
      input: chunksOf(`${rec("users", 1)}\n${usersState(1)}\n`),
      send: async () => undefined,
      truncator: tracking(events, true),
      emit: output.emit,
    });
    expect(summary.failure?.message).toBe("deletion refused");
    expect(stateNs(output.messages())).toEqual([]);
  });

  it("a topic that cannot be truncated is refused before anything is read", async () => {
    const sent: number[] = [];
    const refusing: Truncator = {
      mark: async () => {
        throw new ConnectorError("not authorized to delete records of topic public_users", "config_error");
      },
      truncate: async () => 0,
    };
    await expect(
      runWrite({
        config: configWith(),
        catalog: overwriting,
        input: chunksOf(`${rec("users", 1)}\n`),
        send: async (records) => {
          sent.push(records.length);
        },
        truncator: refusing,
        emit: capturedEmitter().emit,
      }),
    ).rejects.toThrow("not authorized to delete records");
    expect(sent).toEqual([]);
  });
});

describe("write: rejected records and the dead-letter topic", () => {
  const dlq = { on_invalid_input: "dead_letter", dead_letter_topic: "rejects" };
  const usersState = JSON.stringify({
    type: "STATE",
    state: { type: "STREAM", stream: { stream_descriptor: { name: "users", namespace: "public" } } },
  });
  const lines = [
    rec("users", 1),
    "{nope",
    JSON.stringify({ type: "RECORD", record: { stream: "users", namespace: "public", data: { n: 2 } } }),
    usersState,
  ];

  it("dead_letter: each line that cannot be written goes to the topic in input order; the STATE counts the rejected", async () => {
    const { promise, output, sender } = run(lines, { config: dlq });
    const summary = await promise;
    expect(summary.failure).toBeUndefined();
    const sent = sender.sent.flat();
    expect(sent.map((r) => r.topic)).toEqual(["public_users", "rejects", "rejects"]);
    expect(String(sent[1]?.value)).toBe("{nope");
    const reasons = sent
      .slice(1)
      .map((r) => Object.fromEntries((r.headers ?? []).map(([k, v]) => [k.toString(), v.toString()])));
    expect(reasons).toEqual([
      { airbyte_rejected_reason: "it is not valid JSON", airbyte_input_line: "2" },
      {
        airbyte_rejected_reason: "the record has no numeric emitted_at",
        airbyte_input_line: "3",
      },
    ]);
    // The record without emitted_at names no stream the parser trusts: not a rejected record of users.
    expect(
      states(output.messages()).map(
        (m) => (m as { state: { destinationStats: unknown } }).state.destinationStats,
      ),
    ).toEqual([{ recordCount: 1 }]);
    expect(summary.deadLetters).toBe(2);
  });

  it("a record of a stream that cannot be written counts in recordCount and rejectedRecordCount (skip and dead_letter)", async () => {
    for (const config of [{ on_invalid_input: "skip" }, dlq]) {
      const keyed = { ...config, message_key: "fields", message_key_fields: [["id"]] };
      const { promise, output } = run(
        [
          JSON.stringify({
            type: "RECORD",
            record: { namespace: "public", stream: "users", data: { id: 1 }, emitted_at: 1 },
          }),
          rec("users", 2),
          usersState,
        ],
        { config: keyed },
      );
      expect((await promise).failure).toBeUndefined();
      expect(
        states(output.messages()).map(
          (m) => (m as { state: { destinationStats: unknown } }).state.destinationStats,
        ),
      ).toEqual([{ recordCount: 2, rejectedRecordCount: 1 }]);
    }
  });

  it("a dead letter that cannot be written fails the sync, and no STATE after it is echoed", async () => {
    const output = capturedEmitter();
    const summary = await runWrite({
      config: configWith({ ...dlq, batch_size: 0 }),
      catalog,
      input: chunksOf(
        [rec("users", 1), legacyState(1), "{nope", legacyState(2), rec("users", 3), legacyState(3), ""].join(
          "\n",
        ),
      ),
      send: async (records) => {
        if (records.some((r) => r.topic === "rejects"))
          throw new ConnectorError("not authorized to write to topic rejects.", "config_error");
      },
      emit: output.emit,
    });
    expect(summary.failure?.message).toBe("not authorized to write to topic rejects.");
    expect(
      states(output.messages()).map((m) => (m as { state: { data: { n: number } } }).state.data.n),
    ).toEqual([1]);
  });

  it("dead_letter_topic is required with dead_letter", () => {
    expect(() => configWith({ on_invalid_input: "dead_letter" })).toThrow("dead_letter_topic");
  });
});
