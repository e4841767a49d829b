import { describe, expect, it } from "bun:test";
import { createCommitter } from "../../src/pipeline/committer.ts";
import { handTimers, settle } from "../helpers/fakes.ts";

function setup(options: { mayCommit?: () => boolean; commitFails?: boolean } = {}) {
  const clock = handTimers();
  const committed: number[] = [];
  let commits = 0;
  let covers = -1;
  const committer = createCommitter({
    commit: async () => {
      commits++;
      if (options.commitFails) throw new Error("PRODUCER_FENCED");
      return covers;
    },
    maxOpenMs: 500,
    mayCommit: options.mayCommit ?? (() => true),
    onCommitted: (through) => committed.push(through),
    timers: clock.timers,
  });
  /** A send of records up to `last` is handed to the edge. */
  const send = (last: number) => {
    committer.sending();
    covers = last;
  };
  return { committer, clock, committed, commits: () => commits, send };
}

describe("committer: when a transaction is committed", () => {
  it("reports what each commit resolved with, once it resolved", async () => {
    const { committer, committed, send } = setup();
    send(2);
    send(4);
    expect(committed).toEqual([]);
    await committer.commit();
    expect(committed).toEqual([4]);
    send(6);
    await committer.commit();
    expect(committed).toEqual([4, 6]);
  });

  it("a commit with nothing sent since the last one asks the edge for nothing", async () => {
    const { committer, committed, commits, send } = setup();
    send(1);
    await committer.commit();
    await committer.commit();
    expect(commits()).toBe(1);
    expect(committed).toEqual([1]);
  });

  it("commits on its own once the open transaction reaches maxOpenMs, and only then", async () => {
    const { committer, clock, committed, commits, send } = setup();
    expect(clock.count).toBe(0); // no transaction open, no clock
    send(0);
    send(1); // the same transaction: the clock keeps its start
    expect(clock.count).toBe(1);
    clock.fire(500);
    await settle();
    expect(commits()).toBe(1);
    expect(committed).toEqual([1]);
    expect(clock.count).toBe(0); // the next send opens the next transaction and starts its clock
    committer.sending();
    expect(clock.count).toBe(1);
  });

  it("a commit at a STATE stops the clock of the transaction it ends", async () => {
    const { committer, clock, send } = setup();
    send(0);
    await committer.commit();
    expect(clock.count).toBe(0);
  });

  it("a failed commit reports nothing, is kept, and no later commit happens", async () => {
    const { committer, clock, committed, commits, send } = setup({ commitFails: true });
    send(3);
    await committer.commit();
    expect(committed).toEqual([]);
    expect((committer.failure as Error).message).toBe("PRODUCER_FENCED");
    await committer.commit();
    expect(commits()).toBe(1);
    committer.sending();
    expect(clock.count).toBe(0);
  });

  it("commits nothing once the sync is failing or stopping", async () => {
    let may = true;
    const { committer, clock, committed, commits, send } = setup({ mayCommit: () => may });
    send(0);
    may = false;
    clock.fire(500);
    await committer.commit();
    expect(commits()).toBe(0);
    expect(committed).toEqual([]);
  });
});
