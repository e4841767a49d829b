import { afterAll, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { socketChunks } from "../../src/protocol/socket-connect.ts";

const dir = mkdtempSync(join(tmpdir(), "sock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  let text = "";
  for await (const chunk of chunks) text += new TextDecoder().decode(chunk);
  return text;
}

function serve(path: string, payload: string): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer((client) => client.end(payload));
    server.listen(path, () => resolve(server));
  });
}

describe("socketChunks", () => {
  it("waits for a socket that appears late, then reads it to its end", async () => {
    const path = join(dir, "late.sock");
    const reading = collect(socketChunks(path, { pollMs: 20, timeoutMs: 5000 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const server = await serve(path, "hello socket");
    expect(await reading).toBe("hello socket");
    server.close();
  });

  it("gives up with a clear error when the socket never appears", async () => {
    const path = join(dir, "never.sock");
    await expect(collect(socketChunks(path, { pollMs: 10, timeoutMs: 50 }))).rejects.toThrow(
      `The socket ${path} did not appear within 0.05 s: the source never opened it.`,
    );
  });

  it("says so when the file is there but nothing listens", async () => {
    const path = join(dir, "plain-file.sock");
    await Bun.write(path, "");
    await expect(collect(socketChunks(path, { pollMs: 10, timeoutMs: 50 }))).rejects.toThrow(
      `Connecting to the socket ${path} failed:`,
    );
  });
});
