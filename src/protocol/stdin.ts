/**
 * Input chunks read from a file descriptor into one buffer that is used again for every read. A
 * sync moves hundreds of megabytes through stdin; a fresh buffer per chunk made that much garbage,
 * and garbage is what set the connector's resident memory. Each chunk is valid only until the next
 * one is requested: readLines copies what it keeps across chunks, and a line is handled before the
 * next chunk is read.
 */
import { Buffer } from "node:buffer";
import { read } from "node:fs";

export const CHUNK_BYTES = 1024 * 1024;

export async function* reusedChunks(fd: number, size: number = CHUNK_BYTES): AsyncGenerator<Uint8Array> {
  const buffer = Buffer.allocUnsafe(size);
  const readInto = () =>
    new Promise<number>((resolve, reject) =>
      read(fd, buffer, 0, size, null, (error, bytes) => (error ? reject(error) : resolve(bytes))),
    );
  for (;;) {
    const bytes = await readInto();
    if (bytes === 0) return;
    yield buffer.subarray(0, bytes);
  }
}
