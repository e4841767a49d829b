import { describe, expect, it } from "bun:test";
import { createDurability } from "../../src/pipeline/durable.ts";

describe("durability", () => {
  it("counts a record durable once every range up to it is delivered, in whatever order", () => {
    const d = createDurability(false);
    d.delivered({ first: 3, last: 4 });
    expect(d.below).toBe(0);
    d.delivered({ first: 0, last: 2 });
    expect(d.below).toBe(5);
  });

  it("with transactions, also once a commit covers it", () => {
    const d = createDurability(true);
    d.delivered({ first: 0, last: 9 });
    expect(d.below).toBe(0);
    d.committed(4);
    expect(d.below).toBe(5);
    d.committed(2); // an older commit reported late changes nothing
    expect(d.below).toBe(5);
  });
});
