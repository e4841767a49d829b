import { describe, expect, it } from "bun:test";
import { startProgress } from "../../src/pipeline/progress.ts";
import type { Route } from "../../src/pipeline/routes.ts";
import { capturedEmitter, handTimers } from "../helpers/fakes.ts";

const route = (label: string, topic: string, records: number, bytes: number): Route => ({
  key: label,
  label,
  topic,
  usesRegistry: false,
  records,
  bytes,
  pending: () => undefined,
  encode: () => "unused",
});

function setup(routes: Route[], intervalSeconds: number) {
  const output = capturedEmitter();
  const clock = handTimers();
  let now = 1_000_000;
  const progress = startProgress({
    routes: () => routes,
    heldBytes: () => 2_500_000,
    intervalSeconds,
    emit: output.emit,
    timers: clock.timers,
    now: () => now,
  });
  return { progress, output, clock, advance: (ms: number) => (now += ms) };
}

describe("progress", () => {
  it("logs the records, bytes, rate and bytes awaiting acknowledgement every interval", () => {
    const { output, clock, advance } = setup([route("public.users", "public_users", 300, 1_200_000)], 5);
    expect(clock.count).toBe(1);
    advance(10_000);
    clock.fire(5000);
    expect(output.messages()).toEqual([
      {
        type: "LOG",
        log: {
          level: "INFO",
          message:
            "Progress: 300 records, 1.2 MB written in 10 s (30 records/s); 2.5 MB awaiting acknowledgement.",
        },
      },
    ]);
    expect(clock.count).toBe(1); // the next one is set
  });

  it("with interval 0, logs nothing and sets no timer", () => {
    const { output, clock } = setup([route("s", "t", 1, 1)], 0);
    expect(clock.count).toBe(0);
    expect(output.lines).toEqual([]);
  });

  it("finish stops the LOGs and sums streams that share a topic into one line; streams without records are left out", () => {
    const { progress, clock, advance } = setup(
      [
        route("public.users", "everything", 2, 1_000_000),
        route("idle", "idle_topic", 0, 0),
        route("orders", "everything", 1, 500_000),
      ],
      5,
    );
    advance(2_345);
    expect(progress.finish()).toEqual({
      records: 3,
      topics: ["everything: 3 records, 1.5 MB in 2.3 s"],
      recordsByStream: [
        ["public.users", 2],
        ["orders", 1],
      ],
    });
    expect(clock.count).toBe(0);
  });
});
