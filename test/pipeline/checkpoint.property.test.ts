/**
 * Property-based test of the checkpoint rule (`createCheckpoints`): whatever the input (records and
 * STATEs interleaved), however the records are cut into batches, whichever batches fail, in
 * whatever order the acknowledgements and commits are reported, and whichever commits never
 * resolve, after every report:
 * - the STATEs released so far are a prefix of the input's STATEs (input order);
 * - each released STATE has every record before it delivered and, with transactions, covered by a
 *   reported commit (safety);
 * - every STATE that satisfies that, with all the STATEs before it, is released (nothing is held
 *   back that was earned).
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { createCheckpoints } from "../../src/pipeline/checkpoint.ts";
import { parseLine, type StateLine } from "../../src/protocol/parse.ts";

const RUNS = { numRuns: 500, plugins: [fc.interruptAfterTimeLimit(8_000)] };
const stateLine = (n: number) =>
  parseLine(new TextEncoder().encode(`{"type":"STATE","state":{"data":{"n":${n}}}}`)) as StateLine;

type Report = { kind: "delivered"; first: number; last: number } | { kind: "committed"; through: number };

const scenario = fc
  .record({
    input: fc.array(fc.boolean(), { maxLength: 60, size: "large" }), // true: a record, false: a STATE
    batchSizes: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 60, maxLength: 60 }),
    // One batch in ten fails.
    failed: fc.array(
      fc.nat(9).map((n) => n === 0),
      { minLength: 60, maxLength: 60 },
    ),
    commitAfter: fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
    transactional: fc.boolean(),
    order: fc.array(fc.nat(), { minLength: 200, maxLength: 200 }),
  })
  .map(({ input, batchSizes, failed, commitAfter, transactional, order }) => {
    const records = input.filter(Boolean).length;
    const reports: Report[] = [];
    let first = 0;
    for (let batch = 0; first < records; batch++) {
      const last = Math.min(records, first + (batchSizes[batch] ?? 1)) - 1;
      // A failed batch is never reported delivered; a commit handed over after it still fails.
      if (!failed[batch]) reports.push({ kind: "delivered", first, last });
      if (transactional && commitAfter[batch] && !failed.slice(0, batch + 1).some(Boolean)) {
        reports.push({ kind: "committed", through: last });
      }
      first = last + 1;
    }
    // Reports arrive in any order: a shuffle driven by `order`.
    for (let i = reports.length - 1; i > 0; i--) {
      const j = (order[i] ?? 0) % (i + 1);
      [reports[i], reports[j]] = [reports[j] as Report, reports[i] as Report];
    }
    return { input, transactional, reports };
  });

describe("checkpoints (property)", () => {
  test("releases exactly the STATEs earned by what was reported, in input order", () => {
    fc.assert(
      fc.property(scenario, ({ input, transactional, reports }) => {
        const checkpoints = createCheckpoints({ transactional });
        const statesAfter: number[] = []; // records before each STATE
        let read = 0;
        for (const isRecord of input) {
          if (isRecord) read = checkpoints.record("s") + 1;
          else {
            checkpoints.state(stateLine(statesAfter.length));
            statesAfter.push(read);
          }
        }
        const delivered = new Set<number>();
        let committedThrough = -1;
        const released: number[] = [];
        for (const report of reports) {
          if (report.kind === "delivered") {
            for (let seq = report.first; seq <= report.last; seq++) delivered.add(seq);
            checkpoints.delivered(report);
          } else {
            committedThrough = Math.max(committedThrough, report.through);
            checkpoints.committed(report.through);
          }
          for (const line of checkpoints.releasable()) released.push(JSON.parse(line).state.data.n);
          const earned = (after: number) => {
            for (let seq = 0; seq < after; seq++) if (!delivered.has(seq)) return false;
            return !transactional || after <= committedThrough + 1;
          };
          let expected = 0;
          while (expected < statesAfter.length && earned(statesAfter[expected] ?? 0)) expected++;
          expect(released).toEqual(Array.from({ length: expected }, (_, i) => i));
        }
      }),
      RUNS,
    );
  });
});
