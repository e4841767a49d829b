/**
 * The compression codecs of the record batches a local test broker stored for a topic, read from
 * its log segments on disk (the broker keeps the producer's compression), so a test can tell that
 * a codec was really used rather than silently skipped.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { brokerDir } from "../../scripts/kafka/paths.ts";

const CODECS = ["none", "gzip", "snappy", "lz4", "zstd"] as const;

export function storedCodecs(broker: string, topic: string): string[] {
  const data = join(brokerDir(broker), "data");
  const codecs = new Set<string>();
  for (const dir of readdirSync(data).filter((name) => name.startsWith(`${topic}-`))) {
    const segment = join(data, dir, "00000000000000000000.log");
    if (!existsSync(segment)) continue;
    const bytes = readFileSync(segment);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // Record batch v2: baseOffset int64, batchLength int32, leaderEpoch int32, magic int8, crc int32, attributes int16.
    for (let at = 0; at + 23 <= bytes.length; at += 12 + view.getInt32(at + 8)) {
      if (view.getInt32(at + 8) <= 0) break;
      codecs.add(CODECS[view.getInt16(at + 21) & 0x7] ?? "unknown");
    }
  }
  return [...codecs].sort();
}
