/**
 * When to commit under Kafka transactions. The caller commits at each STATE and at the end of input;
 * the committer itself commits once the open transaction reaches `maxOpenMs`, even between STATEs,
 * so a source that pauses for minutes never lets the coordinator abort it (transaction_timeout_ms).
 * What a commit covers is not decided here: `commit` resolves with it (edge.ts), and `onCommitted`
 * hands it to the checkpoint rule (checkpoint.ts). Injected `commit` and timers, no IO of its own.
 */
import type { Timers } from "./timers.ts";

export interface CommitterOptions {
  /** Commits the open transaction; resolves with the highest sequence number it covers. */
  commit: () => Promise<number>;
  /** The age at which an open transaction is committed without waiting for a STATE. */
  maxOpenMs: number;
  /** False once the sync is failing or stopping: from then on nothing is committed. */
  mayCommit: () => boolean;
  /** A commit resolved, covering every record up to `through`. */
  onCommitted: (through: number) => void;
  timers: Timers;
}

export interface Committer {
  /** A send is about to be handed to the edge; the first one after a commit opens a transaction. */
  sending(): void;
  /** Commits what was sent so far, if anything; never rejects (a failure is kept in `failure`). */
  commit(): Promise<void>;
  /** The first commit failure: the transaction is not committed, and no later one is. */
  readonly failure: unknown;
  /** Stops the clock. */
  stop(): void;
}

export function createCommitter(options: CommitterOptions): Committer {
  let open = false; // something was sent since the last commit
  let clock: unknown; // the open transaction's age limit
  let failure: unknown;

  const stopClock = () => {
    if (clock !== undefined) options.timers.clear(clock);
    clock = undefined;
  };

  const committer: Committer = {
    sending() {
      if (open || failure !== undefined) return;
      open = true;
      clock = options.timers.set(() => {
        clock = undefined;
        void committer.commit();
      }, options.maxOpenMs);
    },
    async commit() {
      stopClock();
      if (!open || failure !== undefined || !options.mayCommit()) return;
      open = false;
      let through: number;
      try {
        through = await options.commit();
      } catch (error) {
        failure ??= error;
        return;
      }
      options.onCommitted(through);
    },
    get failure() {
      return failure;
    },
    stop: stopClock,
  };
  return committer;
}
