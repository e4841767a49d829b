import { describe, expect, it } from "bun:test";
import { type Checkpoints, createCheckpoints } from "../../src/pipeline/checkpoint.ts";
import { parseLine, type StateLine, streamKey } from "../../src/protocol/parse.ts";

const state = (json: string) => {
  const line = `{"type":"STATE","state":${json}}`;
  return parseLine(new TextEncoder().encode(line)) as StateLine;
};
const key = (name: string) => streamKey({ name, namespace: undefined });
const legacy = (n: number) => state(`{"data":{"n":${n}}}`);
const streamState = (name: string) =>
  state(`{"type":"STREAM","stream":{"stream_descriptor":{"name":"${name}"},"stream_state":{}}}`);
const numbers = (lines: string[]) => lines.map((line) => JSON.parse(line).state.data.n as number);

/**
 * Plays `script` against fresh checkpoints and checks every assertion in it. Tokens, in order:
 * `r` reads a record, `S<n>` reads LEGACY state n, `d<a>-<b>` reports records a..b delivered,
 * `c<n>` reports a commit through n, `close` closes, and `=<n>,<m>` asserts that exactly STATEs n, m
 * are released since the last assertion (`=` alone: none).
 */
function play(transactional: boolean, script: string): void {
  const checkpoints: Checkpoints = createCheckpoints({ transactional });
  for (const token of script.split(" ")) {
    const [, kind = "", rest = ""] = /^(close|r|S|d|c|=)(.*)$/.exec(token) ?? [];
    if (kind === "r") checkpoints.record("s");
    else if (kind === "S") checkpoints.state(legacy(Number(rest)));
    else if (kind === "d") {
      const [first, last] = rest.split("-").map(Number);
      checkpoints.delivered({ first: first ?? 0, last: last ?? 0 });
    } else if (kind === "c") checkpoints.committed(Number(rest));
    else if (kind === "close") checkpoints.close();
    else if (kind === "=") {
      const expected = rest === "" ? [] : rest.split(",").map(Number);
      expect({ after: token, released: numbers(checkpoints.releasable()) }).toEqual({
        after: token,
        released: expected,
      });
    } else throw new Error(`bad token ${token}`);
  }
}

describe("checkpoints: the rule in every mode, reports in adversarial orders", () => {
  // sync_producer sends one record at a time under the same rule as plain acks.
  const table: [mode: "acks" | "sync_producer" | "transactions", name: string, script: string][] = [
    ["acks", "a STATE waits for every record before it", "r r S1 = d0-0 = d1-1 =1"],
    ["acks", "out-of-order acks release in input order", "r S1 r S2 r S3 d2-2 = d1-1 = d0-0 =1,2,3"],
    ["acks", "a STATE with no records before it is released at once", "S1 =1 r S2 = d0-0 =2"],
    ["acks", "a STATE waits only for the records before it", "r r S1 r S2 d0-1 =1 d2-2 =2"],
    ["acks", "a send that never resolves (it failed) holds every later STATE", "r S1 r S2 r S3 d0-0 d2-2 =1"],
    ["acks", "a range never reported holds STATEs past it", "r r r r S1 d0-1 d3-3 ="],
    ["acks", "after close (interrupted), later acks release nothing", "r S1 r S2 d0-0 =1 close d1-1 ="],
    ["acks", "a commit report changes nothing without transactions", "r S1 c5 = d0-0 =1"],
    ["sync_producer", "one record per send, each STATE after its ack", "r S1 r S2 d0-0 =1 d1-1 =2"],
    ["transactions", "acknowledged records earn nothing until a commit covers them", "r S1 d0-0 = c0 =1"],
    ["transactions", "an ack racing a commit: the commit reported first", "r r S1 c1 = d0-0 = d1-1 =1"],
    ["transactions", "a commit covers only up to its sequence number", "r S1 r S2 d0-1 c0 =1 c1 =2"],
    [
      "transactions",
      "out-of-order acks inside a committed transaction",
      "r S1 r S2 r S3 c2 d2-2 d1-1 = d0-0 =1,2,3",
    ],
    [
      "transactions",
      "a failed commit after acks: never reported, nothing released",
      "r S1 r S2 d0-1 = close c1 =",
    ],
    [
      "transactions",
      "interrupted mid-transaction: the committed part only",
      "r S1 r S2 d0-0 c0 =1 d1-1 close c1 =",
    ],
    ["transactions", "a commit covering nothing (-1) releases nothing", "r S1 d0-0 c-1 = c0 =1"],
    [
      "transactions",
      "a later report of an older commit does not move back",
      "r S1 r S2 d0-1 c1 =1,2 r S3 d2-2 c0 = c2 =3",
    ],
    ["transactions", "a STATE with no records before it needs no commit", "S1 =1"],
  ];

  it.each(table)("%s: %s", (mode, _name, script) => play(mode === "transactions", script));
});

describe("checkpoints: destinationStats and bookkeeping", () => {
  it("releases a STATE with the reference line and its record count", () => {
    const checkpoints = createCheckpoints({ transactional: false });
    checkpoints.record("s");
    checkpoints.record("s");
    checkpoints.state(legacy(1));
    checkpoints.delivered({ first: 0, last: 1 });
    expect(checkpoints.releasable()).toEqual([
      '{"type":"STATE","state":{"data":{"n":1},"destinationStats":{"recordCount":2}}}',
    ]);
  });

  it("counts records per stream for STREAM states and in total for the others", () => {
    const checkpoints = createCheckpoints({ transactional: false });
    for (const stream of ["a", "b", "a", "a", "b"]) checkpoints.record(key(stream));
    checkpoints.state(streamState("a"));
    checkpoints.state(streamState("b"));
    checkpoints.record(key("a"));
    checkpoints.state(streamState("a"));
    checkpoints.delivered({ first: 0, last: 5 });
    const counts = checkpoints
      .releasable()
      .map((line) => JSON.parse(line).state.destinationStats.recordCount);
    expect(counts).toEqual([3, 2, 1]);

    const global = createCheckpoints({ transactional: false });
    for (const stream of ["a", "b", "a"]) global.record(stream);
    global.state(state('{"type":"GLOBAL","global":{"stream_states":[]}}'));
    global.delivered({ first: 0, last: 2 });
    expect(JSON.parse(global.releasable()[0] ?? "").state.destinationStats).toEqual({ recordCount: 3 });
  });

  it("counts released and pending STATEs, across the compaction of its queue", () => {
    const checkpoints = createCheckpoints({ transactional: false });
    for (let i = 0; i < 3000; i++) {
      checkpoints.record("s");
      checkpoints.state(legacy(i));
    }
    checkpoints.delivered({ first: 0, last: 2499 });
    expect(checkpoints.releasable()).toHaveLength(2500);
    expect([checkpoints.released, checkpoints.pendingStates]).toEqual([2500, 500]);
    checkpoints.delivered({ first: 2500, last: 2999 });
    expect(numbers(checkpoints.releasable())).toEqual(Array.from({ length: 500 }, (_, i) => 2500 + i));
    expect([checkpoints.released, checkpoints.pendingStates]).toEqual([3000, 0]);
  });
});

describe("checkpoints: STATEs held for a stream that overwrites", () => {
  const holding = () =>
    createCheckpoints({
      transactional: false,
      holds: (s) => s.stateType === "STREAM" && s.stream?.name === "overwritten",
    });
  const names = (lines: string[]) =>
    lines.map((line) => JSON.parse(line).state.stream.stream_descriptor.name as string);

  it("keeps an earned STATE of the held stream back without holding up the others, until releaseHeld", () => {
    const checkpoints = holding();
    checkpoints.record(key("overwritten"));
    checkpoints.state(streamState("overwritten"));
    checkpoints.record(key("kept"));
    checkpoints.state(streamState("kept"));
    expect(checkpoints.releasable()).toEqual([]);
    expect(checkpoints.releaseHeld()).toEqual([]);
    checkpoints.delivered({ first: 0, last: 1 });
    expect(names(checkpoints.releasable())).toEqual(["kept"]);
    expect([checkpoints.released, checkpoints.pendingStates]).toEqual([1, 1]);
    const [held] = checkpoints.releaseHeld();
    expect(JSON.parse(held ?? "").state.destinationStats).toEqual({ recordCount: 1 });
    expect([checkpoints.released, checkpoints.pendingStates]).toEqual([2, 0]);
    expect(checkpoints.releaseHeld()).toEqual([]);
  });

  it("a held STATE whose records are not durable is not released by releaseHeld", () => {
    const checkpoints = holding();
    checkpoints.record(key("overwritten"));
    checkpoints.state(streamState("overwritten"));
    checkpoints.releasable();
    expect(checkpoints.releaseHeld()).toEqual([]);
    expect(checkpoints.pendingStates).toBe(1);
  });

  it("after close (a failed sync) held STATEs are never released", () => {
    const checkpoints = holding();
    checkpoints.state(streamState("overwritten"));
    expect(checkpoints.releasable()).toEqual([]);
    checkpoints.close();
    expect(checkpoints.releaseHeld()).toEqual([]);
    expect([checkpoints.released, checkpoints.pendingStates]).toEqual([0, 1]);
  });
});

describe("checkpoints: rejected records and dead letters", () => {
  it("counts a rejected record in recordCount and rejectedRecordCount, which appears only when there are some", () => {
    const checkpoints = createCheckpoints({ transactional: false });
    checkpoints.record(key("a"));
    checkpoints.rejected(key("a"));
    checkpoints.rejected(key("b"));
    checkpoints.state(streamState("a"));
    checkpoints.state(streamState("b"));
    checkpoints.record(key("a"));
    checkpoints.state(streamState("a"));
    checkpoints.delivered({ first: 0, last: 1 });
    expect(checkpoints.releasable().map((line) => JSON.parse(line).state.destinationStats)).toEqual([
      { recordCount: 2, rejectedRecordCount: 1 },
      { recordCount: 1, rejectedRecordCount: 1 },
      { recordCount: 1 },
    ]);
    const global = createCheckpoints({ transactional: false });
    global.rejected(key("a"));
    global.rejected(key("b"));
    global.state(legacy(1));
    expect(JSON.parse(global.releasable()[0] ?? "").state.destinationStats).toEqual({
      recordCount: 2,
      rejectedRecordCount: 2,
    });
  });

  it("a dead letter takes a sequence number, counted nowhere: the STATE after it waits for its delivery", () => {
    const checkpoints = createCheckpoints({ transactional: false });
    checkpoints.rejected(key("a"));
    expect(checkpoints.message()).toBe(0);
    checkpoints.state(legacy(1));
    expect(checkpoints.releasable()).toEqual([]);
    checkpoints.delivered({ first: 0, last: 0 });
    expect(JSON.parse(checkpoints.releasable()[0] ?? "").state.destinationStats).toEqual({
      recordCount: 1,
      rejectedRecordCount: 1,
    });
  });
});
