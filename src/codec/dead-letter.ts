/**
 * An input line that cannot be written → its message on the dead-letter topic
 * (`on_invalid_input: dead_letter`): the line's bytes as the source wrote them as the value, no
 * key, and headers saying why and where from — `airbyte_rejected_reason` (the same clause the
 * WARN and a failing sync would give), `airbyte_input_line` (its number), and `airbyte_stream` /
 * `airbyte_namespace` when the line is a record of a known stream. A line too large for one
 * message (max_request_size) is cut to fit, `airbyte_truncated_from` giving its full length; a
 * line the reader never held (longer than the line limit) has an empty value.
 */
import { Buffer } from "node:buffer";
import type { ValuedRecord } from "../contract/send.ts";
import type { StreamId } from "../protocol/parse.ts";
import { RECORD_OVERHEAD_BYTES } from "./record.ts";

export interface DeadLetter {
  topic: string;
  lineNumber: number;
  reason: string;
  /** The line's bytes; undefined when the reader could not hold it. */
  line?: Uint8Array | undefined;
  stream?: StreamId | undefined;
  /** max_request_size: the message, headers included, stays within it. */
  maxBytes: number;
}

export function encodeDeadLetter(letter: DeadLetter): ValuedRecord {
  const headers: [Buffer, Buffer][] = [
    [HEADER_REASON, Buffer.from(letter.reason)],
    [HEADER_LINE, Buffer.from(String(letter.lineNumber))],
  ];
  if (letter.stream) {
    headers.push([HEADER_STREAM, Buffer.from(letter.stream.name)]);
    if (letter.stream.namespace !== undefined)
      headers.push([HEADER_NAMESPACE, Buffer.from(letter.stream.namespace)]);
  }
  const line = letter.line ?? new Uint8Array();
  let length = line.length;
  if (RECORD_OVERHEAD_BYTES + headersSize(headers) + length > letter.maxBytes) {
    headers.push([HEADER_TRUNCATED, Buffer.from(String(line.length))]);
    length = Math.max(0, letter.maxBytes - RECORD_OVERHEAD_BYTES - headersSize(headers));
  }
  // A copy: the line is a view into an input chunk that is reused once the next one is read.
  const value = Buffer.from(line.subarray(0, length));
  const size = RECORD_OVERHEAD_BYTES + value.length + headersSize(headers);
  return {
    topic: letter.topic,
    key: undefined,
    value,
    headers,
    timestamp: undefined,
    size,
    memory: undefined,
  };
}

// --- internal ---

const HEADER_REASON = Buffer.from("airbyte_rejected_reason");
const HEADER_LINE = Buffer.from("airbyte_input_line");
const HEADER_STREAM = Buffer.from("airbyte_stream");
const HEADER_NAMESPACE = Buffer.from("airbyte_namespace");
const HEADER_TRUNCATED = Buffer.from("airbyte_truncated_from");

/** Headers as Kafka's size bound counts them (record.ts counts the same way). */
function headersSize(headers: [Buffer, Buffer][]): number {
  let size = 0;
  for (const [name, value] of headers) size += name.length + value.length + 10;
  return size;
}
