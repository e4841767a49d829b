import { describe, expect, it } from "bun:test";
import { createPartitionCheckpoints } from "../../src/pipeline/partitions.ts";
import { parseLine, type StateLine } from "../../src/protocol/parse.ts";

const state = (members: Record<string, unknown>) =>
  parseLine(new TextEncoder().encode(JSON.stringify({ type: "STATE", state: members }))) as StateLine;
const global = (id: number, partition: string, count?: number) =>
  state({
    type: "GLOBAL",
    global: { shared_state: { id } },
    partition_id: partition,
    id,
    ...(count === undefined ? {} : { sourceStats: { recordCount: count } }),
  });
const streamState = (name: string, id: number, partition: string, count: number) =>
  state({
    type: "STREAM",
    stream: { stream_descriptor: { name }, stream_state: { id } },
    partition_id: partition,
    id,
    sourceStats: { recordCount: count },
  });
const ids = (lines: string[]) => lines.map((line) => JSON.parse(line).state.id);

describe("partition checkpoints", () => {
  it("release a STATE that arrived before its records once they came from another socket and are durable", () => {
    const c = createPartitionCheckpoints({ transactional: false });
    c.state(global(1, "a", 2));
    const first = c.record("s", "a");
    c.delivered({ first, last: first });
    expect(c.releasable()).toEqual([]); // one of two records
    const second = c.record("s", "a");
    expect(c.releasable()).toEqual([]); // read, not durable
    c.delivered({ first: second, last: second });
    const [line] = c.releasable();
    expect(JSON.parse(line as string)).toEqual({
      type: "STATE",
      state: {
        type: "GLOBAL",
        global: { shared_state: { id: 1 } },
        partition_id: "a",
        id: 1,
        sourceStats: { recordCount: 2 },
        destinationStats: { recordCount: 2 },
      },
    });
    expect([c.released, c.pendingStates]).toEqual([1, 0]);
  });

  it("keep id order: a complete STATE waits for the one before it", () => {
    const c = createPartitionCheckpoints({ transactional: false });
    c.state(global(2, "b", 1));
    const b = c.record("s", "b");
    c.delivered({ first: b, last: b });
    expect(c.releasable()).toEqual([]);
    c.state(global(1, "a", 0));
    expect(ids(c.releasable())).toEqual([1, 2]);
  });

  it("order STREAM states per stream: one stream's STATE does not wait for another's", () => {
    const c = createPartitionCheckpoints({ transactional: false });
    c.state(streamState("users", 2, "u2", 0));
    c.state(streamState("orders", 1, "o1", 0));
    expect(ids(c.releasable())).toEqual([1]);
    c.state(streamState("users", 1, "u1", 0));
    expect(ids(c.releasable())).toEqual([1, 2]);
  });

  it("count rejected records and dead letters in their partition", () => {
    const c = createPartitionCheckpoints({ transactional: false });
    c.rejected("s", "a");
    const letter = c.message("a");
    c.state(global(1, "a", 1));
    expect(c.releasable()).toEqual([]); // the dead letter is not durable
    c.delivered({ first: letter, last: letter });
    expect(JSON.parse(c.releasable()[0] as string).state.destinationStats).toEqual({
      recordCount: 1,
      rejectedRecordCount: 1,
    });
  });

  it("hold a STATE without a count until the input ended", () => {
    const c = createPartitionCheckpoints({ transactional: false });
    const seq = c.record("s", "a");
    c.state(global(1, "a"));
    c.delivered({ first: seq, last: seq });
    expect(c.releasable()).toEqual([]);
    c.inputEnded();
    expect(ids(c.releasable())).toEqual([1]);
  });

  it("with transactions, wait for the commit", () => {
    const c = createPartitionCheckpoints({ transactional: true });
    const seq = c.record("s", "a");
    c.state(global(1, "a", 1));
    c.delivered({ first: seq, last: seq });
    expect(c.releasable()).toEqual([]);
    c.committed(seq);
    expect(ids(c.releasable())).toEqual([1]);
  });

  it("keep back held STATEs until releaseHeld, and nothing after close", () => {
    const c = createPartitionCheckpoints({ transactional: false, holds: () => true });
    c.state(global(1, "a", 0));
    expect(c.releasable()).toEqual([]);
    expect(c.pendingStates).toBe(1);
    expect(ids(c.releaseHeld())).toEqual([1]);
    c.state(global(2, "b", 0));
    c.close();
    expect(c.releasable()).toEqual([]);
  });

  it("say why STATEs are stranded: a partition short of its count, or a missing id", () => {
    const short = createPartitionCheckpoints({ transactional: false });
    short.record("s", "a");
    short.state(global(1, "a", 3));
    expect(short.stranded()?.message).toBe(
      'STATE id 1 of the sync closes partition "a", which had 1 records where the source counted 3; it and the STATEs after it are not echoed.',
    );
    const gap = createPartitionCheckpoints({ transactional: false });
    gap.state(global(2, "b", 0));
    gap.state(global(3, "c", 0));
    expect(gap.stranded()?.message).toBe(
      "The input ended before STATE id 1 of the sync, so STATE id 2 and those after it are not echoed.",
    );
    const unknown = createPartitionCheckpoints({ transactional: false });
    unknown.state(streamState("users", 1, "nobody", 2));
    expect(unknown.stranded()?.message).toBe(
      'STATE id 1 of stream users closes partition "nobody", which had 0 records where the source counted 2; it and the STATEs after it are not echoed.',
    );
    expect(unknown.stranded()?.failureType).toBe("system_error");
  });

  it("refuse a record without a partition_id, a STATE without partition_id and id, an id given twice", () => {
    const c = createPartitionCheckpoints({ transactional: false });
    expect(() => c.record("s", undefined)).toThrow(
      "A record arrived without a partition_id, which socket mode needs to know the STATE that covers it.",
    );
    expect(() => c.state(state({ type: "GLOBAL", global: {}, id: 1 }))).toThrow(
      "A STATE arrived without partition_id and id, which socket mode needs to release it after its records.",
    );
    c.state(global(1, "a", 5));
    expect(() => c.state(global(1, "b", 0))).toThrow(
      "Two STATEs of the sync have id 1; each id must come once.",
    );
  });
});
