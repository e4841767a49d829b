/**
 * One input line → what the destination does with it. RECORD and STATE keep the source's own bytes for
 * the parts we echo or splice (see json-spans.ts); everything else is classified and left alone.
 * Per the protocol, unknown members are tolerated and a null member is the same as an absent one.
 */
import { isObject } from "../is-object.ts";
import { memberSpan, nestedMemberSpan, objectMembers } from "./json-spans.ts";
import { scanRecordLine } from "./record-scan.ts";

export interface StreamId {
  name: string;
  namespace: string | undefined;
}

export interface RecordLine {
  kind: "record";
  stream: StreamId;
  emittedAt: number;
  /** The record's `data` object exactly as the source wrote it (a view into the line's bytes). */
  dataBytes: Uint8Array;
  /** The same, parsed (for message keys taken from fields). */
  data: Record<string, unknown>;
  /** The record's `meta` object (protocol 0.9 on: `changes` the source made) as written; undefined without one. */
  metaBytes?: Uint8Array | undefined;
}

/**
 * Socket mode: which partition a STATE closes (`partition_id`), its place in the order STATEs are
 * released in (`id`), and how many records the source sent in the partition (`sourceStats.recordCount`).
 */
export interface StatePartition {
  id: string;
  index: number;
  sourceRecordCount: number | undefined;
}

export type StateType = "LEGACY" | "STREAM" | "GLOBAL";

export interface StateLine {
  kind: "state";
  stateType: StateType;
  /** For STREAM states, the stream the state belongs to. */
  stream: StreamId | undefined;
  /** The `state` object's members as the source wrote them, `destinationStats` left out. */
  memberTexts: string[];
  /** Present when the state has both `partition_id` and an integer `id` (socket mode). */
  partition?: StatePartition | undefined;
}

export interface OtherLine {
  kind: "other";
  /** The message type (LOG, TRACE, CONTROL, or one this version does not know). */
  type: string;
}

export interface InvalidLine {
  kind: "invalid";
  /** Why the line is not a message we can act on; never quotes the line. */
  reason: string;
  /** The stream, when it is a record of one whose content cannot be written (socket mode). */
  stream?: StreamId | undefined;
}

export type ParsedLine = RecordLine | StateLine | OtherLine | InvalidLine;

/** `bytes` is the line, valid UTF-8. Records take the fast path; everything else is parsed in full. */
export function parseLine(bytes: Uint8Array): ParsedLine {
  return scanRecordLine(bytes) ?? parseInFull(bytes);
}

/** The full parse: every kind of line, and the reason a line is invalid. Gives what parseLine gives. */
export function parseInFull(bytes: Uint8Array): ParsedLine {
  let message: unknown;
  try {
    message = JSON.parse(decoder.decode(bytes));
  } catch {
    return invalid("it is not valid JSON");
  }
  if (!isObject(message)) return invalid("it is not a JSON object");
  const type = message.type;
  if (typeof type !== "string") return invalid("it has no message type");
  if (type === "RECORD") return parseRecord(bytes, message.record);
  if (type === "STATE") return parseState(bytes, message.state);
  return { kind: "other", type };
}

/** A stream's identity as one string, for maps: unambiguous even when names contain dots. */
export function streamKey(stream: StreamId): string {
  return JSON.stringify([stream.namespace ?? null, stream.name]);
}

/** A stream as people write it, for messages: `namespace.name`, or `name` without a namespace. */
export function streamLabel(stream: StreamId): string {
  return stream.namespace === undefined ? stream.name : `${stream.namespace}.${stream.name}`;
}

// --- internal ---

function parseRecord(bytes: Uint8Array, record: unknown): RecordLine | InvalidLine {
  if (!isObject(record)) return invalid("a RECORD message has no record object");
  if (typeof record.stream !== "string" || record.stream === "")
    return invalid("the record has no stream name");
  const namespace = optionalString(record.namespace);
  if (namespace === null) return invalid("the record's namespace is not a string");
  if (typeof record.emitted_at !== "number" || !Number.isFinite(record.emitted_at)) {
    return invalid("the record has no numeric emitted_at");
  }
  if (!isObject(record.data)) return invalid("the record's data is not a JSON object");
  const dataSpan = nestedMemberSpan(bytes, "record", "data");
  if (!dataSpan) return invalid("the record's data could not be located");
  const metaSpan = isObject(record.meta) ? nestedMemberSpan(bytes, "record", "meta") : undefined;
  return {
    kind: "record",
    stream: { name: record.stream, namespace },
    emittedAt: Math.trunc(record.emitted_at),
    dataBytes: bytes.subarray(dataSpan.start, dataSpan.end),
    data: record.data,
    metaBytes: metaSpan ? bytes.subarray(metaSpan.start, metaSpan.end) : undefined,
  };
}

function parseState(bytes: Uint8Array, state: unknown): StateLine | InvalidLine {
  if (!isObject(state)) return invalid("a STATE message has no state object");
  const rawType = state.type ?? "LEGACY";
  if (rawType !== "LEGACY" && rawType !== "STREAM" && rawType !== "GLOBAL") {
    return invalid("the state's type is not LEGACY, STREAM or GLOBAL");
  }
  let stream: StreamId | undefined;
  if (rawType === "STREAM") {
    const descriptor = isObject(state.stream) ? state.stream.stream_descriptor : undefined;
    const namespace = isObject(descriptor) ? optionalString(descriptor.namespace) : null;
    if (!isObject(descriptor) || typeof descriptor.name !== "string" || namespace === null) {
      return invalid("a STREAM state has no stream.stream_descriptor.name");
    }
    stream = { name: descriptor.name, namespace };
  }
  const stateSpan = memberSpan(bytes, 0, "state");
  if (!stateSpan) return invalid("the state object could not be located");
  const memberTexts: string[] = [];
  for (const [key, span] of objectMembers(bytes, stateSpan.start)) {
    if (key !== "destinationStats") {
      memberTexts.push(`${JSON.stringify(key)}:${decoder.decode(bytes.subarray(span.start, span.end))}`);
    }
  }
  return { kind: "state", stateType: rawType, stream, memberTexts, partition: statePartition(state) };
}

function statePartition(state: Record<string, unknown>): StatePartition | undefined {
  const { partition_id: id, id: index } = state;
  if (typeof id !== "string" || !Number.isSafeInteger(index)) return undefined;
  const stats = state.sourceStats;
  const count = isObject(stats) ? stats.recordCount : undefined;
  return {
    id,
    index: index as number,
    sourceRecordCount: typeof count === "number" && Number.isFinite(count) ? count : undefined,
  };
}

/** Keeps a leading U+FEFF: it is not JSON whitespace, so JSON.parse must see it. */
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

function invalid(reason: string): InvalidLine {
  return { kind: "invalid", reason };
}

/** undefined for absent or null, the string itself, or null when it is something else. */
function optionalString(value: unknown): string | undefined | null {
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : null;
}
