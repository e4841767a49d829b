import { describe, expect, it } from "bun:test";
import type { EncodedRecord } from "../../src/contract/send.ts";
import { sequencedEdge } from "../../src/pipeline/edge.ts";
import { handSender, settle } from "../helpers/fakes.ts";

const records = (count: number) => Array.from({ length: count }, () => ({}) as EncodedRecord);

function handCommits() {
  const pending: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  const commit = () =>
    new Promise<void>((resolve, reject) => {
      pending.push({ resolve, reject });
    });
  return { pending, commit };
}

describe("sequencedEdge: the edge's promises as sequence numbers", () => {
  it("a send resolves with the range it was handed, once the edge's send resolves", async () => {
    const sender = handSender();
    const edge = sequencedEdge({ send: sender.send });
    let range: unknown;
    void edge.send(records(3), 7).then((r) => {
      range = r;
    });
    await settle();
    expect(range).toBeUndefined();
    sender.sends[0]?.resolve();
    await settle();
    expect(range).toEqual({ first: 7, last: 9 });
    expect(edge.commit).toBeUndefined();
  });

  it("a commit covers what was handed over before it, whenever the acknowledgements come", async () => {
    const sender = handSender();
    const commits = handCommits();
    const edge = sequencedEdge({ send: sender.send, commit: commits.commit });
    void edge.send(records(3), 0);
    void edge.send(records(2), 3);
    const covered = edge.commit?.();
    void edge.send(records(2), 5); // after the commit was called: the next transaction
    commits.pending[0]?.resolve(); // before any acknowledgement of the sends it covers
    expect(await covered).toBe(4);
  });

  it("a commit before any send covers nothing (-1)", async () => {
    const edge = sequencedEdge({ send: handSender().send, commit: async () => {} });
    expect(await edge.commit?.()).toBe(-1);
  });

  it("a failed send or commit rejects with the edge's error", async () => {
    const sender = handSender();
    const commits = handCommits();
    const edge = sequencedEdge({ send: sender.send, commit: commits.commit });
    const outcomes = Promise.allSettled([edge.send(records(1), 0), edge.commit?.()]);
    sender.sends[0]?.reject(new Error("refused"));
    commits.pending[0]?.reject(new Error("fenced"));
    const reasons = (await outcomes).map(
      (outcome) => outcome.status === "rejected" && outcome.reason.message,
    );
    expect(reasons).toEqual(["refused", "fenced"]);
  });
});
