import { describe, expect, it } from "bun:test";
import { NetworkError, ProtocolError } from "@platformatic/kafka";
import { attempt } from "../../src/kafka/attempt.ts";

const context = { action: "looking up the topic", topic: "t", bootstrap: "k1:9092" };
const options = (ms: number, retries = 100) => ({ context, ms, setting: "max_block_ms", retries });
const failing = (...errors: unknown[]) => {
  let calls = 0;
  const call = async () => {
    const error = errors[calls++];
    if (error !== undefined) throw error;
    return "answered";
  };
  return { call, calls: () => calls };
};

describe("attempt: one client call, retried under a deadline", () => {
  it("retries a transient failure and returns the answer", async () => {
    const { call, calls } = failing(
      new NetworkError("down", { cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }) }),
    );
    expect(await attempt(options(5_000), call)).toBe("answered");
    expect(calls()).toBe(2);
  });

  it("ends at once on a config error", async () => {
    const { call, calls } = failing(new ProtocolError("TOPIC_AUTHORIZATION_FAILED"));
    await expect(attempt(options(5_000), call)).rejects.toMatchObject({ failureType: "config_error" });
    expect(calls()).toBe(1);
  });

  it("gives an unknown topic its own few tries (a broker auto-creating it), then reports it missing", async () => {
    const unknown = () => new ProtocolError("UNKNOWN_TOPIC_OR_PARTITION");
    const { call, calls } = failing(unknown(), unknown(), unknown(), unknown(), unknown(), unknown());
    await expect(attempt(options(10_000, 0), call)).rejects.toThrow(/does not exist/);
    expect(calls()).toBe(5);
  });

  it("at the deadline, names the setting and the last cause", async () => {
    const never = () => new Promise<string>(() => undefined);
    await expect(attempt(options(50), never)).rejects.toThrow(
      "Kafka at k1:9092 did not answer within max_block_ms (50 ms) while looking up the topic (timeout).",
    );
  });
});
