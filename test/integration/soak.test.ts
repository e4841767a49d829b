/**
 * The soak (scripts/soak/) at CI size: 200k records per mode through the 3-broker cluster while
 * partition leaders are killed and restarted, through the compiled binary. The full run
 * (`bun scripts/soak/run.ts`, 10M records) writes docs/SOAK.md.
 */
import { describe, expect, it } from "bun:test";
import { runSoak } from "../../scripts/soak/soak.ts";
import { hostBinary } from "../packaging/binary.ts";

describe("the soak, at 200k records per mode", () => {
  it("idempotence and transactions through leader kills: nothing lost, nothing twice, RSS bounded", async () => {
    const runs = await runSoak({
      records: 200_000,
      stateEvery: 10_000,
      modes: ["idempotence", "transactions"],
      cluster: "faults", // the fault tests' cluster, reused when it runs
      partitions: 3,
      // A kill soon after the start, then every 15 s: one or two in the idempotent run, a few in the
      // transactional one (a commit waits for a new leader of each partition it wrote to).
      firstKillMs: 1_500,
      killEveryMs: 15_000,
      downMs: 1_000,
      binary: await hostBinary(),
      workDir: `${import.meta.dir}/../../.cache/soak-ci`,
      timeoutMs: 150_000,
      log: (line) => console.log(`[soak] ${line}`),
    });
    for (const run of runs) {
      expect({ mode: run.mode, exit: run.exitCode, trace: run.trace }).toEqual({
        mode: run.mode,
        exit: 0,
        trace: null,
      });
      expect(run.kills.length).toBeGreaterThanOrEqual(1);
      expect(run.states).toBe(20);
      expect(run.statesInOrder).toBe(true);
      // Idempotence: every record exactly once. Transactions: read_committed sees each exactly once.
      expect(run.readBacks[0]).toMatchObject({ read: 200_000, lost: 0, duplicates: 0 });
      expect(Math.max(...run.rss.map((p) => p.mib))).toBeLessThan(300);
      console.log(
        `[soak] ${run.mode}: ${(run.wallMs / 1000).toFixed(1)} s, ${run.kills.length} leader kills, read back ${JSON.stringify(run.readBacks)}, peak RSS ${Math.max(...run.rss.map((p) => p.mib)).toFixed(0)} MiB`,
      );
    }
  }, 240_000);
});
