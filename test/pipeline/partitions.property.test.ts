/**
 * Property-based test of the checkpoint rule over sockets (`createPartitionCheckpoints`): partitions
 * of records spread over several sockets, each STATE on any socket (before or after its records),
 * the sockets read in any interleaving, the records cut into batches acknowledged in any order,
 * some batches never acknowledged. After every acknowledgement:
 * - no STATE is released before every record of its partition is delivered (safety);
 * - STATEs are released in `id` order, each once;
 * - every STATE whose records are all delivered (with every record numbered before its partition's
 *   last one), with every STATE of lower id, is released (nothing earned is held back), so with
 *   every batch acknowledged every STATE is.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { createPartitionCheckpoints } from "../../src/pipeline/partitions.ts";
import { parseLine, type StateLine } from "../../src/protocol/parse.ts";

const RUNS = { numRuns: 400, plugins: [fc.interruptAfterTimeLimit(8_000)] };

const globalState = (index: number, partition: string, count: number) =>
  parseLine(
    new TextEncoder().encode(
      JSON.stringify({
        type: "STATE",
        state: {
          type: "GLOBAL",
          global: { shared_state: { index } },
          partition_id: partition,
          id: index,
          sourceStats: { recordCount: count },
        },
      }),
    ),
  ) as StateLine;

type Item = { kind: "record"; partition: number } | { kind: "state"; partition: number };

const scenario = fc
  .record({
    counts: fc.array(fc.nat(5), { minLength: 1, maxLength: 8 }),
    sockets: fc.integer({ min: 1, max: 4 }),
    placement: fc.array(fc.nat(), { minLength: 60, maxLength: 60 }),
    interleaving: fc.array(fc.nat(), { minLength: 120, maxLength: 120 }),
    batchSizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 60, maxLength: 60 }),
    lost: fc.array(
      fc.nat(7).map((n) => n === 0),
      { minLength: 60, maxLength: 60 },
    ),
    order: fc.array(fc.nat(), { minLength: 60, maxLength: 60 }),
  })
  .map(({ counts, sockets, placement, interleaving, batchSizes, lost, order }) => {
    // Each partition's records and its STATE go to sockets; on one socket they keep the source's order.
    const perSocket: Item[][] = Array.from({ length: sockets }, () => []);
    let p = 0;
    counts.forEach((count, partition) => {
      for (let i = 0; i <= count; i++) {
        const socket = (placement[p++ % placement.length] ?? 0) % sockets;
        perSocket[socket]?.push(i < count ? { kind: "record", partition } : { kind: "state", partition });
      }
    });
    const merged: Item[] = [];
    for (let i = 0; perSocket.some((s) => s.length > 0); i++) {
      const open = perSocket.filter((s) => s.length > 0);
      merged.push(open[(interleaving[i % interleaving.length] ?? 0) % open.length]?.shift() as Item);
    }
    return { counts, merged, batchSizes, lost, order };
  });

describe("partition checkpoints (property)", () => {
  test("release each STATE once, in id order, only after every record of its partition is delivered", () => {
    fc.assert(
      fc.property(scenario, ({ counts, merged, batchSizes, lost, order }) => {
        const checkpoints = createPartitionCheckpoints({ transactional: false });
        const partitionOfSeq: number[] = [];
        for (const item of merged) {
          if (item.kind === "record")
            partitionOfSeq[checkpoints.record("s", `p${item.partition}`)] = item.partition;
          else
            checkpoints.state(
              globalState(item.partition + 1, `p${item.partition}`, counts[item.partition] ?? 0),
            );
        }
        checkpoints.inputEnded();
        // Batches of consecutive sequence numbers, some lost, reported in shuffled order.
        const batches: [number, number][] = [];
        for (let first = 0, b = 0; first < partitionOfSeq.length; b++) {
          const last = Math.min(partitionOfSeq.length, first + (batchSizes[b % batchSizes.length] ?? 1)) - 1;
          if (!lost[b % lost.length]) batches.push([first, last]);
          first = last + 1;
        }
        for (let i = batches.length - 1; i > 0; i--) {
          const j = (order[i % order.length] ?? 0) % (i + 1);
          [batches[i], batches[j]] = [batches[j] as [number, number], batches[i] as [number, number]];
        }
        const delivered = new Set<number>();
        const released: number[] = [];
        const check = () => {
          for (const line of checkpoints.releasable()) {
            const state = JSON.parse(line).state;
            const partition = state.id - 1;
            released.push(state.id);
            expect(state.destinationStats.recordCount).toBe(counts[partition]);
            partitionOfSeq.forEach((p, seq) => {
              if (p === partition) expect(delivered.has(seq)).toBe(true);
            });
          }
          expect(released).toEqual(released.map((_, i) => i + 1));
          // Nothing earned is held back: the next STATE in order is not earned yet, that is, some
          // record numbered up to its partition's last one is not delivered (durable.ts's watermark).
          const nextPartition = released.length;
          if (nextPartition < counts.length) {
            const last = partitionOfSeq.lastIndexOf(nextPartition);
            const earned = [...Array(last + 1).keys()].every((seq) => delivered.has(seq));
            expect(earned).toBe(false);
          }
        };
        check();
        for (const [first, last] of batches) {
          checkpoints.delivered({ first, last });
          for (let seq = first; seq <= last; seq++) delivered.add(seq);
          check();
        }
        if (delivered.size === partitionOfSeq.length) {
          expect(released.length).toBe(counts.length);
          expect(checkpoints.stranded()).toBeUndefined();
        }
      }),
      RUNS,
    );
  });
});
