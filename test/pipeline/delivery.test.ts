import { describe, expect, it } from "bun:test";
import type { EncodedRecord } from "../../src/contract/send.ts";
import { createCheckpoints } from "../../src/pipeline/checkpoint.ts";
import { createDelivery } from "../../src/pipeline/delivery.ts";
import { parseLine, type StateLine } from "../../src/protocol/parse.ts";
import { configWith } from "../helpers/config.ts";
import { handSender, handTimers, settle } from "../helpers/fakes.ts";

const record = (size = 10): EncodedRecord => ({
  topic: "t",
  key: undefined,
  value: Buffer.alloc(0),
  headers: undefined,
  timestamp: undefined,
  size,
  memory: undefined,
});
const state = (n: number) =>
  parseLine(new TextEncoder().encode(`{"type":"STATE","state":{"data":{"n":${n}}}}`)) as StateLine;

/** Delivery over a hand-settled edge; `released` collects the STATE numbers echoed. */
function setup(
  config: Record<string, unknown>,
  transactional: boolean,
  options: { mayCommit?: () => boolean } = {},
) {
  const sender = handSender();
  const clock = handTimers();
  const commits: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  const checkpoints = createCheckpoints({ transactional });
  const released: number[] = [];
  const delivery = createDelivery({
    config: configWith(config),
    edge: {
      send: sender.send,
      commit: transactional
        ? () =>
            new Promise<void>((resolve, reject) => {
              commits.push({ resolve, reject });
            })
        : undefined,
    },
    checkpoints,
    release: () => {
      for (const line of checkpoints.releasable()) released.push(JSON.parse(line).state.data.n);
    },
    mayCommit: options.mayCommit ?? (() => true),
    timers: clock.timers,
  });
  /** Reads a record (sent as a batch of its own with batch_size 1). */
  const read = () => delivery.add(record(), checkpoints.record("s"));
  const readState = (n: number) => {
    checkpoints.state(state(n));
    return delivery.atState();
  };
  return { delivery, sends: sender.sends, commits, released, read, readState, clock };
}

describe("delivery: acknowledgements reach the checkpoint rule", () => {
  it("without transactions, an acknowledged batch releases the STATE after it", async () => {
    const { sends, released, read, readState } = setup({ batch_size: 1 }, false);
    read();
    expect(readState(1)).toBeUndefined(); // reading goes on at once
    read();
    void readState(2);
    sends[1]?.resolve();
    await settle();
    expect(released).toEqual([]);
    sends[0]?.resolve();
    await settle();
    expect(released).toEqual([1, 2]);
  });

  it("sync_producer: one record in flight at a time, the reader waits for each acknowledgement", async () => {
    const { sends, read } = setup({ sync_producer: true }, false);
    const waiting = read();
    expect(waiting).toBeInstanceOf(Promise);
    expect(sends.map((send) => send.records.length)).toEqual([1]);
    sends[0]?.resolve();
    await waiting;
  });

  it("a delivery failure is the failure, and nothing is committed after it", async () => {
    const { delivery, sends, commits, read } = setup({ batch_size: 1 }, true);
    read();
    sends[0]?.reject(new Error("broker said no"));
    await settle();
    await delivery.finish();
    expect((delivery.failure as Error).message).toBe("broker said no");
    expect(commits).toHaveLength(0);
  });
});

describe("delivery: with transactions", () => {
  const tx = { transactional_id: "tx", enable_idempotence: true, acks: "all", batch_size: 1 };

  it("at a STATE that waits, the records before it are acknowledged, then committed, then it is released", async () => {
    const { sends, commits, released, read, readState } = setup(tx, true);
    read();
    const atState = readState(1);
    expect(atState).toBeInstanceOf(Promise);
    expect(commits).toHaveLength(0); // not before the records are acknowledged
    sends[0]?.resolve();
    await settle();
    expect(commits).toHaveLength(1);
    expect(released).toEqual([]);
    commits[0]?.resolve();
    await atState;
    expect(released).toEqual([1]);
  });

  it("a STATE with nothing to wait for asks for no commit", () => {
    const { commits, readState } = setup(tx, true);
    expect(readState(1)).toBeUndefined();
    expect(commits).toHaveLength(0);
  });

  it("the end of the input commits the records after the last STATE", async () => {
    const { delivery, sends, commits, read } = setup(tx, true);
    read();
    const finishing = delivery.finish();
    sends[0]?.resolve();
    await settle();
    expect(commits).toHaveLength(1);
    commits[0]?.resolve();
    await finishing;
    expect(delivery.failure).toBeUndefined();
  });

  it("a failed commit is the failure and aborts `failed`, so the sync stops at once", async () => {
    const { delivery, sends, commits, released, read, readState } = setup(tx, true);
    read();
    const atState = readState(1);
    sends[0]?.resolve();
    await settle();
    commits[0]?.reject(new Error("the producer was fenced"));
    await atState;
    expect(delivery.failed.aborted).toBe(true);
    expect((delivery.failure as Error).message).toBe("the producer was fenced");
    expect(released).toEqual([]);
  });

  it("commits nothing once the caller says the sync is stopping", async () => {
    let may = true;
    const { delivery, sends, commits, read } = setup(tx, true, { mayCommit: () => may });
    read();
    sends[0]?.resolve();
    may = false;
    await delivery.finish();
    expect(commits).toHaveLength(0);
  });

  it("an open transaction is committed once it is half transaction_timeout_ms old", async () => {
    const { sends, commits, read, clock } = setup({ ...tx, transaction_timeout_ms: 60_000 }, true);
    read();
    sends[0]?.resolve();
    await settle();
    clock.fire(30_000);
    await settle();
    expect(commits).toHaveLength(1);
  });
});
