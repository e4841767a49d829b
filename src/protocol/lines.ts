/**
 * Bytes from stdin → numbered lines of text. Splits on LF, drops a trailing CR, skips blank lines,
 * and refuses (without quoting) a line that is not valid UTF-8 or longer than `maxLineBytes`.
 */

export type Line = { number: number; text: string } | { number: number; text?: undefined; problem: string };

export async function* readLines(
  chunks: AsyncIterable<Uint8Array>,
  maxLineBytes: number,
): AsyncGenerator<Line> {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let number = 0;
  let overlong = false;

  const finish = (bytes: Uint8Array): Line | undefined => {
    number++;
    if (overlong) {
      overlong = false;
      return { number, problem: `it is longer than ${maxLineBytes} bytes` };
    }
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CR) end--;
    let text: string;
    try {
      text = decoder.decode(bytes.subarray(0, end));
    } catch {
      return { number, problem: "it is not valid UTF-8" };
    }
    return text.trim() === "" ? undefined : { number, text };
  };

  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(LF, start);
      if (newline === -1) break;
      const piece = chunk.subarray(start, newline);
      start = newline + 1;
      let line: Line | undefined;
      if (pendingBytes === 0) line = finish(piece);
      else {
        pending.push(piece);
        line = finish(concat(pending, pendingBytes + piece.length));
        pending = [];
        pendingBytes = 0;
      }
      if (line) yield line;
    }
    if (start < chunk.length) {
      if (pendingBytes + chunk.length - start > maxLineBytes) {
        // Keep counting the line but drop its bytes: it will be reported, never buffered whole.
        overlong = true;
        pending = [];
        pendingBytes = 1;
      } else {
        // Copy: the runtime may reuse the chunk's memory once we return it.
        pending.push(chunk.slice(start));
        pendingBytes += chunk.length - start;
      }
    }
  }
  if (pendingBytes > 0) {
    const line = finish(concat(pending, pendingBytes));
    if (line) yield line;
  }
}

// --- internal ---

const LF = 0x0a;
const CR = 0x0d;

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
