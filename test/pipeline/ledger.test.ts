import { describe, expect, it } from "bun:test";
import { createLedger } from "../../src/pipeline/ledger.ts";
import { parseLine, type StateLine, streamKey } from "../../src/protocol/parse.ts";

const state = (json: string) => {
  const line = `{"type":"STATE","state":${json}}`;
  return parseLine(new TextEncoder().encode(line)) as StateLine;
};
const key = (name: string) => streamKey({ name, namespace: undefined });
const legacy = (n: number) => state(`{"data":{"n":${n}}}`);
const streamState = (name: string) =>
  state(`{"type":"STREAM","stream":{"stream_descriptor":{"name":"${name}"},"stream_state":{}}}`);

describe("ledger", () => {
  it("releases a STATE only after every earlier record is acknowledged", () => {
    const ledger = createLedger();
    ledger.record("s");
    ledger.record("s");
    ledger.state(legacy(1));
    expect(ledger.releasable()).toEqual([]);
    ledger.acked(0, 0);
    expect(ledger.releasable()).toEqual([]);
    ledger.acked(1, 1);
    expect(ledger.releasable()).toEqual([
      '{"type":"STATE","state":{"data":{"n":1},"destinationStats":{"recordCount":2}}}',
    ]);
    expect(ledger.unacked).toBe(0);
  });

  it("releases STATEs in input order whatever order the acks come in", () => {
    const ledger = createLedger();
    ledger.record("s"); // 0
    ledger.state(legacy(1));
    ledger.record("s"); // 1
    ledger.state(legacy(2));
    ledger.record("s"); // 2
    ledger.state(legacy(3));
    ledger.acked(2, 2);
    ledger.acked(1, 1);
    expect(ledger.releasable()).toEqual([]);
    expect(ledger.pendingStates).toBe(3);
    ledger.acked(0, 0);
    expect(ledger.releasable().map((line) => JSON.parse(line).state.data.n)).toEqual([1, 2, 3]);
  });

  it("releases a STATE with no records before it at once, with a zero count", () => {
    const ledger = createLedger();
    ledger.state(legacy(1));
    expect(ledger.releasable()).toEqual([
      '{"type":"STATE","state":{"data":{"n":1},"destinationStats":{"recordCount":0}}}',
    ]);
  });

  it("counts records per stream for STREAM states and in total for the others", () => {
    const ledger = createLedger();
    for (const stream of ["a", "b", "a", "a", "b"]) ledger.record(key(stream));
    ledger.state(streamState("a"));
    ledger.state(streamState("b"));
    ledger.record(key("a"));
    ledger.state(streamState("a"));
    ledger.acked(0, 5);
    const counts = ledger.releasable().map((line) => JSON.parse(line).state.destinationStats.recordCount);
    expect(counts).toEqual([3, 2, 1]);

    const global = createLedger();
    for (const stream of ["a", "b", "a"]) global.record(stream);
    global.state(state('{"type":"GLOBAL","global":{"stream_states":[]}}'));
    global.acked(0, 2);
    expect(JSON.parse(global.releasable()[0] ?? "").state.destinationStats).toEqual({ recordCount: 3 });
  });

  it("never releases past a range that is not acknowledged", () => {
    const ledger = createLedger();
    for (let i = 0; i < 10; i++) ledger.record("s");
    ledger.state(legacy(1));
    ledger.acked(0, 3);
    ledger.acked(5, 9);
    expect(ledger.releasable()).toEqual([]);
    expect(ledger.unacked).toBe(6);
  });
});
