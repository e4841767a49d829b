import { describe, expect, it } from "bun:test";
import { encodeDeadLetter } from "../../src/codec/dead-letter.ts";
import { RECORD_OVERHEAD_BYTES } from "../../src/codec/record.ts";

const headerBytes = (headers: [Buffer, Buffer][] | undefined) =>
  (headers ?? []).reduce((sum, [name, value]) => sum + name.length + value.length + 10, 0);
const headersOf = (headers: [Buffer, Buffer][] | undefined) =>
  Object.fromEntries((headers ?? []).map(([name, value]) => [name.toString(), value.toString()]));

describe("encodeDeadLetter", () => {
  it("the line as it was read, no key, headers with the reason and line, counted as Kafka counts", () => {
    const line = new TextEncoder().encode("not json, Zoë");
    const letter = encodeDeadLetter({
      topic: "dlq",
      lineNumber: 12,
      reason: "it is not valid JSON",
      line,
      maxBytes: 1_000_000,
    });
    expect(letter.topic).toBe("dlq");
    expect(letter.key).toBeUndefined();
    expect(letter.value.toString()).toBe("not json, Zoë");
    expect(headersOf(letter.headers)).toEqual({
      airbyte_rejected_reason: "it is not valid JSON",
      airbyte_input_line: "12",
    });
    expect(letter.size).toBe(RECORD_OVERHEAD_BYTES + letter.value.length + headerBytes(letter.headers));
  });

  it("copies the line: the input chunk it came from is reused", () => {
    const line = new TextEncoder().encode("abc");
    const letter = encodeDeadLetter({ topic: "dlq", lineNumber: 1, reason: "r", line, maxBytes: 1000 });
    line.fill(0x78);
    expect(letter.value.toString()).toBe("abc");
  });

  it("a line too large for one message is cut to max_request_size and says its full length", () => {
    const line = new Uint8Array(5000).fill(0x61);
    const letter = encodeDeadLetter({
      topic: "dlq",
      lineNumber: 3,
      reason: "too large",
      line,
      maxBytes: 1000,
    });
    expect(letter.size).toBe(1000);
    expect(headersOf(letter.headers).airbyte_truncated_from).toBe("5000");
    expect(letter.value.length).toBe(1000 - RECORD_OVERHEAD_BYTES - headerBytes(letter.headers));
    // Exactly at the limit: whole, without the header.
    const fits = encodeDeadLetter({
      topic: "dlq",
      lineNumber: 3,
      reason: "r",
      line: line.subarray(0, 100),
      maxBytes: 1000,
    });
    const exact = 1000 - (fits.size - 100);
    const whole = encodeDeadLetter({
      topic: "dlq",
      lineNumber: 3,
      reason: "r",
      line: line.subarray(0, exact),
      maxBytes: 1000,
    });
    expect([whole.size, whole.value.length, headersOf(whole.headers).airbyte_truncated_from]).toEqual([
      1000,
      exact,
      undefined,
    ]);
  });
});
