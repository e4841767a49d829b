/**
 * Idempotent sequence numbers (KIP-98): each partition's batches carry consecutive numbers from 0,
 * wrapping after 2^31 - 1 as the broker expects. Reserved when a send takes its place, so the
 * numbers follow the order in which a partition's batches are sent.
 */

const WRAP = 2 ** 31;

export interface Sequences {
  /** The first of `count` numbers for partition `key`. */
  reserve(key: string, count: number): number;
}

export function createSequences(): Sequences {
  const next = new Map<string, number>();
  return {
    reserve(key, count) {
      const first = next.get(key) ?? 0;
      next.set(key, (first + count) % WRAP);
      return first;
    },
  };
}

/** The sequence number `offset` records after `base`. */
export function sequenceAfter(base: number, offset: number): number {
  return (base + offset) % WRAP;
}
