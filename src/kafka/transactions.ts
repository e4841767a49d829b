/**
 * Kafka transactions at the edge: records go out inside the open transaction (one is begun with the
 * first send after a commit), and `commit` ends it after every send handed over before it. Sends and
 * commits take effect strictly one after another, in call order — a send whose topics are still
 * being looked up holds its place — so a commit covers exactly the sends called before it. The
 * client's transactional path also needs this: it registers new partitions with the coordinator per
 * send, deduplicating concurrent registrations by name only.
 *
 * Once a send or a commit fails the transaction is never committed: every later call fails with
 * the same error, and `abort` (on close) discards what was written, so read_committed consumers
 * never see a partial batch.
 */
import type { Buffer } from "node:buffer";
import type { MessageToProduce } from "@platformatic/kafka";
import type { EncodedRecord } from "../contract/send.ts";

export interface Transactions {
  /** Sends `records` in the open transaction once `ready` resolves, in the place of this call. */
  deliver(records: EncodedRecord[], ready: Promise<unknown>): Promise<void>;
  /** Commits the open transaction (if any) after every send called before. */
  commit(): Promise<void>;
  /** Aborts the open transaction (if any); never throws. */
  abort(): Promise<void>;
}

/** What this needs of the client's producer (its Producer and Transaction fit). */
export interface TransactionalProducer {
  beginTransaction(): Promise<{
    send(options: { messages: MessageToProduce<Buffer, Buffer, Buffer, Buffer>[] }): Promise<unknown>;
    commit(): Promise<unknown>;
    abort(): Promise<unknown>;
  }>;
}

export function transactions(
  producer: TransactionalProducer,
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
    deliver: (records, ready) => {
      ready.catch(() => undefined); // awaited in its turn; no unhandled rejection before that
      return next(() =>
        guarded(async () => {
          await ready;
          open ??= await producer.beginTransaction();
          await open.send({ messages: toMessages(records) });
        }),
      );
    },
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
