import { describe, expect, it } from "bun:test";
import { createLanes } from "../../../src/kafka/wire/lanes.ts";
import { settle } from "../../helpers/fakes.ts";

describe("partition lanes", () => {
  it("a holder waits for every earlier holder of a lane it shares, and only for those", async () => {
    const lanes = createLanes();
    const first = lanes.hold(["a", "b"]);
    const second = lanes.hold(["b"]);
    const third = lanes.hold(["c"]);
    const order: string[] = [];
    second.ready.then(() => order.push("second"));
    third.ready.then(() => order.push("third"));
    await first.ready;
    await settle();
    expect(order).toEqual(["third"]);
    first.release();
    await settle();
    expect(order).toEqual(["third", "second"]);
  });

  it("a failure is passed down the lane: later holders do not run", async () => {
    const lanes = createLanes();
    const first = lanes.hold(["a"]);
    const second = lanes.hold(["a"]);
    const third = lanes.hold(["a"]);
    const failure = new Error("refused");
    first.release(failure);
    await expect(second.ready).rejects.toBe(failure);
    second.release(failure);
    await expect(third.ready).rejects.toBe(failure);
  });

  it("a released lane is free again", async () => {
    const lanes = createLanes();
    lanes.hold(["a"]).release();
    await settle();
    await lanes.hold(["a"]).ready;
  });
});
