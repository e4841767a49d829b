/**
 * The checkpoint rule, kept as pure bookkeeping (no IO, no timers). Airbyte resumes a failed sync
 * from the last STATE a destination echoed, so a STATE may be released only once every record read
 * before it is acknowledged; STATEs are released in input order, each with
 * `destinationStats.recordCount` counted the way the source counts `sourceStats.recordCount`:
 * records since the previous state (of that stream, for STREAM states).
 */
import type { StateLine } from "../protocol/parse.ts";
import { streamKey } from "../protocol/parse.ts";

export interface Ledger {
  /** Registers a record of `stream` read from the input; returns its sequence number. */
  record(stream: string): number;
  /** Registers a STATE read from the input after every record registered so far. */
  state(state: StateLine): void;
  /** Marks records `first` to `last` (inclusive) as acknowledged. */
  acked(first: number, last: number): void;
  /** Takes the STATEs whose records are all acknowledged, in input order, as output lines. */
  releasable(): string[];
  /** How many records are registered and not yet acknowledged. */
  readonly unacked: number;
  /** How many STATEs are waiting for their records. */
  readonly pendingStates: number;
}

export function createLedger(): Ledger {
  let next = 0;
  let watermark = 0; // every record with a sequence number below it is acknowledged
  const ackedRanges = new Map<number, number>(); // first → one past last, for ranges above the watermark
  const waiting: { after: number; line: string }[] = [];
  let head = 0;
  let sinceState = 0;
  const sinceStreamState = new Map<string, number>();

  return {
    record(stream) {
      sinceState++;
      sinceStreamState.set(stream, (sinceStreamState.get(stream) ?? 0) + 1);
      return next++;
    },
    state(state) {
      let count: number;
      if (state.stateType === "STREAM" && state.stream) {
        const key = streamKey(state.stream);
        count = sinceStreamState.get(key) ?? 0;
        sinceStreamState.delete(key);
      } else {
        count = sinceState;
        sinceStreamState.clear();
      }
      sinceState = 0;
      waiting.push({ after: next, line: stateLine(state, count) });
    },
    acked(first, last) {
      ackedRanges.set(first, last + 1);
      for (let end = ackedRanges.get(watermark); end !== undefined; end = ackedRanges.get(watermark)) {
        ackedRanges.delete(watermark);
        watermark = end;
      }
    },
    releasable() {
      const out: string[] = [];
      while (head < waiting.length) {
        const entry = waiting[head];
        if (!entry || entry.after > watermark) break;
        out.push(entry.line);
        head++;
      }
      if (head > 1024 && head * 2 > waiting.length) {
        waiting.splice(0, head);
        head = 0;
      }
      return out;
    },
    get unacked() {
      return next - watermark;
    },
    get pendingStates() {
      return waiting.length - head;
    },
  };
}

// --- internal ---

function stateLine(state: StateLine, count: number): string {
  const members = [...state.memberTexts, `"destinationStats":{"recordCount":${count}}`];
  return `{"type":"STATE","state":{${members.join(",")}}}`;
}
