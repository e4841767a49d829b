/**
 * Record values carved out of large, reused buffers. A profile of `write` showed the cost of a
 * value is not the encoding but its memory: each small buffer was fresh memory (page faults,
 * then garbage to collect), and in Bun the first view of a small standalone buffer (the key is a
 * view of the id inside the value) copies it out of line. Values carved from a slab need neither,
 * and a slab whose values have all been released is used again instead of being left to the
 * collector, which also keeps the resident set flat.
 *
 * The rule that makes reuse safe: `release()` is called once per allocation, only when nothing
 * will read the value again (its send has settled: acknowledged, or failed for good). A value that
 * is never released is simply collected with its slab.
 */
import { Buffer } from "node:buffer";

/** The slab a value was carved from: release the value through it. */
export interface SlabMemory {
  release(): void;
}

export interface SlabPool {
  /** A buffer of `length` bytes and the memory to release it through (undefined: not pooled). */
  allocate(length: number): { buffer: Buffer; memory: SlabMemory | undefined };
  /** Slabs waiting for reuse, for tests and progress figures. */
  readonly free: number;
}

/** Bytes per slab; a value bigger than a quarter of that gets memory of its own. */
export const SLAB_BYTES = 256 * 1024;

/** Free slabs kept for reuse (8 MiB); more are left to the collector. */
const MAX_FREE = 32;

/**
 * A larger buffer (a record batch of up to max_request_size) comes from a block of its own, whose
 * size is the next power of two; blocks of up to this size are reused too, for the same reason
 * as slabs: a fresh megabyte per batch was a thousand page faults per batch.
 */
export const MAX_BLOCK_BYTES = 4 * 1024 * 1024;

/** Bytes of free blocks kept for reuse; more are left to the collector. */
const MAX_FREE_BLOCK_BYTES = 16 * 1024 * 1024;

export function createSlabPool(): SlabPool {
  const free: Slab[] = [];
  const recycle = (slab: Slab) => {
    if (free.length < MAX_FREE) free.push(slab);
  };
  const blocks = createBlockPool();
  let current = new Slab(recycle);
  return {
    allocate(length) {
      if (length > SLAB_BYTES / 4) return blocks.allocate(length);
      if (current.used + length > SLAB_BYTES) {
        current.seal();
        current = free.pop()?.reset() ?? new Slab(recycle);
      }
      return { buffer: current.carve(length), memory: current };
    },
    get free() {
      return free.length;
    },
  };
}

// --- internal ---

/** Blocks by size class (a power of two), reused once released, up to MAX_FREE_BLOCK_BYTES in all. */
function createBlockPool(): Pick<SlabPool, "allocate"> {
  const free = new Map<number, ArrayBuffer[]>();
  let freeBytes = 0;
  const recycle = (bytes: ArrayBuffer) => {
    if (freeBytes + bytes.byteLength > MAX_FREE_BLOCK_BYTES) return;
    freeBytes += bytes.byteLength;
    const list = free.get(bytes.byteLength) ?? [];
    free.set(bytes.byteLength, list);
    list.push(bytes);
  };
  return {
    allocate(length) {
      if (length > MAX_BLOCK_BYTES) return { buffer: Buffer.allocUnsafe(length), memory: undefined };
      const size = 2 ** Math.ceil(Math.log2(length));
      let bytes = free.get(size)?.pop();
      if (bytes) freeBytes -= size;
      else bytes = new ArrayBuffer(size);
      return { buffer: Buffer.from(bytes, 0, length), memory: new Block(bytes, recycle) };
    },
  };
}

/** One buffer's block, released once. */
class Block implements SlabMemory {
  private released = false;

  constructor(
    private readonly bytes: ArrayBuffer,
    private readonly recycle: (bytes: ArrayBuffer) => void,
  ) {}

  release(): void {
    if (this.released) throw new Error("a slab value was released twice");
    this.released = true;
    this.recycle(this.bytes);
  }
}

class Slab implements SlabMemory {
  readonly bytes = new ArrayBuffer(SLAB_BYTES);
  used = 0;
  /** Values carved and not yet released. */
  live = 0;
  /** No more values will be carved (until reset): it can be reused once `live` is 0. */
  sealed = false;

  constructor(private readonly recycle: (slab: Slab) => void) {}

  carve(length: number): Buffer {
    const buffer = Buffer.from(this.bytes, this.used, length);
    this.used += length;
    this.live++;
    return buffer;
  }

  seal(): void {
    this.sealed = true;
    if (this.live === 0) this.recycle(this);
  }

  reset(): this {
    this.used = 0;
    this.sealed = false;
    return this;
  }

  release(): void {
    if (this.live === 0) throw new Error("a slab value was released twice");
    this.live--;
    if (this.live === 0 && this.sealed) this.recycle(this);
  }
}
