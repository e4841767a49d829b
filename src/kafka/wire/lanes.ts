/**
 * Per-partition order: a send holds the lanes of the partitions it writes, and a later send that
 * shares one waits until the earlier one has settled — its retries and splits included. So a
 * partition has one batch in flight at a time and a retried or split batch can never be overtaken
 * by a later batch of the same partition. Sends of other partitions go on meanwhile.
 *
 * A send whose predecessor on a lane failed is not sent: it fails with that failure, so nothing of
 * a partition lands after a gap in it.
 */

export interface Lanes {
  /**
   * Takes the lanes `keys` now, in call order; `ready` resolves once every earlier holder of one of
   * them has released it (rejects with the first failure among them). Call `release` when done.
   */
  hold(keys: Iterable<string>): { ready: Promise<void>; release: (failure?: unknown) => void };
}

export function createLanes(): Lanes {
  const tails = new Map<string, Promise<unknown>>();
  return {
    hold(keys) {
      let release!: (failure?: unknown) => void;
      const settled = new Promise<unknown>((resolve) => {
        release = resolve;
      });
      const before: Promise<unknown>[] = [];
      const held = [...new Set(keys)];
      for (const key of held) {
        const tail = tails.get(key);
        if (tail) before.push(tail);
        tails.set(key, settled);
      }
      settled.then(() => {
        for (const key of held) if (tails.get(key) === settled) tails.delete(key);
      });
      const ready = Promise.all(before).then((failures) => {
        const failure = failures.find((f) => f !== undefined);
        if (failure !== undefined) throw failure;
      });
      // A failed predecessor fails this holder too, so later holders see the failure as well.
      return {
        ready,
        release: (failure) => release(failure),
      };
    },
  };
}
