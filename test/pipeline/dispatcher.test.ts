import { describe, expect, it } from "bun:test";
import type { EncodedRecord } from "../../src/contract/send.ts";
import type { SlabMemory } from "../../src/memory/slab.ts";
import { createDispatcher, type DispatcherOptions } from "../../src/pipeline/dispatcher.ts";
import { handSender, handTimers, settle } from "../helpers/fakes.ts";

const record = (size: number, topic = "t", memory?: SlabMemory): EncodedRecord => ({
  topic,
  key: Buffer.alloc(0),
  value: Buffer.alloc(0),
  headers: undefined,
  timestamp: undefined,
  size,
  memory,
});

/** Memory that counts its releases. */
const countedMemory = () => {
  const memory = {
    released: 0,
    release() {
      memory.released++;
    },
  };
  return memory;
};

function setup(overrides: Partial<DispatcherOptions> = {}) {
  const sender = handSender();
  const clock = handTimers();
  const acked: [number, number][] = [];
  /** The first sequence number of each batch, in the order the batches were handed to `send`. */
  const firsts: number[] = [];
  const dispatcher = createDispatcher({
    batchBytes: 1000,
    lingerMs: 0,
    maxRequestBytes: 10_000,
    bufferBytes: 100_000,
    maxInFlight: 2,
    deliveryTimeoutMs: 5000,
    oneAtATime: false,
    send: (records, first) => {
      firsts.push(first);
      return sender.send(records).then(() => ({ first, last: first + records.length - 1 }));
    },
    onDelivered: ({ first, last }) => acked.push([first, last]),
    timers: clock.timers,
    ...overrides,
  });
  return { dispatcher, sends: sender.sends, clock, acked, firsts };
}

describe("dispatcher batching triggers", () => {
  it("batch_size alone: sends once the batch reaches batchBytes", () => {
    const { dispatcher, sends } = setup({ batchBytes: 300, lingerMs: 1000 });
    dispatcher.add(record(100), 0);
    dispatcher.add(record(100), 1);
    expect(sends).toHaveLength(0);
    dispatcher.add(record(100), 2);
    expect(sends.map((s) => s.records.length)).toEqual([3]);
  });

  it("linger alone: sends a small batch once linger has passed", () => {
    const { dispatcher, sends, clock } = setup({ batchBytes: 1_000_000, lingerMs: 50 });
    dispatcher.add(record(10), 0);
    dispatcher.add(record(10), 1);
    clock.fire(50);
    expect(sends.map((s) => s.records.length)).toEqual([2]);
  });

  it("max request size alone: a record that would overflow the request closes the batch first", () => {
    const { dispatcher, sends } = setup({ batchBytes: 1_000_000, lingerMs: 1000, maxRequestBytes: 250 });
    dispatcher.add(record(100), 0);
    dispatcher.add(record(100), 1);
    dispatcher.add(record(100), 2);
    expect(sends.map((s) => s.records.length)).toEqual([2]);
  });

  it("flush sends what is pending", () => {
    const { dispatcher, sends } = setup({ batchBytes: 1_000_000, lingerMs: 1000 });
    dispatcher.add(record(1), 0);
    dispatcher.flush();
    expect(sends).toHaveLength(1);
  });
});

describe("dispatcher flow control", () => {
  it("keeps at most maxInFlight sends and sends the rest when a slot frees", async () => {
    const { dispatcher, sends } = setup({ batchBytes: 1, maxInFlight: 2 });
    dispatcher.add(record(1), 0);
    dispatcher.add(record(1), 1);
    dispatcher.add(record(1), 2);
    dispatcher.add(record(1), 3);
    expect(sends).toHaveLength(2);
    sends[0]?.resolve();
    await settle();
    expect(sends).toHaveLength(3);
    expect(sends[2]?.records).toHaveLength(2);
  });

  it("makes the reader wait while the bytes held reach buffer_memory", async () => {
    const { dispatcher, sends } = setup({ batchBytes: 100, bufferBytes: 250, maxInFlight: 5 });
    expect(dispatcher.add(record(100), 0)).toBeUndefined();
    expect(dispatcher.add(record(100), 1)).toBeUndefined();
    let released = false;
    dispatcher.add(record(100), 2)?.then(() => {
      released = true;
    });
    await settle();
    expect(released).toBe(false);
    sends[0]?.resolve();
    await settle();
    expect(released).toBe(true);
  });

  it("sync mode waits for each record's acknowledgement", async () => {
    const { dispatcher, sends } = setup({ batchBytes: 0, maxInFlight: 1, oneAtATime: true });
    let released = false;
    dispatcher.add(record(10), 0)?.then(() => {
      released = true;
    });
    await settle();
    expect(sends).toHaveLength(1);
    expect(released).toBe(false);
    sends[0]?.resolve();
    await settle();
    expect(released).toBe(true);
  });

  it("hands batches over in input order, each a consecutive run starting at its first sequence number", async () => {
    const { dispatcher, sends, firsts } = setup({ batchBytes: 3, maxInFlight: 3 });
    for (let seq = 0; seq < 8; seq++) dispatcher.add(record(1), seq);
    dispatcher.flush();
    for (let round = 0; round < 3; round++) {
      for (const send of sends) send.resolve();
      await settle();
    }
    expect(sends.map((send) => send.records.length)).toEqual([3, 3, 2]);
    expect(firsts).toEqual([0, 3, 6]);
  });

  it("reports acknowledged runs, in whatever order they complete", async () => {
    const { dispatcher, sends, acked } = setup({ batchBytes: 2 });
    for (let seq = 0; seq < 4; seq++) dispatcher.add(record(1), seq);
    sends[1]?.resolve();
    sends[0]?.resolve();
    await settle();
    expect(acked).toEqual([
      [2, 3],
      [0, 1],
    ]);
  });
});

describe("dispatcher failures", () => {
  it("records the first failure and sends nothing after it", async () => {
    const { dispatcher, sends } = setup({ batchBytes: 1, maxInFlight: 1 });
    dispatcher.add(record(1), 0);
    dispatcher.add(record(1), 1);
    sends[0]?.reject(new Error("boom"));
    await settle();
    expect((dispatcher.failure as Error).message).toBe("boom");
    expect(sends).toHaveLength(1);
    expect(dispatcher.add(record(1), 2)).toBeUndefined();
  });

  it("fails a batch not acknowledged within delivery_timeout_ms, naming its topic", async () => {
    const { dispatcher, clock } = setup({ batchBytes: 1, deliveryTimeoutMs: 777 });
    dispatcher.add(record(1, "orders"), 0);
    clock.fire(777);
    await settle();
    expect((dispatcher.failure as Error).message).toBe(
      "1 record(s) for topic orders were not acknowledged within delivery_timeout_ms (777 ms).",
    );
  });

  it("releases each record's memory once its send settles, not before, even after the deadline", async () => {
    const { dispatcher, sends, clock } = setup({ batchBytes: 2, deliveryTimeoutMs: 777 });
    const acked = countedMemory();
    const late = countedMemory();
    dispatcher.add(record(1, "t", acked), 0);
    dispatcher.add(record(1, "t", acked), 1);
    dispatcher.add(record(1, "t", late), 2);
    dispatcher.add(record(1, "t", late), 3);
    await settle();
    expect(sends).toHaveLength(2);
    expect([acked.released, late.released]).toEqual([0, 0]);
    sends[0]?.resolve();
    await settle();
    expect([acked.released, late.released]).toEqual([2, 0]);
    // The deadline fails the sync, but the send may still be reading its records: keep them.
    clock.fire(777);
    await settle();
    expect(dispatcher.failure).toBeDefined();
    expect(late.released).toBe(0);
    sends[1]?.reject(new Error("gave up"));
    await settle();
    expect(late.released).toBe(2);
  });

  it("drain resolves once everything in flight settled", async () => {
    const { dispatcher, sends } = setup({ batchBytes: 1_000_000, lingerMs: 1000 });
    dispatcher.add(record(1), 0);
    let drained = false;
    const draining = dispatcher.drain().then(() => {
      drained = true;
    });
    await settle();
    expect(sends).toHaveLength(1);
    expect(drained).toBe(false);
    sends[0]?.resolve();
    await draining;
    expect(dispatcher.inFlight).toBe(0);
  });
});
