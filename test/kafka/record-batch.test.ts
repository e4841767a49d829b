import { describe, expect, it } from "bun:test";
import { jsCRC32C, Reader, readRecordsBatch } from "@platformatic/kafka";
import { type BatchRecord, encodeRecordBatch, NO_PRODUCER } from "../../src/kafka/record-batch.ts";

const records: BatchRecord[] = Array.from({ length: 300 }, (_, i) => ({
  key: i % 7 === 0 ? undefined : Buffer.from(`key-${i}`),
  value: Buffer.from(JSON.stringify({ i, text: "é€😀 ".repeat(i % 50) })),
}));

describe("encodeRecordBatch writes Kafka's RecordBatch v2", () => {
  it.each(["none", "gzip", "snappy", "lz4", "zstd"] as const)(
    "that the client's own reader decodes, record for record (%s)",
    (compression) => {
      const batch = encodeRecordBatch(records, { ...NO_PRODUCER, compression, timestamp: 1_700_000_000_123 });
      const decoded = readRecordsBatch(Reader.from(batch));
      expect(decoded.magic).toBe(2);
      expect(decoded.length).toBe(batch.length - 12);
      expect(decoded.lastOffsetDelta).toBe(records.length - 1);
      expect(decoded.firstTimestamp).toBe(1_700_000_000_123n);
      expect(decoded.producerId).toBe(-1n);
      expect(decoded.firstSequence).toBe(-1);
      expect(decoded.records).toHaveLength(records.length);
      decoded.records.forEach((record, i) => {
        expect(record.offsetDelta).toBe(i);
        expect(record.timestampDelta).toBe(0n);
        expect(record.key ? Buffer.from(record.key).toString() : undefined).toBe(records[i]?.key?.toString());
        expect(Buffer.from(record.value ?? []).equals(Buffer.from(records[i]?.value ?? []))).toBe(true);
        expect(record.headers).toEqual([]);
      });
      // CRC-32C over attributes..end, checked with the client's pure-JS implementation.
      expect(decoded.crc).toBe(jsCRC32C(batch.subarray(21)) >>> 0);
    },
  );

  it("carries the producer id, epoch, base sequence and the transactional bit", () => {
    const batch = encodeRecordBatch(records.slice(0, 3), {
      compression: "none",
      timestamp: 1,
      producerId: 4242n,
      producerEpoch: 7,
      baseSequence: 99,
      transactional: true,
    });
    const decoded = readRecordsBatch(Reader.from(batch));
    expect(decoded.producerId).toBe(4242n);
    expect(decoded.producerEpoch).toBe(7);
    expect(decoded.firstSequence).toBe(99);
    expect(decoded.attributes & (1 << 4)).toBe(1 << 4);
  });

  it("writes varints for every size a record can have", () => {
    for (const size of [0, 1, 63, 64, 127, 128, 8191, 8192, 16383, 16384, 2_097_151, 2_097_152]) {
      const batch = encodeRecordBatch([{ key: undefined, value: Buffer.alloc(size, 7) }], {
        ...NO_PRODUCER,
        compression: "none",
        timestamp: 0,
      });
      const [record] = readRecordsBatch(Reader.from(batch)).records;
      expect(record?.value?.length).toBe(size);
      expect(record?.key).toBeNull();
    }
  });

  it("writes each record's own timestamp as a delta and its headers", () => {
    const batch = encodeRecordBatch(
      [
        { key: undefined, value: Buffer.from("a"), timestamp: 1_600_000_000_000 },
        {
          key: undefined,
          value: Buffer.from("b"),
          timestamp: 1_700_000_000_000, // ~3 years later: a delta beyond 32 bits of ms
          headers: [[Buffer.from("h1"), Buffer.from("ünï")]],
        },
        { key: undefined, value: Buffer.from("c") }, // the producer's clock
      ],
      { ...NO_PRODUCER, compression: "lz4", timestamp: 1_650_000_000_000 },
    );
    const decoded = readRecordsBatch(Reader.from(batch));
    expect(decoded.firstTimestamp).toBe(1_600_000_000_000n);
    expect(decoded.maxTimestamp).toBe(1_700_000_000_000n);
    expect(decoded.records.map((record) => record.timestampDelta)).toEqual([
      0n,
      100_000_000_000n,
      50_000_000_000n,
    ]);
    const [name, value] = decoded.records[1]?.headers[0] ?? [];
    expect(Buffer.from(name ?? []).toString()).toBe("h1");
    expect(Buffer.from(value ?? []).toString()).toBe("ünï");
    expect(decoded.records[0]?.headers).toEqual([]);
  });

  it("writes a tombstone's missing value as length -1 and no bytes, byte for byte", () => {
    const batch = encodeRecordBatch([{ key: Buffer.from("k-1"), value: null }], {
      ...NO_PRODUCER,
      compression: "none",
      timestamp: 0,
    });
    // length 9 (zigzag 0x12) | attributes | timestamp delta | offset delta | key length 3 (0x06) |
    // "k-1" | value length -1 (zigzag 0x01) | no headers
    expect([...batch.subarray(61)]).toEqual([0x12, 0, 0, 0, 0x06, 0x6b, 0x2d, 0x31, 0x01, 0]);
    expect(batch.readInt32BE(8)).toBe(batch.length - 12);
    expect(batch.readUInt32BE(17)).toBe(jsCRC32C(batch.subarray(21)) >>> 0);
  });

  it.each(["none", "zstd"] as const)(
    "tombstones between records decode as records without a value, the others intact (%s)",
    (compression) => {
      const mixed: BatchRecord[] = [
        { key: Buffer.from("a"), value: Buffer.from("1") },
        { key: Buffer.from("a"), value: null },
        { key: Buffer.from("b"), value: Buffer.alloc(0) },
      ];
      const decoded = readRecordsBatch(
        Reader.from(encodeRecordBatch(mixed, { ...NO_PRODUCER, compression, timestamp: 5 })),
      );
      expect(
        decoded.records.map((r) => [
          Buffer.from(r.key ?? []).toString(),
          r.value === null ? null : Buffer.from(r.value).toString(),
        ]),
      ).toEqual([
        ["a", "1"],
        ["a", null],
        ["b", ""],
      ]);
    },
  );
});
