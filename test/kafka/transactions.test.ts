import { describe, expect, it } from "bun:test";
import type { EncodedRecord } from "../../src/contract/send.ts";
import { type TransactionalProducer, transactions } from "../../src/kafka/transactions.ts";
import { settle } from "../helpers/fakes.ts";

/** A producer that logs what happens to its transactions; sends fail while `failSends` is set. */
function loggingProducer() {
  const log: string[] = [];
  let begun = 0;
  const state = { failSends: false };
  const producer: TransactionalProducer = {
    beginTransaction: async () => {
      const id = ++begun;
      log.push(`begin ${id}`);
      return {
        send: async (sent) => {
          if (state.failSends) throw new Error("broker said no");
          log.push(
            `send ${id}: ${sent.map((record) => Buffer.from(record.value ?? []).toString()).join(",")}`,
          );
        },
        commit: async () => log.push(`commit ${id}`),
        abort: async () => log.push(`abort ${id}`),
      };
    },
  };
  return { producer, log, state };
}

const records = (...values: string[]) =>
  values.map((value) => ({ topic: "t", value: Buffer.from(value) }) as unknown as EncodedRecord);

describe("transactions at the edge", () => {
  it("a commit called while an earlier send still waits for its topic lookup comes after that send", async () => {
    const { producer, log } = loggingProducer();
    const tx = transactions(producer);
    let lookedUp: () => void = () => {};
    const lookup = new Promise<void>((resolve) => {
      lookedUp = resolve;
    });
    const sent = tx.deliver(records("a"), lookup);
    const committed = tx.commit();
    const later = tx.deliver(records("b"), Promise.resolve());
    await settle();
    expect(log).toEqual([]);
    lookedUp();
    await Promise.all([sent, committed, later]);
    expect(log).toEqual(["begin 1", "send 1: a", "commit 1", "begin 2", "send 2: b"]);
  });

  it("a commit with no open transaction does nothing", async () => {
    const { producer, log } = loggingProducer();
    await transactions(producer).commit();
    expect(log).toEqual([]);
  });

  it("after a failed send nothing more is sent or committed, and abort discards the transaction", async () => {
    const { producer, log, state } = loggingProducer();
    const tx = transactions(producer);
    await tx.deliver(records("a"), Promise.resolve());
    state.failSends = true;
    await expect(tx.deliver(records("b"), Promise.resolve())).rejects.toThrow("broker said no");
    state.failSends = false;
    await expect(tx.deliver(records("c"), Promise.resolve())).rejects.toThrow("broker said no");
    await expect(tx.commit()).rejects.toThrow("broker said no");
    await tx.abort();
    expect(log).toEqual(["begin 1", "send 1: a", "abort 1"]);
  });

  it("a failed topic lookup fails its send and poisons the transaction", async () => {
    const { producer, log } = loggingProducer();
    const tx = transactions(producer);
    await expect(tx.deliver(records("a"), Promise.reject(new Error("unknown topic")))).rejects.toThrow(
      "unknown topic",
    );
    await expect(tx.commit()).rejects.toThrow("unknown topic");
    expect(log).toEqual([]);
  });
});
