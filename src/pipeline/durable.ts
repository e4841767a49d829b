/**
 * Which records are durable, from what the edge reported (edge.ts): sends resolve with the range of
 * sequence numbers they delivered, in any order; with transactions, commits resolve with the highest
 * sequence number they cover. `below` is the first sequence number not known durable: every record
 * before it is delivered and, with transactions, committed. Pure bookkeeping, shared by both
 * checkpoint rules (checkpoint.ts for one input, partitions.ts for sockets).
 */
import type { SequenceRange } from "./checkpoint.ts";

export interface Durability {
  delivered(range: SequenceRange): void;
  committed(through: number): void;
  /** Every record with a sequence number below this is durable. */
  readonly below: number;
}

export function createDurability(transactional: boolean): Durability {
  let delivered = 0; // every record with a sequence number below it is delivered
  const deliveredAbove = new Map<number, number>(); // first → one past last, for ranges above `delivered`
  let committed = transactional ? 0 : Number.POSITIVE_INFINITY; // every record below it is committed
  return {
    delivered({ first, last }) {
      deliveredAbove.set(first, last + 1);
      for (let end = deliveredAbove.get(delivered); end !== undefined; end = deliveredAbove.get(delivered)) {
        deliveredAbove.delete(delivered);
        delivered = end;
      }
    },
    committed(through) {
      committed = Math.max(committed, through + 1);
    },
    get below() {
      return Math.min(delivered, committed);
    },
  };
}
