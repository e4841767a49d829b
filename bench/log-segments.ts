/**
 * What a producer actually batched, read from the broker's own log segments: every RecordBatch of
 * a topic's partitions, counted with its records and bytes. Kafka keeps a producer's batches as
 * they arrived (a batch is one request's partition data), so records per batch is the producer's
 * batching, whatever its settings say.
 *
 *   batch: baseOffset int64 | batchLength int32 | … | recordCount int32 (at byte 57) | records
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface Batches {
  batches: number;
  records: number;
  /** Bytes of the batches as stored (compressed, with their headers). */
  bytes: number;
}

/** The batches of `topic` in log dir `logDir` (the partitions' `<topic>-<n>/*.log` segments). */
export function batchesOf(logDir: string, topic: string): Batches {
  const total: Batches = { batches: 0, records: 0, bytes: 0 };
  if (!existsSync(logDir)) return total;
  for (const entry of readdirSync(logDir)) {
    if (!new RegExp(`^${topic.replace(/[.]/g, "\\.")}-\\d+$`).test(entry)) continue;
    for (const file of readdirSync(join(logDir, entry))) {
      if (!file.endsWith(".log")) continue;
      const counted = countBatches(readFileSync(join(logDir, entry, file)));
      total.batches += counted.batches;
      total.records += counted.records;
      total.bytes += counted.bytes;
    }
  }
  return total;
}

/** The batches laid end to end in one segment file's bytes (a torn tail is left out). */
export function countBatches(segment: Uint8Array): Batches {
  const view = new DataView(segment.buffer, segment.byteOffset, segment.byteLength);
  const counted: Batches = { batches: 0, records: 0, bytes: 0 };
  for (let at = 0; at + 61 <= segment.length; ) {
    const size = 12 + view.getInt32(at + 8);
    if (size < 61 || at + size > segment.length) break;
    counted.batches++;
    counted.records += view.getInt32(at + 57);
    counted.bytes += size;
    at += size;
  }
  return counted;
}
