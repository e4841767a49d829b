/**
 * Compression off the main thread. lz4 in the client's wasm runs at ~430 MB/s on the thread that
 * also parses and encodes: with compression on, that thread was the bottleneck. One worker, started
 * on the first batch to compress, compresses records sections in the order they are handed over
 * (a worker handles its messages one at a time), so batches of a partition keep their order.
 * Memory is bounded by the caller: only batches whose records are in flight are ever queued.
 */
import type { CompressionType } from "./client-options.ts";

export type Codec = Exclude<CompressionType, "none">;

export interface CompressRequest {
  id: number;
  algorithm: Codec;
  section: Uint8Array<ArrayBuffer>;
}

export type CompressResponse = { id: number; compressed: Uint8Array } | { id: number; error: string };

export interface Compressor {
  /** The section compressed; the section's whole ArrayBuffer is transferred (unusable after). */
  compress(algorithm: Codec, section: Uint8Array<ArrayBuffer>): Promise<Uint8Array>;
  /** Stops the worker; compressions still pending fail. */
  close(): void;
}

export function createCompressor(): Compressor {
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, { resolve(bytes: Uint8Array): void; reject(error: Error): void }>();
  const failAll = (error: Error) => {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  const start = () => {
    const started = new Worker(WORKER_URL, { type: "module" });
    started.onmessage = ({ data }: MessageEvent<CompressResponse>) => {
      const waiter = pending.get(data.id);
      pending.delete(data.id);
      // An idle worker does not keep the process alive (Bun; Deno's worker ends with close()).
      if (pending.size === 0) keepAlive(started, false);
      if ("error" in data) waiter?.reject(new Error(`compression failed: ${data.error}`));
      else waiter?.resolve(data.compressed);
    };
    started.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      started.terminate();
      worker = undefined;
      failAll(new Error(`compression worker failed: ${event.message}`));
    };
    return started;
  };
  return {
    compress(algorithm, section) {
      worker ??= start();
      const target = worker;
      if (pending.size === 0) keepAlive(target, true);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        const request: CompressRequest = { id, algorithm, section };
        target.postMessage(request, [section.buffer]);
      });
    },
    close() {
      worker?.terminate();
      worker = undefined;
      failAll(new Error("the compressor is closed"));
    },
  };
}

// --- internal ---

/**
 * The worker's module. In the compiled executable every module's `import.meta.url` is the
 * executable's, at the root of its file system, and the worker entrypoint (build.ts) sits there at
 * its path under src/; from source (Bun, Deno, tests) it sits beside this file.
 */
const WORKER_URL = import.meta.url.startsWith("file:///$bunfs/")
  ? new URL("./kafka/compress-worker.ts", import.meta.url).href
  : new URL("./compress-worker.ts", import.meta.url).href;

/** Bun's workers can be unreferenced; Deno's cannot (there, close() ends the worker). */
function keepAlive(worker: Worker, alive: boolean): void {
  const counted = worker as Worker & Partial<{ ref(): void; unref(): void }>;
  if (alive) counted.ref?.();
  else counted.unref?.();
}
