/**
 * The checkpoint rule, for every mode, in one place: pure bookkeeping, no IO, no timers. Airbyte
 * resumes a failed sync from the last STATE a destination echoed, so a STATE is released only once
 * every record read before it is durable; STATEs are released in input order, each with
 * `destinationStats.recordCount` counted the way the source counts `sourceStats.recordCount`:
 * records since the previous state (of that stream, for STREAM states), the rejected ones
 * (skipped, dead-lettered) included and counted again in `rejectedRecordCount`.
 *
 * Durable is only what the edge reported, by sequence number (edge.ts turns sends and commits
 * into these reports):
 * - `delivered(first, last)`: a send resolved, so records `first`..`last` are acknowledged per
 *   `acks` (with acks 0: written to the socket). Sends complete in any order.
 * - `committed(through)`: with transactions, a commit resolved that covers every record up to
 *   `through`.
 *
 * Without transactions (plain acks, `sync_producer`) a record is durable once delivered. With
 * transactions it is durable once delivered and committed, both reported, whichever came first:
 * an acknowledged record of a transaction that never commits earns nothing. After `close()`
 * nothing more is released, whatever is reported later.
 *
 * A STATE that `holds` picks (one of a stream that overwrites its topic) is not released when its
 * records are durable but kept until `releaseHeld()`, once the older records are deleted: Airbyte
 * would otherwise resume a failed sync from it, and the retry would delete what this attempt
 * wrote before it. Later STATEs of other streams do not wait for it.
 */
import type { StateLine } from "../protocol/parse.ts";
import { streamKey } from "../protocol/parse.ts";
import { createDurability } from "./durable.ts";

export interface SequenceRange {
  first: number;
  /** Inclusive. */
  last: number;
}

export interface CheckpointOptions {
  /** With `transactional_id`: records are durable only once a commit covers them. */
  transactional: boolean;
  /** STATEs to keep back, once earned, until `releaseHeld()`. */
  holds?: (state: StateLine) => boolean;
}

export interface Checkpoints {
  /**
   * Registers a record of `stream` read from the input; returns its sequence number. `partition`
   * is its `partition_id` (socket mode, partitions.ts; the one-input rule has none).
   */
  record(stream: string, partition?: string): number;
  /**
   * Registers a record of `stream` that is not written (skipped or dead-lettered): counted as the
   * source counts it, and in `rejectedRecordCount`.
   */
  rejected(stream: string, partition?: string): void;
  /**
   * The sequence number of a message that is no record of the input (a dead letter), counted
   * nowhere; the STATE of `partition` waits for it.
   */
  message(partition?: string): number;
  /** Registers a STATE read from the input after every record registered so far. */
  state(state: StateLine): void;
  /** Records `range` were acknowledged (a send resolved with this range). */
  delivered(range: SequenceRange): void;
  /** A commit resolved that covers every record up to `through` (-1: none). */
  committed(through: number): void;
  /** From now on nothing is released. */
  close(): void;
  /** Takes the STATEs whose records are all durable, in input order, as output lines. */
  releasable(): string[];
  /** Takes the held STATEs whose records are all durable, in input order (see `holds`). */
  releaseHeld(): string[];
  /** How many STATEs were released. */
  readonly released: number;
  /** How many STATEs are waiting for their records. */
  readonly pendingStates: number;
}

export function createCheckpoints(options: CheckpointOptions): Checkpoints {
  let next = 0;
  const durability = createDurability(options.transactional);
  let closed = false;
  const waiting: { after: number; line: string; held: boolean }[] = [];
  let head = 0; // waiting[head] is the next STATE to release
  let passed = 0; // STATEs past `head`, released or held
  const held: string[] = []; // earned, waiting for releaseHeld()
  let sinceState = 0;
  const sinceStreamState = new Map<string, number>();
  let rejectedSinceState = 0;
  const rejectedSinceStreamState = new Map<string, number>();

  return {
    record(stream) {
      sinceState++;
      sinceStreamState.set(stream, (sinceStreamState.get(stream) ?? 0) + 1);
      return next++;
    },
    rejected(stream) {
      sinceState++;
      sinceStreamState.set(stream, (sinceStreamState.get(stream) ?? 0) + 1);
      rejectedSinceState++;
      rejectedSinceStreamState.set(stream, (rejectedSinceStreamState.get(stream) ?? 0) + 1);
    },
    message: () => next++,
    state(state) {
      let count: number;
      let rejected: number;
      if (state.stateType === "STREAM" && state.stream) {
        const key = streamKey(state.stream);
        count = sinceStreamState.get(key) ?? 0;
        rejected = rejectedSinceStreamState.get(key) ?? 0;
        sinceStreamState.delete(key);
        rejectedSinceStreamState.delete(key);
      } else {
        count = sinceState;
        rejected = rejectedSinceState;
        sinceStreamState.clear();
        rejectedSinceStreamState.clear();
      }
      sinceState = 0;
      rejectedSinceState = 0;
      const line = stateLine(state, count, rejected);
      waiting.push({ after: next, line, held: options.holds?.(state) ?? false });
    },
    delivered: durability.delivered,
    committed: durability.committed,
    close() {
      closed = true;
    },
    releasable() {
      if (closed) return [];
      const durable = durability.below;
      const out: string[] = [];
      while (head < waiting.length) {
        const entry = waiting[head];
        if (!entry || entry.after > durable) break;
        (entry.held ? held : out).push(entry.line);
        head++;
        passed++;
      }
      if (head > 1024 && head * 2 > waiting.length) {
        waiting.splice(0, head);
        head = 0;
      }
      return out;
    },
    releaseHeld() {
      return closed ? [] : held.splice(0);
    },
    get released() {
      return passed - held.length;
    },
    get pendingStates() {
      return waiting.length - head + held.length;
    },
  };
}

/** The STATE as echoed: its members and destinationStats; rejectedRecordCount (protocol 0.18) only when records were rejected. */
export function stateLine(state: StateLine, count: number, rejected: number): string {
  const stats =
    rejected > 0 ? `"recordCount":${count},"rejectedRecordCount":${rejected}` : `"recordCount":${count}`;
  const members = [...state.memberTexts, `"destinationStats":{${stats}}`];
  return `{"type":"STATE","state":{${members.join(",")}}}`;
}
