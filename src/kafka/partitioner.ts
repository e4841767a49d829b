/**
 * Kafka's default partitioner for keyed records, as the Java client computes it
 * (org.apache.kafka.common.utils.Utils.murmur2, then toPositive, modulo the partition count), so
 * every client puts a key on the same partition. In 32-bit integer arithmetic: the client's own
 * port uses BigInt and costs more than the rest of a record's encoding.
 */
/** Murmur2, 32-bit, seed 0x9747b28c — byte for byte Java's `Utils.murmur2`. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k =
      (data[i] as number) |
      ((data[i + 1] as number) << 8) |
      ((data[i + 2] as number) << 16) |
      ((data[i + 3] as number) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= (data[whole + 2] as number) << 16;
  if (rest >= 2) h ^= (data[whole + 1] as number) << 8;
  if (rest >= 1) {
    h ^= data[whole] as number;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition a keyed record goes to, among `count`, as Java's default partitioner picks it. A
 * topic of one partition needs no hash (it was 2% of a sync's time).
 */
export function keyedPartition(key: Uint8Array, count: number): number {
  return count === 1 ? 0 : (murmur2(key) & 0x7fffffff) % count;
}
