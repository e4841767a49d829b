import { describe, expect, it } from "bun:test";
import { closeSync, mkdtempSync, openSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reusedChunks } from "../../src/protocol/stdin.ts";

describe("reusedChunks", () => {
  it("reads a file descriptor to its end through one reused buffer", async () => {
    const content = new Uint8Array(2_500_000).map((_, i) => (i * 31) % 256);
    const path = join(mkdtempSync(join(tmpdir(), "stdin-")), "input");
    writeFileSync(path, content);
    const fd = openSync(path, "r");
    try {
      const copies: Uint8Array[] = [];
      const buffers = new Set<ArrayBufferLike>();
      for await (const chunk of reusedChunks(fd, 1 << 20)) {
        buffers.add(chunk.buffer);
        copies.push(new Uint8Array(chunk));
      }
      expect(copies.map((c) => c.length)).toEqual([1 << 20, 1 << 20, 2_500_000 - 2 * (1 << 20)]);
      expect(Buffer.concat(copies).equals(Buffer.from(content))).toBe(true);
      expect(buffers.size).toBe(1);
    } finally {
      closeSync(fd);
    }
  });
});
