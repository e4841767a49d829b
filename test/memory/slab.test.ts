import { describe, expect, it } from "bun:test";
import { createSlabPool, MAX_BLOCK_BYTES, SLAB_BYTES } from "../../src/memory/slab.ts";

/** Fills a slab's worth of `size`-byte values, each with its own byte, and returns them. */
function fill(pool: ReturnType<typeof createSlabPool>, size: number, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const value = pool.allocate(size);
    value.buffer.fill(i % 251);
    return { ...value, mark: i % 251 };
  });
}

describe("slab pool", () => {
  it("carves values that do not overlap, in one slab until it is full", () => {
    const pool = createSlabPool();
    const values = fill(pool, 1000, SLAB_BYTES / 1000);
    expect(new Set(values.map((v) => v.memory)).size).toBe(1);
    for (const value of values) expect(value.buffer.every((b) => b === value.mark)).toBe(true);
  });

  it("reuses a full slab only once every value carved from it is released", () => {
    const pool = createSlabPool();
    const first = fill(pool, 1024, SLAB_BYTES / 1024);
    const firstSlab = first[0]?.memory;
    for (const value of first.slice(1)) value.memory?.release();
    // Full but one value still live: the next values come from a new slab.
    const second = fill(pool, 1024, SLAB_BYTES / 1024);
    expect(second[0]?.memory).not.toBe(firstSlab);
    expect(pool.free).toBe(0);
    expect(first[0]?.buffer.every((b) => b === first[0]?.mark)).toBe(true);
    first[0]?.memory?.release();
    expect(pool.free).toBe(1);
    fill(pool, 1024, 1);
    expect(pool.free).toBe(0);
  });

  it("a slab still being carved is not reused when its values are released", () => {
    const pool = createSlabPool();
    const [value] = fill(pool, 100, 1);
    value?.memory?.release();
    expect(pool.free).toBe(0);
    const [next] = fill(pool, 100, 1);
    expect(next?.memory).toBe(value?.memory);
    expect(next?.buffer.byteOffset).toBe(100);
  });

  it("gives a value over a quarter slab a block of its own, the next power of two", () => {
    const pool = createSlabPool();
    const big = pool.allocate(SLAB_BYTES / 4 + 1);
    expect(big.buffer.length).toBe(SLAB_BYTES / 4 + 1);
    expect(big.buffer.buffer.byteLength).toBe(SLAB_BYTES / 2);
    expect(big.buffer.byteOffset).toBe(0);
  });

  it("reuses a block only once released, for a value of its size class", () => {
    const pool = createSlabPool();
    const first = pool.allocate(1_000_000);
    const second = pool.allocate(900_000);
    expect(second.buffer.buffer).not.toBe(first.buffer.buffer);
    first.memory?.release();
    const third = pool.allocate(600_000);
    expect(third.buffer.buffer).toBe(first.buffer.buffer);
    expect(third.buffer.length).toBe(600_000);
    // Another size class does not take it.
    second.memory?.release();
    expect(pool.allocate(3_000_000).buffer.buffer).not.toBe(second.buffer.buffer);
  });

  it("keeps at most 16 MiB of free blocks, and none over MAX_BLOCK_BYTES", () => {
    const pool = createSlabPool();
    const blocks = Array.from({ length: 5 }, () => pool.allocate(MAX_BLOCK_BYTES));
    for (const block of blocks) block.memory?.release();
    const again = Array.from({ length: 5 }, () => pool.allocate(MAX_BLOCK_BYTES).buffer.buffer);
    const reused = again.filter((bytes) => blocks.some((block) => block.buffer.buffer === bytes));
    expect(reused).toHaveLength(4);
    const huge = pool.allocate(MAX_BLOCK_BYTES + 1);
    expect(huge.memory).toBeUndefined();
    expect(huge.buffer.length).toBe(MAX_BLOCK_BYTES + 1);
  });

  it("refuses a second release of a block", () => {
    const { memory } = createSlabPool().allocate(SLAB_BYTES);
    memory?.release();
    expect(() => memory?.release()).toThrow("released twice");
  });

  it("refuses a second release of the same value's memory", () => {
    const pool = createSlabPool();
    const { memory } = pool.allocate(10);
    memory?.release();
    expect(() => memory?.release()).toThrow("released twice");
  });
});
