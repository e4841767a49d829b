/**
 * What became of each partition batch of one Produce request — delivered, to retry, to split, or
 * failed for good — from the broker's answer or the transport's error. Pure. A partition the answer
 * does not name was not acknowledged: it is retried, never counted as delivered.
 */
import { NetworkError, ProtocolError, TimeoutError } from "@platformatic/kafka";
import type { PartitionResult } from "./produce.ts";

export type Fate =
  | { kind: "delivered" }
  | { kind: "retry"; error: unknown }
  | { kind: "split" }
  | { kind: "fatal"; error: unknown };

/** The batch facts the sorting needs. */
export interface SentBatch {
  topic: string;
  partition: number;
  records: number;
}

/** Broker error codes of a batch too large for its topic, not of any one record. */
const TOO_LARGE = new Set([10, 18]); // MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE
/** The broker already holds this batch (an idempotent retry of one that landed). */
const DUPLICATE_SEQUENCE_NUMBER = 46;

/** The fate of each of `batches`, in their order, from one request's `answer`. */
export function fatesOf(
  batches: readonly SentBatch[],
  answer: { results: PartitionResult[] } | { error: unknown },
): Fate[] {
  if ("error" in answer) {
    const fate: Fate = isRetriable(answer.error)
      ? { kind: "retry", error: answer.error }
      : { kind: "fatal", error: answer.error };
    return batches.map(() => fate);
  }
  const byPartition = new Map<string, PartitionResult>();
  for (const result of answer.results) byPartition.set(partitionKey(result.topic, result.partition), result);
  return batches.map((batch) => {
    const result = byPartition.get(partitionKey(batch.topic, batch.partition));
    if (!result) return { kind: "retry", error: new MissingPartitionError(batch.topic, batch.partition) };
    return fateOfCode(result, batch.records);
  });
}

/** A broker answered a Produce request without the partition it was sent. */
export class MissingPartitionError extends Error {
  constructor(topic: string, partition: number) {
    super(
      `the broker's answer did not name partition ${partition} of topic ${topic}, so it was not acknowledged`,
    );
    this.name = "MissingPartitionError";
  }
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

/**
 * Whether a request that failed this way may be sent again: a lost connection, a broker error
 * Kafka calls retriable, and a request that timed out (Java's producer retries those too, until
 * delivery_timeout_ms).
 */
export function isRetriable(error: unknown): boolean {
  if (error instanceof ProtocolError) return Boolean(error.canRetry);
  if (error instanceof TimeoutError) return true;
  return error instanceof Error && NetworkError.isRetryable(error);
}

// --- internal ---

function fateOfCode(result: PartitionResult, records: number): Fate {
  const { errorCode } = result;
  if (errorCode === 0 || errorCode === DUPLICATE_SEQUENCE_NUMBER) return { kind: "delivered" };
  const error = new ProtocolError(errorCode, result.errorMessage);
  if (TOO_LARGE.has(errorCode)) return records > 1 ? { kind: "split" } : { kind: "fatal", error };
  return error.canRetry ? { kind: "retry", error } : { kind: "fatal", error };
}
