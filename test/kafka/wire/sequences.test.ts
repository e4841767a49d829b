import { describe, expect, it } from "bun:test";
import { createSequences, sequenceAfter } from "../../../src/kafka/wire/sequences.ts";

describe("sequence numbers", () => {
  it("count per partition from 0, in reservation order", () => {
    const sequences = createSequences();
    expect([
      sequences.reserve("a", 3),
      sequences.reserve("b", 1),
      sequences.reserve("a", 2),
      sequences.reserve("a", 1),
    ]).toEqual([0, 0, 3, 5]);
  });

  it("wrap after 2^31 - 1 as the broker expects", () => {
    const sequences = createSequences();
    sequences.reserve("a", 2 ** 31 - 2);
    expect(sequences.reserve("a", 4)).toBe(2 ** 31 - 2);
    expect(sequences.reserve("a", 1)).toBe(2);
    expect(sequenceAfter(2 ** 31 - 1, 1)).toBe(0);
  });
});
