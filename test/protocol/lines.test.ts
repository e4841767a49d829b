import { describe, expect, it } from "bun:test";
import { readLines } from "../../src/protocol/lines.ts";

async function collect(chunks: (string | Uint8Array)[], max = 1024): Promise<unknown[]> {
  async function* source() {
    for (const chunk of chunks) yield typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
  }
  const out: unknown[] = [];
  for await (const batch of readLines(source(), max))
    for (const line of batch) {
      out.push(
        line.bytes === undefined ? line : { number: line.number, text: new TextDecoder().decode(line.bytes) },
      );
    }
  return out;
}

describe("readLines", () => {
  it("splits lines across chunk boundaries and numbers them", async () => {
    expect(await collect(['{"a":', '1}\n{"b"', ":2}\n", '{"c":3}'])).toEqual([
      { number: 1, text: '{"a":1}' },
      { number: 2, text: '{"b":2}' },
      { number: 3, text: '{"c":3}' },
    ]);
  });

  it("tolerates CRLF and blank lines, counting them", async () => {
    expect(await collect(["a\r\n\r\n   \nb\r\n"])).toEqual([
      { number: 1, text: "a" },
      { number: 4, text: "b" },
    ]);
  });

  it("decodes multi-byte characters split between chunks", async () => {
    const bytes = new TextEncoder().encode("é€😀\n");
    expect(await collect([bytes.subarray(0, 1), bytes.subarray(1, 4), bytes.subarray(4)])).toEqual([
      { number: 1, text: "é€😀" },
    ]);
  });

  it("reports invalid UTF-8 without the bytes, and goes on", async () => {
    const bad = new Uint8Array([0x7b, 0xff, 0xfe, 0x7d, 0x0a]);
    expect(await collect([bad, "ok\n"])).toEqual([
      { number: 1, problem: "it is not valid UTF-8" },
      { number: 2, text: "ok" },
    ]);
  });

  it("refuses an overlong line without buffering it, and goes on", async () => {
    const lines = await collect(["x".repeat(10), "y".repeat(10), "z\nshort\n"], 16);
    expect(lines).toEqual([
      { number: 1, problem: "it is longer than 16 bytes" },
      { number: 2, text: "short" },
    ]);
  });
});
