/**
 * The Kafka edge as the checkpoint rule needs it: each send resolves with the sequence range it
 * delivered, each commit with the highest sequence number it covers. The edge itself promises
 * less in its own terms (contract/send.ts): a send resolves once its records are acknowledged, and
 * a commit covers exactly the sends called before it. Two facts make the numbers exact without
 * any argument from timing:
 * - the dispatcher hands batches over in input order, each a consecutive run of sequence numbers,
 *   so when the batch ending at `n` has been handed over, so has every record before `n`;
 * - a commit covers what was handed over before the call, so the highest sequence number handed
 *   over at that moment is what it covers, whenever its acknowledgements arrive.
 */

import type { EncodedRecord, Sender } from "../contract/send.ts";
import type { SequenceRange } from "./checkpoint.ts";

/** What the core uses of the edge's Sender; a `commit` means transactions. */
export type Edge = Pick<Sender, "send"> & Partial<Pick<Sender, "commit" | "truncator">>;

export interface SequencedEdge {
  /** Sends `records`, numbered from `first`; resolves with their range once they are acknowledged. */
  send(records: EncodedRecord[], first: number): Promise<SequenceRange>;
  /** With transactions: resolves with the highest sequence number the commit covers (-1: none). */
  commit: (() => Promise<number>) | undefined;
}

export function sequencedEdge(edge: Edge): SequencedEdge {
  let handedOver = -1; // the highest sequence number handed to the edge so far
  const commit = edge.commit;
  return {
    send(records, first) {
      const range = { first, last: first + records.length - 1 };
      handedOver = Math.max(handedOver, range.last);
      return edge.send(records).then(() => range);
    },
    commit: commit
      ? () => {
          const covers = handedOver;
          return commit().then(() => covers);
        }
      : undefined,
  };
}
