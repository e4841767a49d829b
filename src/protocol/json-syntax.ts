/**
 * JSON syntax over UTF-8 bytes, checked exactly as strictly as JSON.parse checks it (RFC 8259: no
 * trailing commas, no comments, no raw control characters in strings, no leading zeros), without
 * building any value. The record fast path (record-scan.ts) uses it to accept a line's `data`
 * without parsing it. Iterative, so nesting depth is bounded by the line, not by the call stack.
 * The bytes must already be valid UTF-8; every byte this looks at is ASCII.
 */
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  MINUS,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from "./json-bytes.ts";

/** Index just past the value starting at `at` (no leading whitespace), or -1 when it is not valid JSON. */
export function skipJsonValue(bytes: Uint8Array, at: number): number {
  // One entry per open container: 1 for an object, 0 for an array; `depth` is the number open.
  let kinds = openKinds;
  let depth = 0;
  let i = at;
  value: for (;;) {
    const c = bytes[i];
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const object = c === OPEN_BRACE;
      i = skipSpace(bytes, i + 1);
      if (bytes[i] === (object ? CLOSE_BRACE : CLOSE_BRACKET)) i++;
      else {
        // Deeper than the shared stack: a bigger one for this value only, so none is kept.
        if (depth === kinds.length) kinds = grow(kinds);
        kinds[depth++] = object ? 1 : 0;
        if (object) {
          i = skipMemberName(bytes, i);
          if (i < 0) return -1;
        }
        continue;
      }
    } else if (c === QUOTE) {
      i = skipJsonString(bytes, i);
    } else if (c === MINUS || (c !== undefined && c >= DIGIT_0 && c <= DIGIT_9)) {
      i = skipNumber(bytes, i);
    } else if (c === 0x74) {
      i = literal(bytes, i, TRUE);
    } else if (c === 0x66) {
      i = literal(bytes, i, FALSE);
    } else if (c === 0x6e) {
      i = literal(bytes, i, NULL);
    } else return -1;
    if (i < 0) return -1;
    // After a value: close containers, or move to the next element or member.
    for (;;) {
      if (depth === 0) return i;
      i = skipSpace(bytes, i);
      const next = bytes[i];
      const object = kinds[depth - 1] === 1;
      if (next === COMMA) {
        i = skipSpace(bytes, i + 1);
        if (object) {
          i = skipMemberName(bytes, i);
          if (i < 0) return -1;
        }
        continue value;
      }
      if (next !== (object ? CLOSE_BRACE : CLOSE_BRACKET)) return -1;
      depth--;
      i++;
    }
  }
}

/** Index just past the string whose `"` is at `at`, or -1 when it is not a valid JSON string. */
export function skipJsonString(bytes: Uint8Array, at: number): number {
  const end = bytes.length;
  let i = at + 1;
  while (i < end) {
    const c = bytes[i] as number;
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) {
      const escaped = bytes[i + 1];
      if (escaped === 0x75) {
        if (!(isHex(bytes[i + 2]) && isHex(bytes[i + 3]) && isHex(bytes[i + 4]) && isHex(bytes[i + 5])))
          return -1;
        i += 6;
      } else if (escaped !== undefined && SIMPLE_ESCAPES[escaped] === 1) i += 2;
      else return -1;
    } else if (c < 0x20) return -1;
    else i++;
  }
  return -1;
}

/** Index of the first byte at or after `at` that is not JSON whitespace (space, tab, LF, CR). */
export function skipSpace(bytes: Uint8Array, at: number): number {
  let i = at;
  for (;;) {
    const c = bytes[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}

/**
 * `at` is where a member name should start: skips `"name"`, whitespace, `:` and whitespace, and
 * returns where the member's value starts, or -1.
 */
export function skipMemberName(bytes: Uint8Array, at: number): number {
  if (bytes[at] !== QUOTE) return -1;
  const nameEnd = skipJsonString(bytes, at);
  if (nameEnd < 0) return -1;
  const colon = skipSpace(bytes, nameEnd);
  return bytes[colon] === COLON ? skipSpace(bytes, colon + 1) : -1;
}

// --- internal ---

/** The container stack shared by calls (the connector is single-threaded): no allocation per value. */
const openKinds = new Uint8Array(64);

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

/** 1 for the characters that may follow a backslash on their own: `" \ / b f n r t`. */
const SIMPLE_ESCAPES = (() => {
  const table = new Uint8Array(128);
  for (const c of '"\\/bfnrt') table[c.charCodeAt(0)] = 1;
  return table;
})();

function isHex(c: number | undefined): boolean {
  return (
    c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))
  );
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= DIGIT_0 && c <= DIGIT_9;
}

/** `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` */
function skipNumber(bytes: Uint8Array, at: number): number {
  let i = at;
  if (bytes[i] === MINUS) i++;
  if (bytes[i] === DIGIT_0) i++;
  else if (isDigit(bytes[i])) while (isDigit(bytes[i])) i++;
  else return -1;
  if (bytes[i] === 0x2e) {
    i++;
    if (!isDigit(bytes[i])) return -1;
    while (isDigit(bytes[i])) i++;
  }
  if (bytes[i] === 0x65 || bytes[i] === 0x45) {
    i++;
    if (bytes[i] === 0x2b || bytes[i] === MINUS) i++;
    if (!isDigit(bytes[i])) return -1;
    while (isDigit(bytes[i])) i++;
  }
  return i;
}

function literal(bytes: Uint8Array, at: number, word: readonly number[]): number {
  for (let k = 0; k < word.length; k++) if (bytes[at + k] !== word[k]) return -1;
  return at + word.length;
}

function grow(kinds: Uint8Array): Uint8Array<ArrayBuffer> {
  const bigger = new Uint8Array(kinds.length * 2);
  bigger.set(kinds);
  return bigger;
}
