/**
 * Bytes from stdin → numbered lines, as text and as the bytes it was decoded from (the connector
 * copies record data from the bytes, so lines are views into the chunks, which are never reused). Splits on LF, drops a trailing CR, skips blank lines,
 * and refuses (without quoting) a line that is not valid UTF-8 or longer than `maxLineBytes`.
 */

export type Line =
  | { number: number; text: string; bytes: Uint8Array }
  | { number: number; text?: undefined; problem: string };

/** Yields the lines completed by each chunk together: one await per chunk, not per line. */
export async function* readLines(
  chunks: AsyncIterable<Uint8Array>,
  maxLineBytes: number,
): AsyncGenerator<Line[]> {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let number = 0;
  let overlong = false;

  const finish = (bytes: Uint8Array): Line | undefined => {
    number++;
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CR) end--;
    if (overlong || end > maxLineBytes) {
      overlong = false;
      return { number, problem: `it is longer than ${maxLineBytes} bytes` };
    }
    const content = bytes.subarray(0, end);
    let text: string;
    try {
      text = decoder.decode(content);
    } catch {
      return { number, problem: "it is not valid UTF-8" };
    }
    return text.trim() === "" ? undefined : { number, text, bytes: content };
  };

  for await (const chunk of chunks) {
    const lines: Line[] = [];
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
      if (line) lines.push(line);
    }
    if (lines.length > 0) yield lines;
    if (start < chunk.length) {
      if (pendingBytes + chunk.length - start > maxLineBytes) {
        // Keep counting the line but drop its bytes: it will be reported, never buffered whole.
        overlong = true;
        pending = [];
        pendingBytes = 1;
      } else {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
      }
    }
  }
  if (pendingBytes > 0) {
    const line = finish(concat(pending, pendingBytes));
    if (line) yield [line];
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
