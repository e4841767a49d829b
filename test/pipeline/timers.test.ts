import { describe, expect, it } from "bun:test";
import { realTimers } from "../../src/pipeline/timers.ts";

describe("realTimers", () => {
  it("fires a timer once its time has passed, and never a cleared one", async () => {
    const fired: string[] = [];
    realTimers.set(() => fired.push("kept"), 1);
    const cleared = realTimers.set(() => fired.push("cleared"), 1);
    realTimers.clear(cleared);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fired).toEqual(["kept"]);
  });
});
