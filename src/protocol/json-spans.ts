/**
 * Where the members of a JSON object sit in a line's UTF-8 bytes. The connector splices a record's
 * `data` and a state's body into its output as the source wrote them, so integers beyond 2^53 and
 * numbers such as `1.10` pass through digit for digit, and record bytes are copied, never re-encoded.
 * The line must already be valid JSON (JSON.parse said so): this scanner finds boundaries, it does not
 * validate. Every structural character is ASCII and never occurs inside a multi-byte UTF-8 sequence,
 * so scanning bytes is exact.
 */
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COMMA,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from "./json-bytes.ts";

export interface Span {
  start: number;
  end: number;
}

/**
 * The span of member `key`'s value in the object whose `{` is at or after `from`, if present. When a
 * name occurs twice, the last one counts, as for JSON.parse (and Jackson, which the Java connector used).
 */
export function memberSpan(bytes: Uint8Array, from: number, key: string): Span | undefined {
  let found: Span | undefined;
  scanMembers(bytes, from, (keyStart, keyEnd, valueStart) => {
    const end = skipValue(bytes, valueStart);
    if (keyIs(bytes, keyStart, keyEnd, key)) found = { start: valueStart, end };
    return end;
  });
  return found;
}

/**
 * The span of member `inner` of the object that is member `outer` of the line's top-level object —
 * a record's `data` — with last occurrences winning at both levels, in one pass over the line.
 */
export function nestedMemberSpan(bytes: Uint8Array, outer: string, inner: string): Span | undefined {
  let found: Span | undefined;
  scanMembers(bytes, 0, (keyStart, keyEnd, valueStart) => {
    if (!keyIs(bytes, keyStart, keyEnd, outer)) return skipValue(bytes, valueStart);
    found = undefined;
    return scanMembers(bytes, valueStart, (innerStart, innerEnd, innerValue) => {
      const end = skipValue(bytes, innerValue);
      if (keyIs(bytes, innerStart, innerEnd, inner)) found = { start: innerValue, end };
      return end;
    });
  });
  return found;
}

/** Every member of the object whose `{` is at or after `from`, in order: name → value span. */
export function objectMembers(bytes: Uint8Array, from: number): Map<string, Span> {
  const members = new Map<string, Span>();
  scanMembers(bytes, from, (keyStart, keyEnd, valueStart) => {
    const end = skipValue(bytes, valueStart);
    members.set(keyName(bytes, keyStart, keyEnd), { start: valueStart, end });
    return end;
  });
  return members;
}

// --- internal ---

const keyDecoder = new TextDecoder();

/**
 * Walks the members of the object at or after `from`. `onMember` gets each key's bounds and where its
 * value starts, and returns where the value ends. Returns where the object ends (or, for a value that
 * is not an object, where that value ends).
 */
function scanMembers(
  bytes: Uint8Array,
  from: number,
  onMember: (keyStart: number, keyEnd: number, valueStart: number) => number,
): number {
  let at = skipSpace(bytes, from);
  if (bytes[at] !== OPEN_BRACE) return skipValue(bytes, at);
  at = skipSpace(bytes, at + 1);
  while (at < bytes.length && bytes[at] !== CLOSE_BRACE) {
    const keyEnd = skipString(bytes, at);
    at = skipSpace(bytes, onMember(at, keyEnd, skipSpace(bytes, skipSpace(bytes, keyEnd) + 1)));
    if (bytes[at] === COMMA) at = skipSpace(bytes, at + 1);
  }
  return at + 1;
}

/** Whether the quoted key at `start..end` is `key`, comparing bytes (escapes are decoded first). */
function keyIs(bytes: Uint8Array, start: number, end: number, key: string): boolean {
  if (end - start === key.length + 2) {
    let same = true;
    for (let i = 0; i < key.length && same; i++) same = bytes[start + 1 + i] === key.charCodeAt(i);
    if (same) return true;
  }
  return bytes.subarray(start, end).includes(BACKSLASH) && keyName(bytes, start, end) === key;
}

function keyName(bytes: Uint8Array, start: number, end: number): string {
  const raw = keyDecoder.decode(bytes.subarray(start, end));
  return raw.includes("\\") ? (JSON.parse(raw) as string) : raw.slice(1, -1);
}

function skipSpace(bytes: Uint8Array, at: number): number {
  let i = at;
  for (;;) {
    const c = bytes[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}

/** `at` is a `"`; returns the index just past the closing quote. */
function skipString(bytes: Uint8Array, at: number): number {
  let i = at + 1;
  for (;;) {
    const quote = bytes.indexOf(QUOTE, i);
    if (quote === -1) return bytes.length;
    // The quote closes the string unless an odd number of backslashes precedes it.
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

/** Returns the index just past the value that starts at `at`. */
function skipValue(bytes: Uint8Array, at: number): number {
  const first = bytes[at];
  if (first === QUOTE) return skipString(bytes, at);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    let i = at;
    for (;;) {
      const c = bytes[i];
      if (c === undefined || c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c <= 0x20) return i;
      i++;
    }
  }
  let depth = 0;
  let i = at;
  for (;;) {
    const c = bytes[i];
    if (c === undefined) return i;
    if (c === QUOTE) {
      i = skipString(bytes, i);
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
}
