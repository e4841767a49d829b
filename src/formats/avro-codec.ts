/**
 * The avsc types the connector encodes with, built once per schema with the options avro-value.ts
 * shapes values for: wrapped unions (the branch is named by the value, never guessed) and a
 * `long` that takes JS numbers and, beyond 2^53, bigints (avsc's own long refuses unsafe numbers).
 * Logical types are not registered: avsc writes their underlying int/long, which avro-value.ts
 * already computed (days, microseconds). Decoding gives numbers while safe, bigints beyond.
 */
import { Buffer } from "node:buffer";
import { Type, types } from "avsc";
import type { AvroSchema } from "./avro-schema.ts";
import { FRAME_HEADER_BYTES, writeFrameHeader } from "./wire.ts";

/** The avsc type for `schema`, as the connector encodes and the tests decode. */
export function avroType(schema: AvroSchema): Type {
  // avsc's schema typings know fewer attribute shapes than Avro allows; it parses any Avro JSON.
  const avscSchema = schema as unknown as Parameters<typeof Type.forSchema>[0];
  return Type.forSchema(avscSchema, { wrapUnions: "always", registry: { long: LOSSLESS_LONG } });
}

/** `value` (from avro-value.ts) encoded with `type` and framed for `schemaId`, in one new buffer. */
export function encodeFramed(type: Type, schemaId: number, value: unknown): Buffer {
  for (;;) {
    const end = type.encode(value, scratch, FRAME_HEADER_BYTES);
    if (end >= 0) {
      writeFrameHeader(scratch, schemaId);
      const framed = Buffer.allocUnsafe(end);
      scratch.copy(framed, 0, 0, end);
      return framed;
    }
    // avsc returns minus the bytes missing.
    scratch = Buffer.allocUnsafe(Math.max(scratch.length * 2, scratch.length - end));
  }
}

// --- internal ---

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const TWO_32 = 2 ** 32;

/** Reused between calls: encoding is synchronous. Grows to the largest value seen. */
let scratch = Buffer.allocUnsafe(64 * 1024);

function isLong(value: unknown): value is number | bigint {
  return (
    (typeof value === "number" && Number.isSafeInteger(value)) ||
    (typeof value === "bigint" && value >= LONG_MIN && value <= LONG_MAX)
  );
}

/** avsc's hook for custom longs: 8 little-endian two's complement bytes in and out. */
const LOSSLESS_LONG = types.LongType.__with({
  fromBuffer(buffer: Buffer): number | bigint {
    const high = buffer.readInt32LE(4);
    const value = high * TWO_32 + buffer.readUInt32LE(0);
    return Number.isSafeInteger(value) ? value : buffer.readBigInt64LE(0);
  },
  toBuffer(value: number | bigint): Buffer {
    const buffer = Buffer.allocUnsafe(8);
    if (typeof value === "bigint") {
      buffer.writeBigInt64LE(value);
    } else {
      const high = Math.floor(value / TWO_32);
      buffer.writeUInt32LE(value - high * TWO_32, 0);
      buffer.writeInt32LE(high, 4);
    }
    return buffer;
  },
  fromJSON(value: unknown): number | bigint {
    if (typeof value === "string" && /^-?\d+$/.test(value)) return normalize(BigInt(value));
    if (isLong(value)) return value;
    throw new Error("not a 64-bit integer");
  },
  toJSON(value: number | bigint): number | string {
    return typeof value === "bigint" ? value.toString() : value;
  },
  isValid: isLong,
  compare(a: number | bigint, b: number | bigint): number {
    return a < b ? -1 : a > b ? 1 : 0;
  },
});

function normalize(value: bigint): number | bigint {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}
