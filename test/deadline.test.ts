import { describe, expect, it } from "bun:test";
import { withDeadline } from "../src/deadline.ts";

describe("withDeadline", () => {
  it("gives the work's result when it settles in time", async () => {
    expect(await withDeadline(Promise.resolve(7), 1000, () => new Error("late"))).toBe(7);
    await expect(
      withDeadline(Promise.reject(new Error("own")), 1000, () => new Error("late")),
    ).rejects.toThrow("own");
  });

  it("rejects with onTimeout's error once the time is up", async () => {
    const never = new Promise<never>(() => {});
    await expect(withDeadline(never, 5, () => new Error("request_timeout_ms passed"))).rejects.toThrow(
      "request_timeout_ms passed",
    );
  });
});
