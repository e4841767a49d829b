/**
 * One coordinator request asked until it is answered without a retriable error code, with Java's
 * backoff (or the caller's `delayMs`), until `giveUpAt`: a coordinator still loading, a
 * transaction still ending (CONCURRENT_TRANSACTIONS), a coordinator that moved (`onMoved`
 * forgets it).
 */
import { NetworkError, ProtocolError, TimeoutError } from "@platformatic/kafka";
import { retryDelayMs } from "../client-options.ts";
import type { Clock } from "./clock.ts";
import type { Answer } from "./transaction-apis.ts";

/** The coordinator moved or is not there yet: ask where it is again. */
const MOVED = new Set(["NOT_COORDINATOR", "COORDINATOR_NOT_AVAILABLE"]);

export async function askUntil<T extends Answer>(
  clock: Clock,
  giveUpAt: number,
  call: () => Promise<T>,
  onMoved: () => void = () => undefined,
  delayMs: (attempt: number, failure: Error) => number = retryDelayMs,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let failure: Error;
    try {
      const answer = await call();
      if (answer.errorCode === 0) return answer;
      const refusal = new ProtocolError(answer.errorCode, answer.errorMessage);
      if (!refusal.canRetry) throw refusal;
      if (MOVED.has(refusal.apiId as string)) onMoved();
      failure = refusal;
    } catch (error) {
      const retriable =
        error instanceof TimeoutError || (error instanceof Error && NetworkError.isRetryable(error));
      if (!retriable) throw error;
      failure = error as Error;
      onMoved();
    }
    const delay = delayMs(attempt, failure);
    if (clock.now() + delay > giveUpAt) throw failure;
    await clock.sleep(delay);
  }
}
