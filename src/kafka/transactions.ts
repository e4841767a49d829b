/**
 * Kafka transactions at the edge: records go out inside the open transaction (one is begun with the
 * first send after a commit), and `commit` ends it after every send handed over before it. Sends and
 * commits run strictly one after another, in call order: the client's transactional path registers
 * new partitions with the coordinator per send and must not interleave that with a commit.
 *
 * Once a send or a commit fails the transaction is never committed: every later call fails with
 * the same error, and `abort` (on close) discards what was written, so read_committed consumers
 * never see a partial batch.
 */
import type { Buffer } from "node:buffer";
import type { MessageToProduce, Producer } from "@platformatic/kafka";
import type { EncodedRecord } from "../pipeline/record.ts";
import type { Deliver } from "./direct-send.ts";

export interface Transactions {
  deliver: Deliver;
  /** Commits the open transaction (if any) once every earlier send is acknowledged. */
  commit(): Promise<void>;
  /** Aborts the open transaction (if any); never throws. */
  abort(): Promise<void>;
}

export function transactions(
  producer: Producer<Buffer, Buffer, Buffer, Buffer>,
  toMessages: (records: EncodedRecord[]) => MessageToProduce<Buffer, Buffer, Buffer, Buffer>[],
): Transactions {
  let queue: Promise<unknown> = Promise.resolve();
  let open: Awaited<ReturnType<typeof producer.beginTransaction>> | undefined;
  let failure: unknown;

  /** Runs `step` after every step queued before it, whatever their outcome. */
  const next = <T>(step: () => Promise<T>): Promise<T> => {
    const run = queue.then(step);
    queue = run.catch(() => undefined);
    return run;
  };

  /** Runs `step`; its failure poisons the transaction for good. */
  const guarded = async (step: () => Promise<void>) => {
    if (failure !== undefined) throw failure;
    try {
      await step();
    } catch (error) {
      failure = error;
      throw error;
    }
  };

  return {
    deliver: (records) =>
      next(() =>
        guarded(async () => {
          open ??= await producer.beginTransaction();
          await open.send({ messages: toMessages(records) });
        }),
      ),
    commit: () =>
      next(() =>
        guarded(async () => {
          if (!open) return;
          await open.commit();
          open = undefined;
        }),
      ),
    abort: () =>
      next(async () => {
        const ending = open;
        open = undefined;
        await ending?.abort().catch(() => undefined);
      }),
  };
}
