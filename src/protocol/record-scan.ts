/**
 * The fast path for the line that matters for throughput, a RECORD: one pass over the line's bytes
 * finds the record's stream, namespace, emitted_at, `data` and `meta` while checking the whole line's JSON
 * syntax (json-syntax.ts), and builds no value; `data` is parsed only if something asks for it.
 * Anything else, or anything unusual (a member name with an escape, a field of the wrong kind, an
 * empty stream name), gives undefined and the caller parses the line in full (parse.ts). For every
 * line this accepts, the full parse gives the same record: last duplicate members win, a null
 * namespace is an absent one.
 */
import { BACKSLASH, CLOSE_BRACE, COLON, COMMA, OPEN_BRACE, QUOTE } from "./json-bytes.ts";
import { skipJsonString, skipJsonValue, skipSpace } from "./json-syntax.ts";
import type { RecordLine, StreamId } from "./parse.ts";

/** The line's record, or undefined when the full parse must decide. `bytes` must be valid UTF-8. */
export function scanRecordLine(bytes: Uint8Array): RecordLine | undefined {
  const top = skipSpace(bytes, 0);
  if (bytes[top] !== OPEN_BRACE) return undefined;
  let isRecord = false;
  let fields: RecordFields | undefined;
  const end = scanObject(bytes, top, (nameStart, nameEnd, valueStart) => {
    if (nameIs(bytes, nameStart, nameEnd, TYPE)) {
      const valueEnd = skipJsonValue(bytes, valueStart);
      isRecord =
        valueEnd === valueStart + RECORD_TYPE.length && nameIs(bytes, valueStart, valueEnd, RECORD_TYPE);
      return valueEnd;
    }
    if (nameIs(bytes, nameStart, nameEnd, RECORD)) {
      fields = bytes[valueStart] === OPEN_BRACE ? emptyFields() : undefined;
      return fields
        ? scanObject(bytes, valueStart, recordMember(bytes, fields))
        : skipJsonValue(bytes, valueStart);
    }
    return hasBackslash(bytes, nameStart, nameEnd) ? -1 : skipJsonValue(bytes, valueStart);
  });
  if (end < 0 || skipSpace(bytes, end) !== bytes.length || !isRecord || !fields) return undefined;
  return recordLine(bytes, fields);
}

// --- internal ---

/** Where a record's members are; -1 when absent. `namespaceStart` is -2 for an explicit null. */
interface RecordFields {
  streamStart: number;
  streamEnd: number;
  namespaceStart: number;
  namespaceEnd: number;
  emittedAtStart: number;
  emittedAtEnd: number;
  dataStart: number;
  dataEnd: number;
  /** -1 when absent or not an object (then the record has no meta). */
  metaStart: number;
  metaEnd: number;
  /** A known member had a value of a kind the fast path does not take. */
  unusual: boolean;
}

const NULL_START = 0x6e;
const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const TYPE = ascii('"type"');
const RECORD = ascii('"record"');
const RECORD_TYPE = ascii('"RECORD"');
const STREAM = ascii('"stream"');
const NAMESPACE = ascii('"namespace"');
const EMITTED_AT = ascii('"emitted_at"');
const DATA = ascii('"data"');
const META = ascii('"meta"');
/** Keeps a leading U+FEFF, which is part of a name like any other character. */
const textDecoder = new TextDecoder("utf-8", { ignoreBOM: true });

function emptyFields(): RecordFields {
  return {
    streamStart: -1,
    streamEnd: -1,
    namespaceStart: -1,
    namespaceEnd: -1,
    emittedAtStart: -1,
    emittedAtEnd: -1,
    dataStart: -1,
    dataEnd: -1,
    metaStart: -1,
    metaEnd: -1,
    unusual: false,
  };
}

type OnMember = (nameStart: number, nameEnd: number, valueStart: number) => number;

/**
 * Walks the object whose `{` is at `at`: `onMember` gets each member's quoted name bounds and where
 * its value starts, and returns where the value ends (-1 to give up). Returns the index past `}`, or -1.
 */
function scanObject(bytes: Uint8Array, at: number, onMember: OnMember): number {
  let i = skipSpace(bytes, at + 1);
  if (bytes[i] === CLOSE_BRACE) return i + 1;
  for (;;) {
    if (bytes[i] !== QUOTE) return -1;
    const nameEnd = skipJsonString(bytes, i);
    if (nameEnd < 0) return -1;
    const colon = skipSpace(bytes, nameEnd);
    if (bytes[colon] !== COLON) return -1;
    const valueEnd = onMember(i, nameEnd, skipSpace(bytes, colon + 1));
    if (valueEnd < 0) return -1;
    i = skipSpace(bytes, valueEnd);
    if (bytes[i] === CLOSE_BRACE) return i + 1;
    if (bytes[i] !== COMMA) return -1;
    i = skipSpace(bytes, i + 1);
  }
}

function recordMember(bytes: Uint8Array, fields: RecordFields): OnMember {
  return (nameStart, nameEnd, valueStart) => {
    const valueEnd = skipJsonValue(bytes, valueStart);
    if (valueEnd < 0) return -1;
    const first = bytes[valueStart];
    if (nameIs(bytes, nameStart, nameEnd, STREAM)) {
      fields.streamStart = valueStart;
      fields.streamEnd = valueEnd;
      fields.unusual ||= first !== QUOTE;
    } else if (nameIs(bytes, nameStart, nameEnd, NAMESPACE)) {
      fields.namespaceStart = first === NULL_START ? -2 : valueStart;
      fields.namespaceEnd = valueEnd;
      fields.unusual ||= first !== QUOTE && first !== NULL_START;
    } else if (nameIs(bytes, nameStart, nameEnd, EMITTED_AT)) {
      fields.emittedAtStart = valueStart;
      fields.emittedAtEnd = valueEnd;
      fields.unusual ||= first !== 0x2d && !(first !== undefined && first >= 0x30 && first <= 0x39);
    } else if (nameIs(bytes, nameStart, nameEnd, DATA)) {
      fields.dataStart = valueStart;
      fields.dataEnd = valueEnd;
      fields.unusual ||= first !== OPEN_BRACE;
    } else if (nameIs(bytes, nameStart, nameEnd, META)) {
      fields.metaStart = first === OPEN_BRACE ? valueStart : -1;
      fields.metaEnd = valueEnd;
    } else if (hasBackslash(bytes, nameStart, nameEnd)) return -1;
    return valueEnd;
  };
}

function recordLine(bytes: Uint8Array, fields: RecordFields): RecordLine | undefined {
  if (fields.unusual || fields.streamStart < 0 || fields.emittedAtStart < 0 || fields.dataStart < 0) {
    return undefined;
  }
  const name = stringAt(bytes, fields.streamStart, fields.streamEnd);
  const emittedAt = numberAt(bytes, fields.emittedAtStart, fields.emittedAtEnd);
  if (name === "" || !Number.isFinite(emittedAt)) return undefined;
  const namespace =
    fields.namespaceStart < 0 ? undefined : stringAt(bytes, fields.namespaceStart, fields.namespaceEnd);
  return new ScannedRecord(
    { name, namespace },
    Math.trunc(emittedAt),
    bytes.subarray(fields.dataStart, fields.dataEnd),
    fields.metaStart < 0 ? undefined : bytes.subarray(fields.metaStart, fields.metaEnd),
  );
}

/**
 * A record whose `data` is parsed from its bytes on first use: the scan's, and a protobuf frame's
 * (socket-messages.ts, whose data bytes are the JSON made of its values).
 */
export class ScannedRecord implements RecordLine {
  readonly kind = "record";
  #data: Record<string, unknown> | undefined;
  constructor(
    readonly stream: StreamId,
    readonly emittedAt: number,
    readonly dataBytes: Uint8Array,
    readonly metaBytes: Uint8Array | undefined,
  ) {}
  get data(): Record<string, unknown> {
    this.#data ??= JSON.parse(textDecoder.decode(this.dataBytes)) as Record<string, unknown>;
    return this.#data;
  }
}

/**
 * The JSON string whose quotes are at `start` and `end - 1`, decoded. A sync has few streams, so
 * the names seen recently are kept with their bytes and found again without decoding.
 */
function stringAt(bytes: Uint8Array, start: number, end: number): string {
  for (const known of recentNames) {
    if (nameIs(bytes, start, end, known.bytes)) return known.text;
  }
  const content = textDecoder.decode(bytes.subarray(start + 1, end - 1));
  const text = hasBackslash(bytes, start, end) ? (JSON.parse(`"${content}"`) as string) : content;
  if (recentNames.length === RECENT_NAMES) recentNames.shift();
  recentNames.push({ bytes: new Uint8Array(bytes.subarray(start, end)), text });
  return text;
}

const RECENT_NAMES = 16;
const recentNames: { bytes: Uint8Array; text: string }[] = [];

/** The JSON number at `start..end`: plain digits are summed, anything else is left to Number(). */
function numberAt(bytes: Uint8Array, start: number, end: number): number {
  if (end - start > 15) return Number(textDecoder.decode(bytes.subarray(start, end)));
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = (bytes[i] as number) - 0x30;
    if (digit < 0 || digit > 9) return Number(textDecoder.decode(bytes.subarray(start, end)));
    value = value * 10 + digit;
  }
  return value;
}

/** Whether `bytes[start..end)` equals `expected`. */
function nameIs(bytes: Uint8Array, start: number, end: number, expected: Uint8Array): boolean {
  if (end - start !== expected.length) return false;
  for (let k = 0; k < expected.length; k++) if (bytes[start + k] !== expected[k]) return false;
  return true;
}

function hasBackslash(bytes: Uint8Array, start: number, end: number): boolean {
  for (let k = start; k < end; k++) if (bytes[k] === BACKSLASH) return true;
  return false;
}
