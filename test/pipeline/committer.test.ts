import { describe, expect, it } from "bun:test";
import { createCommitter } from "../../src/pipeline/committer.ts";
import { handTimers, settle } from "../helpers/fakes.ts";

function setup(options: { mayCommit?: () => boolean; commitFails?: boolean } = {}) {
  const clock = handTimers();
  const committed: [number, number][] = [];
  let commits = 0;
  const committer = createCommitter({
    commit: async () => {
      commits++;
      if (options.commitFails) throw new Error("PRODUCER_FENCED");
    },
    maxOpenMs: 500,
    mayCommit: options.mayCommit ?? (() => true),
    onCommitted: (first, last) => committed.push([first, last]),
    timers: clock.timers,
  });
  return { committer, clock, committed, commits: () => commits };
}

describe("committer: records count only once their transaction commits", () => {
  it("reports nothing on acknowledgement, and the acknowledged run once the commit resolves", async () => {
    const { committer, committed } = setup();
    committer.sending();
    committer.written(2);
    committer.sending();
    committer.written(4);
    expect(committed).toEqual([]);
    await committer.commit();
    expect(committed).toEqual([[0, 4]]);
    committer.sending();
    committer.written(6);
    await committer.commit();
    expect(committed).toEqual([
      [0, 4],
      [5, 6],
    ]);
  });

  it("a commit with nothing sent since the last one asks the edge for nothing", async () => {
    const { committer, committed, commits } = setup();
    committer.sending();
    committer.written(1);
    await committer.commit();
    await committer.commit();
    expect(commits()).toBe(1);
    expect(committed).toEqual([[0, 1]]);
  });

  it("commits on its own once the open transaction reaches maxOpenMs, and only then", async () => {
    const { committer, clock, committed, commits } = setup();
    expect(clock.count).toBe(0); // no transaction open, no clock
    committer.sending();
    committer.written(0);
    committer.sending(); // the same transaction: the clock keeps its start
    expect(clock.count).toBe(1);
    clock.fire(500);
    await settle();
    expect(commits()).toBe(1);
    expect(committed).toEqual([[0, 0]]);
    expect(clock.count).toBe(0); // the next send opens the next transaction and starts its clock
    committer.sending();
    expect(clock.count).toBe(1);
  });

  it("a commit at a STATE stops the clock of the transaction it ends", async () => {
    const { committer, clock } = setup();
    committer.sending();
    await committer.commit();
    expect(clock.count).toBe(0);
  });

  it("a failed commit reports nothing, is kept, and no later commit happens", async () => {
    const { committer, clock, committed, commits } = setup({ commitFails: true });
    committer.sending();
    committer.written(3);
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
    const { committer, clock, committed, commits } = setup({ mayCommit: () => may });
    committer.sending();
    committer.written(0);
    may = false;
    clock.fire(500);
    await committer.commit();
    expect(commits()).toBe(0);
    expect(committed).toEqual([]);
  });
});
