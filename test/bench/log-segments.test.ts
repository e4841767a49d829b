import { describe, expect, it } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { batchesOf, countBatches } from "../../bench/log-segments.ts";
import { encodeRecordBatch, NO_PRODUCER } from "../../src/kafka/record-batch.ts";

const batch = (count: number) =>
  encodeRecordBatch(
    Array.from({ length: count }, (_, i) => ({ key: undefined, value: Buffer.from(`value ${i}`) })),
    { ...NO_PRODUCER, compression: "none", timestamp: 0 },
  );

describe("batches read from log segments", () => {
  it("counts each batch laid end to end, its records and bytes, and leaves a torn tail out", () => {
    const a = batch(3);
    const b = batch(5);
    const segment = Buffer.concat([a, b, b.subarray(0, 30)]);
    expect(countBatches(segment)).toEqual({ batches: 2, records: 8, bytes: a.length + b.length });
  });

  it("sums a topic's partitions and ignores other topics with a similar name", () => {
    const dir = mkdtempSync(join(tmpdir(), "segments-"));
    for (const [name, content] of [
      ["t-0", batch(2)],
      ["t-1", Buffer.concat([batch(1), batch(4)])],
      ["t.x-0", batch(9)],
      ["tt-0", batch(9)],
    ] as const) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, "00000000000000000000.log"), content);
      writeFileSync(join(dir, name, "00000000000000000000.index"), Buffer.alloc(8));
    }
    expect(batchesOf(dir, "t")).toMatchObject({ batches: 3, records: 7 });
    expect(batchesOf(join(dir, "missing"), "t")).toEqual({ batches: 0, records: 0, bytes: 0 });
  });
});
