import { describe, expect, it } from "bun:test";
import type { EncodedRecord } from "../../src/contract/send.ts";
import { ConnectorError } from "../../src/errors.ts";
import { createInputPolicy, type InputPolicyOptions } from "../../src/pipeline/input-policy.ts";
import type { StreamId } from "../../src/protocol/parse.ts";
import { configWith } from "../helpers/config.ts";
import { capturedEmitter } from "../helpers/fakes.ts";

/** A policy for `config`, keeping the dead letters it sends and the streams it rejects. */
function policyFor(config: Record<string, unknown> = {}, options: Partial<InputPolicyOptions> = {}) {
  const output = capturedEmitter();
  const letters: EncodedRecord[] = [];
  const rejected: StreamId[] = [];
  const policy = createInputPolicy({
    config: configWith(config),
    emit: output.emit,
    deadLetter: (record) => {
      letters.push(record);
      return undefined;
    },
    rejected: (stream) => rejected.push(stream),
    streams: [],
    ...options,
  });
  return { policy, output, letters, rejected };
}

const users = { name: "users", namespace: "public" };
const headersOf = (record: EncodedRecord | undefined) =>
  Object.fromEntries((record?.headers ?? []).map(([name, value]) => [name.toString(), value.toString()]));

describe("input policy", () => {
  it("on_invalid_input fail: the first refused line is the failure, a system_error naming line and reason", () => {
    const { policy, output, rejected } = policyFor();
    expect(policy.refuse({ lineNumber: 3, reason: "it is not valid JSON" })).toBeUndefined();
    policy.refuse({ lineNumber: 4, reason: "it is not a JSON object", stream: users });
    expect(policy.failure?.message).toBe(
      'Input line 3 cannot be written: it is not valid JSON. No later STATE is echoed. Set on_invalid_input to "skip" (or "dead_letter") to go on without such lines.',
    );
    expect(policy.failure?.failureType).toBe("system_error");
    expect([policy.skippedLines, output.lines.length, rejected.length]).toEqual([0, 0, 0]);
  });

  it("on_invalid_input skip: each refused line is a WARN and counted; a record of a stream is rejected", async () => {
    const { policy, output, rejected } = policyFor({ on_invalid_input: "skip" });
    await policy.refuse({ lineNumber: 3, reason: "it is not valid JSON" });
    await policy.refuse({ lineNumber: 9, reason: "its key field id is missing or null", stream: users });
    expect(policy.failure).toBeUndefined();
    expect(policy.skippedLines).toBe(2);
    expect(rejected).toEqual([users]);
    expect(output.messages()).toEqual([
      { type: "LOG", log: { level: "WARN", message: "Skipped input line 3: it is not valid JSON." } },
      {
        type: "LOG",
        log: { level: "WARN", message: "Skipped input line 9: its key field id is missing or null." },
      },
    ]);
  });

  it("fail keeps the first failure; an error that is not a ConnectorError becomes a system_error", () => {
    const { policy } = policyFor({ on_invalid_input: "skip" });
    policy.fail(new Error("socket hang up"));
    policy.fail(new ConnectorError("later", "config_error"));
    expect(policy.failure?.message).toBe("Unexpected error: socket hang up");
    expect(policy.failure?.failureType).toBe("system_error");
    const kept = policyFor().policy;
    const own = new ConnectorError("topic_pattern gives an empty topic name", "config_error");
    kept.fail(own);
    expect(kept.failure).toBe(own);
  });

  it("counts ignored messages by type", () => {
    const { policy } = policyFor();
    for (const type of ["LOG", "TRACE", "LOG", "FUTURE_KIND"]) policy.ignore(type);
    expect(Object.fromEntries(policy.ignoredMessages)).toEqual({ LOG: 2, TRACE: 1, FUTURE_KIND: 1 });
    expect(policy.failure).toBeUndefined();
  });
});

describe("input policy: dead_letter", () => {
  const config = { on_invalid_input: "dead_letter", dead_letter_topic: "airbyte.dead letters" };

  it("sends the line to the dead-letter topic with why, which line and which stream; a WARN says so", async () => {
    const { policy, output, letters, rejected } = policyFor(config);
    const line = new TextEncoder().encode('{"type":"RECORD","record":{"stream":"users"}}');
    await policy.refuse({
      lineNumber: 7,
      reason: "the record has no numeric emitted_at",
      line,
      stream: users,
    });
    await policy.refuse({ lineNumber: 8, reason: "it is not valid UTF-8" });
    expect(policy.deadLetterTopic).toBe("airbyte_dead_letters");
    expect(letters.map((letter) => [letter.topic, letter.key, String(letter.value)])).toEqual([
      ["airbyte_dead_letters", undefined, '{"type":"RECORD","record":{"stream":"users"}}'],
      ["airbyte_dead_letters", undefined, ""],
    ]);
    expect(headersOf(letters[0])).toEqual({
      airbyte_rejected_reason: "the record has no numeric emitted_at",
      airbyte_input_line: "7",
      airbyte_stream: "users",
      airbyte_namespace: "public",
    });
    expect(headersOf(letters[1])).toEqual({
      airbyte_rejected_reason: "it is not valid UTF-8",
      airbyte_input_line: "8",
    });
    expect([policy.deadLetters, policy.skippedLines, policy.failure]).toEqual([2, 0, undefined]);
    expect(rejected).toEqual([users]);
    expect(JSON.stringify(output.messages()[0])).toContain(
      "Input line 7 went to the dead-letter topic airbyte_dead_letters: the record has no numeric emitted_at.",
    );
  });

  it("waits for the dead letter when its send asks to (backpressure)", async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { policy } = policyFor(config, { deadLetter: () => gate });
    let done = false;
    const waiting = policy.refuse({ lineNumber: 1, reason: "r" })?.then(() => {
      done = true;
    });
    await Promise.resolve();
    expect(done).toBe(false);
    release();
    await waiting;
    expect(done).toBe(true);
  });

  it("a dead-letter topic that a stream writes to, or that Kafka would refuse, is a config error", () => {
    expect(() =>
      policyFor(config, { streams: [{ label: "public.users", topic: "airbyte_dead_letters" }] }),
    ).toThrow("dead_letter_topic is topic airbyte_dead_letters, which stream public.users writes to");
    expect(() => policyFor({ ...config, dead_letter_topic: "x".repeat(300) })).toThrow(ConnectorError);
  });
});
