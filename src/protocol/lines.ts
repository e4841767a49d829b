/**
 * Bytes from stdin → numbered lines, as views into the chunks. Splits on LF, drops a trailing CR,
 * skips blank lines, and refuses (without quoting) a line that is not valid UTF-8 or longer than
 * `maxLineBytes`. Lines are checked, not decoded: the parser decodes only what it needs.
 *
 * A chunk may be reused once the next is read (see stdin.ts), so a batch of lines is valid only
 * until the next batch is requested, and the part of a line that continues in the next chunk is
 * copied.
 */
import { isUtf8 } from "node:buffer";

export type Line =
  | { number: number; bytes: Uint8Array; problem?: undefined }
  | { number: number; bytes?: undefined; problem: string };

/** Yields the lines completed by each chunk together: one await per chunk, not per line. */
export async function* readLines(
  chunks: AsyncIterable<Uint8Array>,
  maxLineBytes: number,
): AsyncGenerator<Line[]> {
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
    if (!isUtf8(content)) return { number, problem: "it is not valid UTF-8" };
    return isBlank(content) ? undefined : { number, bytes: content };
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
        // A copy, not a view (Buffer.slice would be a view): the chunk may be reused.
        pending.push(new Uint8Array(chunk.subarray(start)));
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

const asciiSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const blankDecoder = new TextDecoder();

/** Whether the line is only whitespace, as String.prototype.trim sees it (Unicode spaces included). */
function isBlank(bytes: Uint8Array): boolean {
  let i = 0;
  while (i < bytes.length && asciiSpace(bytes[i] as number)) i++;
  if (i === bytes.length) return true;
  return (bytes[i] as number) >= 0x80 && blankDecoder.decode(bytes.subarray(i)).trim() === "";
}

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
