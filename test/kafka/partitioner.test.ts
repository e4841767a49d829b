import { describe, expect, it } from "bun:test";
import { murmur2 as clientMurmur2 } from "@platformatic/kafka";
import { keyedPartition, murmur2 } from "../../src/kafka/partitioner.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("murmur2 is Java's Utils.murmur2", () => {
  // The vectors of Kafka's own UtilsTest.testMurmur2.
  it.each([
    ["21", -973932308],
    ["foobar", -790332482],
    ["a-little-bit-long-string", -985981536],
    ["a-little-bit-longer-string", -1486304829],
    ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
    ["abc", 479470107],
  ])("murmur2(%p) = %p", (text, expected) => {
    expect(murmur2(bytes(text))).toBe(expected);
  });

  it("agrees with the client's BigInt port on every length and on non-ASCII bytes", () => {
    for (let length = 0; length < 64; length++) {
      const data = Buffer.from(Array.from({ length }, (_, i) => (i * 37 + length * 11) & 0xff));
      expect(murmur2(data)).toBe(clientMurmur2(data));
    }
    const uuid = Buffer.from(crypto.randomUUID());
    expect(murmur2(uuid)).toBe(clientMurmur2(uuid));
  });

  it("partitions like Java: toPositive(murmur2(key)) modulo the count, and one partition needs no hash", () => {
    const key = Buffer.from("foobar");
    expect(keyedPartition(key, 7)).toBe((-790332482 & 0x7fffffff) % 7);
    expect(keyedPartition(key, 1)).toBe(0);
  });
});
