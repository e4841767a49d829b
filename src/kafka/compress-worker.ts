/**
 * The compression worker: compresses record batches' records sections off the main thread, in the
 * order they arrive, with the client's own codecs (the same bytes its producer would send).
 */
import { Buffer } from "node:buffer";
import { compressionsAlgorithms } from "@platformatic/kafka";
import type { CompressRequest, CompressResponse } from "./compressor.ts";

declare const self: {
  onmessage: ((event: MessageEvent<CompressRequest>) => void) | null;
  postMessage(message: CompressResponse, transfer: ArrayBuffer[]): void;
};

self.onmessage = ({ data: { id, algorithm, section } }) => {
  try {
    // A copy of the codec's output into a buffer of its own, which can be transferred back.
    const input = Buffer.from(section.buffer, section.byteOffset, section.length);
    const compressed = new Uint8Array(compressionsAlgorithms[algorithm].compressSync(input));
    self.postMessage({ id, compressed }, [compressed.buffer]);
  } catch (error) {
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error) }, []);
  }
};
