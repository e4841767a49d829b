/** Hand-written wire bytes for the codec tests: each helper is one Kafka primitive type. */
import { Buffer } from "node:buffer";
import { Reader, type Writer } from "@platformatic/kafka";

export const int8 = (v: number) => Buffer.from([v & 0xff]);
export const int16 = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
};
export const int32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
};
export const int64 = (v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
};
export const bool = (v: boolean) => int8(v ? 1 : 0);
/** STRING / NULLABLE_STRING: INT16 length (-1: null). */
export const str = (v: string | null) =>
  v === null ? int16(-1) : Buffer.concat([int16(Buffer.byteLength(v)), Buffer.from(v)]);
/** Unsigned varint (lengths of compact types are length + 1). */
export const uvarint = (v: number) => {
  const out: number[] = [];
  let n = v;
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
};
/** COMPACT_STRING / COMPACT_NULLABLE_STRING. */
export const cstr = (v: string | null) =>
  v === null ? uvarint(0) : Buffer.concat([uvarint(Buffer.byteLength(v) + 1), Buffer.from(v)]);
/** ARRAY: INT32 count, then the entries. */
export const arr = (...entries: Buffer[]) => Buffer.concat([int32(entries.length), ...entries]);
/** COMPACT_ARRAY: count + 1, then the entries. */
export const carr = (...entries: Buffer[]) => Buffer.concat([uvarint(entries.length + 1), ...entries]);
/** An empty tagged-fields section. */
export const tags = () => uvarint(0);
export const cat = (...parts: Buffer[]) => Buffer.concat(parts);

export const bytesOf = (writer: Writer): Buffer => Buffer.from(writer.buffer);
export const readerOf = (bytes: Buffer): Reader => Reader.from(bytes);
