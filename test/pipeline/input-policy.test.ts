import { describe, expect, it } from "bun:test";
import { ConnectorError } from "../../src/errors.ts";
import { createInputPolicy } from "../../src/pipeline/input-policy.ts";
import { capturedEmitter } from "../helpers/fakes.ts";

describe("input policy", () => {
  it("on_invalid_input fail: the first refused line is the failure, a system_error naming line and reason", () => {
    const output = capturedEmitter();
    const policy = createInputPolicy("fail", output.emit);
    expect(policy.refuse(3, "it is not valid JSON")).toBeUndefined();
    policy.refuse(4, "it is not a JSON object");
    expect(policy.failure?.message).toBe(
      'Input line 3 cannot be written: it is not valid JSON. No later STATE is echoed. Set on_invalid_input to "skip" to drop such lines instead.',
    );
    expect(policy.failure?.failureType).toBe("system_error");
    expect([policy.skippedLines, output.lines.length]).toEqual([0, 0]);
  });

  it("on_invalid_input skip: each refused line is a WARN and counted, and nothing fails", async () => {
    const output = capturedEmitter();
    const policy = createInputPolicy("skip", output.emit);
    await policy.refuse(3, "it is not valid JSON");
    await policy.refuse(9, "it is not valid UTF-8");
    expect(policy.failure).toBeUndefined();
    expect(policy.skippedLines).toBe(2);
    expect(output.messages()).toEqual([
      { type: "LOG", log: { level: "WARN", message: "Skipped input line 3: it is not valid JSON." } },
      { type: "LOG", log: { level: "WARN", message: "Skipped input line 9: it is not valid UTF-8." } },
    ]);
  });

  it("fail keeps the first failure; an error that is not a ConnectorError becomes a system_error", () => {
    const policy = createInputPolicy("skip", capturedEmitter().emit);
    policy.fail(new Error("socket hang up"));
    policy.fail(new ConnectorError("later", "config_error"));
    expect(policy.failure?.message).toBe("Unexpected error: socket hang up");
    expect(policy.failure?.failureType).toBe("system_error");
    const kept = createInputPolicy("fail", capturedEmitter().emit);
    const own = new ConnectorError("topic_pattern gives an empty topic name", "config_error");
    kept.fail(own);
    expect(kept.failure).toBe(own);
  });

  it("counts ignored messages by type", () => {
    const policy = createInputPolicy("fail", capturedEmitter().emit);
    for (const type of ["LOG", "TRACE", "LOG", "FUTURE_KIND"]) policy.ignore(type);
    expect(Object.fromEntries(policy.ignoredMessages)).toEqual({ LOG: 2, TRACE: 1, FUTURE_KIND: 1 });
    expect(policy.failure).toBeUndefined();
  });
});
