import { afterAll, describe, expect, it } from "bun:test";
import { compressionsAlgorithms } from "@platformatic/kafka";
import { type Codec, createCompressor } from "../../src/kafka/compressor.ts";
import {
  type BatchRecord,
  encodeRecordBatch,
  encodeRecordsSection,
  frameBatch,
  NO_PRODUCER,
} from "../../src/kafka/record-batch.ts";

const CODECS: Codec[] = ["gzip", "snappy", "lz4", "zstd"];
const compressor = createCompressor();
afterAll(() => compressor.close());

/** A section of its own: its buffer is transferred to the worker. */
function section(seed: number, length = 64 * 1024): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (seed * 31 + (i % 97) + (i >> 9)) & 0xff;
  return bytes;
}

describe("the compression worker", () => {
  it.each(CODECS)("compresses what the client's codec decompresses to the input (%s)", async (codec) => {
    const input = section(1);
    const expected = input.slice();
    const compressed = await compressor.compress(codec, input);
    expect(input.byteLength).toBe(0); // transferred, not copied
    const decompressed = compressionsAlgorithms[codec].decompressSync(Buffer.from(compressed));
    expect(Buffer.from(decompressed).equals(Buffer.from(expected))).toBe(true);
  });

  it("answers in the order the sections were handed over, under concurrency", async () => {
    const inputs = Array.from({ length: 40 }, (_, i) => section(i, 1024 + i * 997));
    const expected = inputs.map((input) => input.slice());
    const done: number[] = [];
    const outputs = await Promise.all(
      inputs.map((input, i) =>
        compressor.compress(CODECS[i % CODECS.length] as Codec, input).then((out) => {
          done.push(i);
          return out;
        }),
      ),
    );
    expect(done).toEqual(inputs.map((_, i) => i));
    outputs.forEach((out, i) => {
      const codec = CODECS[i % CODECS.length] as Codec;
      const back = compressionsAlgorithms[codec].decompressSync(Buffer.from(out));
      expect(Buffer.from(back).equals(Buffer.from(expected[i] as Uint8Array))).toBe(true);
    });
  });

  it.each(CODECS)("frames the same batch as the synchronous encoder (%s)", async (compression) => {
    const records: BatchRecord[] = Array.from({ length: 200 }, (_, i) => ({
      key: Buffer.from(`key-${i}`),
      value: Buffer.from(JSON.stringify({ i, text: "abc ".repeat(i % 30) })),
    }));
    const options = { ...NO_PRODUCER, compression, timestamp: 1_700_000_000_123 };
    const section = encodeRecordsSection(records, options.timestamp);
    const framed = frameBatch(await compressor.compress(compression, section.bytes), section, options);
    expect(framed.equals(encodeRecordBatch(records, options))).toBe(true);
  });

  it("fails what is pending once closed, and starts again when used again", async () => {
    const own = createCompressor();
    const pending = own.compress("lz4", section(2, 1 << 20));
    own.close();
    await expect(pending).rejects.toThrow("closed");
    expect((await own.compress("lz4", section(3))).length).toBeGreaterThan(0);
    own.close();
  });
});
