/**
 * Kafka's RecordBatch (magic 2), encoded straight into one buffer: the connector's hot path. The
 * client builds a writer object per record and copies the batch twice (for the CRC, then for the
 * request); here each record's varints and bytes are written once, in place.
 *
 *   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
 *   attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 |
 *   producerId int64 | producerEpoch int16 | baseSequence int32 | recordCount int32 | records
 *   record: length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
 *           keyLength varint | key | valueLength varint | value | headerCount varint |
 *           [headerKeyLength varint | headerKey | headerValueLength varint | headerValue]
 *   (a missing key or value — a tombstone's — is length -1 and no bytes)
 *
 * The CRC-32C covers attributes to the end; with compression, the records section is compressed.
 */
import { Buffer } from "node:buffer";
import { compressionsAlgorithms, crc32c } from "@platformatic/kafka";
import type { CompressionType } from "./client-options.ts";

export interface BatchRecord {
  key: Uint8Array | undefined;
  /** null: a tombstone. */
  value: Uint8Array | null;
  /** Epoch ms; records without one get the batch's `timestamp`. */
  timestamp?: number | undefined;
  headers?: [Uint8Array, Uint8Array][] | undefined;
}

export interface BatchOptions {
  compression: CompressionType;
  /** Epoch ms for the records that carry none (the producer's clock, as the Java client stamps it). */
  timestamp: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  transactional: boolean;
  /** Where the batch's memory comes from (default: a buffer of its own). */
  allocate?: ((length: number) => Buffer) | undefined;
}

/** Producer fields of a batch written by a producer that is neither idempotent nor transactional. */
export const NO_PRODUCER = { producerId: -1n, producerEpoch: -1, baseSequence: -1, transactional: false };

export function encodeRecordBatch(records: BatchRecord[], options: BatchOptions): Buffer {
  const allocate = options.allocate ?? Buffer.allocUnsafe;
  if (options.compression === "none") {
    // Without compression the records are written in place after the header: no copy of the batch.
    const { first, last } = timestampRange(records, options.timestamp);
    const batch = encodeRecords(records, first, options.timestamp, HEADER_BYTES, allocate);
    writeHeader(batch, { count: records.length, first, last }, options);
    return batch;
  }
  const section = encodeRecordsSection(records, options.timestamp);
  return frameBatch(
    compressionsAlgorithms[options.compression].compressSync(section.bytes),
    section,
    options,
  );
}

/** A batch's records section before compression, with what its header says about the records. */
export interface RecordsSection extends SectionFacts {
  /** In an ArrayBuffer of its own, so it can be transferred to a worker. */
  bytes: Buffer<ArrayBuffer>;
}

/** The records section of a batch to be compressed: compress `bytes`, then `frameBatch` the result. */
export function encodeRecordsSection(records: BatchRecord[], fallback: number): RecordsSection {
  const { first, last } = timestampRange(records, fallback);
  const own = (length: number) => Buffer.from(new ArrayBuffer(length));
  return { bytes: encodeRecords(records, first, fallback, 0, own), count: records.length, first, last };
}

/** A whole batch around a records section compressed with `options.compression`. */
export function frameBatch(payload: Uint8Array, section: SectionFacts, options: BatchOptions): Buffer {
  const batch = (options.allocate ?? Buffer.allocUnsafe)(HEADER_BYTES + payload.length);
  batch.set(payload, HEADER_BYTES);
  writeHeader(batch, section, options);
  return batch;
}

// --- internal ---

const HEADER_BYTES = 61;
const TRANSACTIONAL = 1 << 4;

interface SectionFacts {
  count: number;
  /** The lowest and highest record timestamps. */
  first: number;
  last: number;
}

function timestampRange(records: BatchRecord[], fallback: number): { first: number; last: number } {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const record of records) {
    const timestamp = record.timestamp ?? fallback;
    if (timestamp < first) first = timestamp;
    if (timestamp > last) last = timestamp;
  }
  return { first, last };
}

/** The 61-byte header, CRC-32C last (it covers attributes to the end). */
function writeHeader(batch: Buffer, section: SectionFacts, options: BatchOptions): void {
  batch.writeBigInt64BE(0n, 0); // baseOffset: the broker assigns offsets
  batch.writeInt32BE(batch.length - 12, 8); // batchLength: from partitionLeaderEpoch on
  batch.writeInt32BE(-1, 12); // partitionLeaderEpoch: set by the broker
  batch.writeInt8(2, 16); // magic
  const codec = options.compression === "none" ? 0 : compressionsAlgorithms[options.compression].bitmask;
  batch.writeInt16BE(codec | (options.transactional ? TRANSACTIONAL : 0), 21);
  batch.writeInt32BE(section.count - 1, 23); // lastOffsetDelta
  batch.writeBigInt64BE(BigInt(section.first), 27); // baseTimestamp
  batch.writeBigInt64BE(BigInt(section.last), 35); // maxTimestamp
  batch.writeBigInt64BE(options.producerId, 43);
  batch.writeInt16BE(options.producerEpoch, 51);
  batch.writeInt32BE(options.baseSequence, 53);
  batch.writeInt32BE(section.count, 57);
  batch.writeUInt32BE(crc32c(batch.subarray(21)) >>> 0, 17);
}

/**
 * All records, each with its timestamp as a delta from `base` and its headers, written after `offset`
 * bytes left for the caller (the returned buffer starts at 0 and ends after the last record).
 */
function encodeRecords<B extends ArrayBufferLike>(
  records: BatchRecord[],
  base: number,
  fallback: number,
  offset: number,
  allocate: (length: number) => Buffer<B>,
): Buffer<B> {
  let total = offset;
  for (const record of records) {
    total += MAX_RECORD_OVERHEAD + (record.key?.length ?? 0) + (record.value?.length ?? 0);
    for (const [name, value] of record.headers ?? []) total += 10 + name.length + value.length;
  }
  const out = allocate(total);
  let at = offset;
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as BatchRecord;
    const keyLength = record.key?.length ?? -1;
    const valueLength = record.value?.length ?? -1;
    const delta = (record.timestamp ?? fallback) - base;
    let headersLength = varintSize(record.headers?.length ?? 0);
    for (const [name, value] of record.headers ?? []) {
      headersLength += varintSize(name.length) + name.length + varintSize(value.length) + value.length;
    }
    const bodyLength =
      1 + // attributes
      varlongSize(delta) +
      varintSize(i) +
      varintSize(keyLength) +
      Math.max(keyLength, 0) +
      varintSize(valueLength) +
      Math.max(valueLength, 0) +
      headersLength;
    at = writeVarint(out, at, bodyLength);
    out[at++] = 0; // attributes
    at = writeVarlong(out, at, delta);
    at = writeVarint(out, at, i);
    at = writeVarint(out, at, keyLength);
    if (record.key) {
      out.set(record.key, at);
      at += keyLength;
    }
    at = writeVarint(out, at, valueLength);
    if (record.value) {
      out.set(record.value, at);
      at += valueLength;
    }
    at = writeVarint(out, at, record.headers?.length ?? 0);
    for (const [name, value] of record.headers ?? []) {
      at = writeVarint(out, at, name.length);
      out.set(name, at);
      at += name.length;
      at = writeVarint(out, at, value.length);
      out.set(value, at);
      at += value.length;
    }
  }
  return out.subarray(0, at);
}

/** Length varint (≤ 5) + attributes + timestampDelta (≤ 10) + offsetDelta, 2 lengths, header count (≤ 5 each). */
const MAX_RECORD_OVERHEAD = 5 + 1 + 10 + 5 + 5 + 5 + 5;

/** Size of `value` as a zigzag varint. */
function varintSize(value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let size = 1;
  while (v >= 0x80) {
    v >>>= 7;
    size++;
  }
  return size;
}

/** Size of a non-negative `value` (< 2^52) as a zigzag varlong. */
function varlongSize(value: number): number {
  let v = value * 2;
  let size = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    size++;
  }
  return size;
}

/** Writes a non-negative `value` (< 2^52) as a zigzag varlong, without BigInt. */
function writeVarlong(out: Buffer, at: number, value: number): number {
  let v = value * 2;
  let i = at;
  while (v >= 0x80) {
    out[i++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[i++] = v;
  return i;
}

function writeVarint(out: Buffer, at: number, value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let i = at;
  while (v >= 0x80) {
    out[i++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[i++] = v;
  return i;
}
