/**
 * The checkpoint rule over sockets, where "every record before it" has no meaning: records and
 * STATEs of one sync arrive on several sockets at once. The source ties them together instead
 * (the Bulk CDK's SelfDescribingStateKeyClient, StateStore and StateHistogramStore): every record
 * carries a `partition_id`; every STATE carries the `partition_id` it closes, its `sourceStats.
 * recordCount` (how many records the source sent in that partition) and an `id` that orders it —
 * one sequence 1, 2, 3… per stream for STREAM states, one for the whole sync otherwise. A STATE is
 * released once its partition's records, from whichever socket, have all been read (as many as
 * the source counted) and are durable, and every STATE before it in its sequence has been released.
 * A STATE without a count waits for the end of the input. Pure bookkeeping, no IO, no timers.
 *
 * Durable is what the edge reported by sequence number (durable.ts): records are numbered in the
 * order `write` hands them over, whichever socket they came from, and a partition is durable once
 * every number up to its last record is. `destinationStats.recordCount` is the partition's record
 * count, the rejected ones (skipped, dead-lettered) included, as the source counts it.
 */
import { ConnectorError } from "../errors.ts";
import type { StateLine } from "../protocol/parse.ts";
import { streamKey, streamLabel } from "../protocol/parse.ts";
import { type CheckpointOptions, type Checkpoints, stateLine } from "./checkpoint.ts";
import { createDurability } from "./durable.ts";

export interface PartitionCheckpoints extends Checkpoints {
  /** The input has ended: STATEs without a count may go once their records are durable. */
  inputEnded(): void;
  /** Why the STATEs still waiting can never be released (call after the last delivery), or undefined. */
  stranded(): ConnectorError | undefined;
}

export function createPartitionCheckpoints(options: CheckpointOptions): PartitionCheckpoints {
  let next = 0;
  const durability = createDurability(options.transactional);
  const partitions = new Map<string, Partition>();
  const sequences = new Map<string, Sequence>();
  let closed = false;
  let ended = false;
  let released = 0;
  let waiting = 0;
  const held: string[] = [];

  const partitionOf = (id: string | undefined): Partition => {
    if (id === undefined) {
      throw new ConnectorError(
        "A record arrived without a partition_id, which socket mode needs to know the STATE that covers it.",
        "system_error",
      );
    }
    let partition = partitions.get(id);
    if (!partition) {
      partition = { records: 0, rejected: 0, last: -1 };
      partitions.set(id, partition);
    }
    return partition;
  };
  const complete = (entry: Waiting): boolean => {
    const partition = partitions.get(entry.partition.id) ?? EMPTY;
    const expected = entry.partition.sourceRecordCount;
    const read = expected === undefined ? ended : partition.records === expected;
    return read && partition.last < durability.below;
  };

  return {
    record(_stream, partition) {
      const entry = partitionOf(partition);
      entry.records++;
      entry.last = next;
      return next++;
    },
    rejected(_stream, partition) {
      const entry = partitionOf(partition);
      entry.records++;
      entry.rejected++;
    },
    message(partition) {
      if (partition !== undefined) partitionOf(partition).last = next;
      return next++;
    },
    state(state) {
      const partition = state.partition;
      if (!partition) {
        throw new ConnectorError(
          "A STATE arrived without partition_id and id, which socket mode needs to release it after its records.",
          "system_error",
        );
      }
      const key = sequenceKey(state);
      let sequence = sequences.get(key);
      if (!sequence) {
        sequence = { next: 1, waiting: new Map(), label: sequenceLabel(state) };
        sequences.set(key, sequence);
      }
      if (partition.index < sequence.next || sequence.waiting.has(partition.index)) {
        throw new ConnectorError(
          `Two STATEs of ${sequence.label} have id ${partition.index}; each id must come once.`,
          "system_error",
        );
      }
      sequence.waiting.set(partition.index, { state, partition, held: options.holds?.(state) ?? false });
      waiting++;
    },
    delivered: durability.delivered,
    committed: durability.committed,
    close() {
      closed = true;
    },
    inputEnded() {
      ended = true;
    },
    releasable() {
      if (closed) return [];
      const out: string[] = [];
      for (const sequence of sequences.values()) {
        for (let entry = sequence.waiting.get(sequence.next); entry && complete(entry); ) {
          const partition = partitions.get(entry.partition.id) ?? EMPTY;
          partitions.delete(entry.partition.id);
          (entry.held ? held : out).push(stateLine(entry.state, partition.records, partition.rejected));
          sequence.waiting.delete(sequence.next);
          waiting--;
          released++;
          entry = sequence.waiting.get(++sequence.next);
        }
      }
      return out;
    },
    releaseHeld() {
      return closed ? [] : held.splice(0);
    },
    stranded() {
      for (const sequence of sequences.values()) {
        if (sequence.waiting.size === 0) continue;
        const entry = sequence.waiting.get(sequence.next);
        if (!entry) {
          const first = Math.min(...sequence.waiting.keys());
          return new ConnectorError(
            `The input ended before STATE id ${sequence.next} of ${sequence.label}, so STATE id ${first} and those after it are not echoed.`,
            "system_error",
          );
        }
        const records = partitions.get(entry.partition.id)?.records ?? 0;
        const expected = entry.partition.sourceRecordCount;
        if (expected !== undefined && records !== expected) {
          return new ConnectorError(
            `STATE id ${entry.partition.index} of ${sequence.label} closes partition ${JSON.stringify(entry.partition.id)}, which had ${records} records where the source counted ${expected}; it and the STATEs after it are not echoed.`,
            "system_error",
          );
        }
      }
      return undefined;
    },
    get released() {
      return released - held.length;
    },
    get pendingStates() {
      return waiting + held.length;
    },
  };
}

// --- internal ---

interface Partition {
  /** Records read (rejected included), and of those rejected. */
  records: number;
  rejected: number;
  /** The sequence number of its last record or dead letter; -1 for none. */
  last: number;
}

const EMPTY: Partition = { records: 0, rejected: 0, last: -1 };

interface Waiting {
  state: StateLine;
  partition: NonNullable<StateLine["partition"]>;
  held: boolean;
}

/** The STATEs released in one `id` order, and the next id to release. */
interface Sequence {
  next: number;
  waiting: Map<number, Waiting>;
  label: string;
}

/** STREAM states are ordered per stream, the others across the sync (the CDK's StateStore). */
function sequenceKey(state: StateLine): string {
  return state.stateType === "STREAM" && state.stream ? streamKey(state.stream) : "";
}

function sequenceLabel(state: StateLine): string {
  return state.stateType === "STREAM" && state.stream ? `stream ${streamLabel(state.stream)}` : "the sync";
}
