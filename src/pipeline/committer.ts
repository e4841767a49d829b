/**
 * The checkpoint rule under Kafka transactions: a record counts as delivered only once the
 * transaction holding it has committed, so `onCommitted` (→ the ledger) hears of records only
 * after a commit. The caller commits at each STATE and at the end of input; the committer itself
 * commits once the open transaction reaches `maxOpenMs`, even between STATEs, so a source that
 * pauses for minutes never lets the coordinator abort it (transaction_timeout_ms). Pure
 * bookkeeping around an injected `commit`, with injected timers.
 *
 * What a commit covers: the edge runs sends and commits in call order, and records come back
 * acknowledged in input order. So when a commit resolves, the records acknowledged so far are
 * exactly those sent before it — sends after it wait for it, and their acknowledgement needs a
 * broker round trip, which cannot come before the commit's own continuation runs.
 */
import type { Timers } from "./dispatcher.ts";

export interface CommitterOptions {
  /** Commits the open transaction after every send handed to the edge before this call. */
  commit: () => Promise<void>;
  /** The age at which an open transaction is committed without waiting for a STATE. */
  maxOpenMs: number;
  /** False once the sync is failing or stopping: from then on nothing is committed. */
  mayCommit: () => boolean;
  /** Records `first` to `last` (inclusive) are committed. */
  onCommitted: (first: number, last: number) => void;
  timers: Timers;
}

export interface Committer {
  /** A send is about to be handed to the edge; the first one after a commit opens a transaction. */
  sending(): void;
  /** Every record up to `last` was acknowledged inside a transaction (reported in input order). */
  written(last: number): void;
  /** Commits what was sent so far, if anything; never rejects (a failure is kept in `failure`). */
  commit(): Promise<void>;
  /** The first commit failure: the transaction is not committed, and no later one is. */
  readonly failure: unknown;
  /** Stops the clock. */
  stop(): void;
}

export function createCommitter(options: CommitterOptions): Committer {
  let written = 0; // every record below it was acknowledged in a transaction
  let committed = 0; // every record below it is committed
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
    written(last) {
      written = last + 1;
    },
    async commit() {
      stopClock();
      if (!open || failure !== undefined || !options.mayCommit()) return;
      open = false;
      try {
        await options.commit();
      } catch (error) {
        failure ??= error;
        return;
      }
      if (written > committed) {
        const first = committed;
        committed = written;
        options.onCommitted(first, written - 1);
      }
    },
    get failure() {
      return failure;
    },
    stop: stopClock,
  };
  return committer;
}
