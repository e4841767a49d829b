import { describe, expect, it } from "bun:test";
import { NetworkError } from "@platformatic/kafka";
import { askUntil } from "../../../src/kafka/wire/ask.ts";
import { fakeClock } from "../../helpers/fake-wire.ts";

const ok = { errorCode: 0, errorMessage: null };
const answers = (...codes: (number | Error)[]) => {
  let i = 0;
  return async () => {
    const next = codes[i++] ?? 0;
    if (next instanceof Error) throw next;
    return { errorCode: next, errorMessage: null };
  };
};

describe("asking a coordinator until it answers", () => {
  it("retries retriable codes and lost connections with Java's backoff, telling when the coordinator moved", async () => {
    const clock = fakeClock();
    let moved = 0;
    const answer = await askUntil(
      clock,
      clock.now() + 10_000,
      answers(51, 16, new NetworkError("gone"), 0),
      () => moved++,
    );
    expect(answer).toEqual(ok);
    expect(clock.slept).toEqual([100, 200, 400]);
    // NOT_COORDINATOR and the lost connection; CONCURRENT_TRANSACTIONS is not a move.
    expect(moved).toBe(2);
  });

  it("fails at once on a code that is not retriable", async () => {
    const clock = fakeClock();
    await expect(askUntil(clock, clock.now() + 10_000, answers(53))).rejects.toMatchObject({
      apiId: "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
    });
    expect(clock.slept).toEqual([]);
  });

  it("gives up with the last cause once the next wait would pass the deadline", async () => {
    const clock = fakeClock();
    await expect(askUntil(clock, clock.now() + 1_000, answers(14, 14, 14, 14, 14, 14))).rejects.toMatchObject(
      {
        apiId: "COORDINATOR_LOAD_IN_PROGRESS",
      },
    );
    expect(clock.slept).toEqual([100, 200, 400]);
  });
});
