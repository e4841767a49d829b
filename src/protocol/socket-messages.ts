/**
 * One socket's bytes → the messages `write` handles, in JSONL or in protobuf. Over sockets the
 * destination applies the connection's namespace mapping itself (namespace-mapping.ts), so every
 * record and STREAM state comes out under the destination's names; a record carries the
 * `partition_id` a STATE later closes. A protobuf record is turned into the RecordLine a JSONL line
 * with the same data would give (proto-json.ts), its values matched to the stream's json_schema
 * properties in sorted order. What cannot go on (a frame over the limit, a cut frame, a frame
 * that is no message: the framing is lost) ends the socket with a SocketError; what is one bad
 * record or line is an `invalid` message for the input policy.
 */
import { ConnectorError } from "../errors.ts";
import { isObject } from "../is-object.ts";
import { decodeMessage, type ProtoChange, type ProtoRecord } from "./airbyte-protobuf.ts";
import type { CatalogStream } from "./catalog.ts";
import { nestedMemberSpan } from "./json-spans.ts";
import { readLines } from "./lines.ts";
import type { NamespaceMapping } from "./namespace-mapping.ts";
import { type ParsedLine, parseLine, type StreamId, streamKey, streamLabel } from "./parse.ts";
import { dataJson, type MemberPrefixes, memberPrefixes } from "./proto-json.ts";
import { ProtoError, readFrames } from "./protobuf-wire.ts";
import { ScannedRecord } from "./record-scan.ts";

export interface SocketMessage {
  /** The message's place on its socket, from 1. */
  number: number;
  parsed: ParsedLine;
  /** The JSONL line, when the message was one (for the dead-letter topic). */
  line?: Uint8Array | undefined;
  /** A record's `partition_id`, which a STATE of the same partition closes. */
  partitionId?: string | undefined;
}

/** Socket `socket` (its number, from 1) cannot be read further. */
export class SocketError extends ConnectorError {}

export async function* jsonlMessages(
  chunks: AsyncIterable<Uint8Array>,
  mapping: NamespaceMapping,
  maxLineBytes: number,
): AsyncGenerator<SocketMessage[]> {
  for await (const lines of readLines(chunks, maxLineBytes)) {
    const batch: SocketMessage[] = [];
    for (const line of lines) {
      // As on stdin, a line that cannot be read is one refused line: the next line is intact.
      if (line.bytes === undefined) {
        batch.push({ number: line.number, parsed: { kind: "invalid", reason: line.problem } });
        continue;
      }
      const parsed = parseLine(line.bytes);
      batch.push({
        number: line.number,
        parsed: mapped(parsed, mapping),
        line: line.bytes,
        partitionId: parsed.kind === "record" ? partitionIdOf(line.bytes) : undefined,
      });
    }
    yield batch;
  }
}

export async function* protobufMessages(
  socket: number,
  chunks: AsyncIterable<Uint8Array>,
  streams: ProtoStreams,
  maxFrameBytes: number,
): AsyncGenerator<SocketMessage[]> {
  let number = 0;
  for await (const { frames, problem } of readFrames(chunks, maxFrameBytes)) {
    const batch: SocketMessage[] = [];
    for (const frame of frames) {
      number++;
      let decoded: ReturnType<typeof decodeMessage>;
      try {
        decoded = decodeMessage(frame);
      } catch (error) {
        if (error instanceof ProtoError)
          throw socketError(socket, `frame ${number} is not an AirbyteMessageProtobuf: ${error.message}`);
        throw error;
      }
      if (decoded.kind === "probe") continue;
      if (decoded.kind === "record") {
        const { record } = decoded;
        batch.push({ number, parsed: streams.record(record), partitionId: record.partitionId });
        continue;
      }
      const bytes = encoder.encode(decoded.json);
      const parsed = parseLine(bytes);
      const partitionId = parsed.kind === "record" ? partitionIdOf(bytes) : undefined;
      batch.push({ number, parsed: mapped(parsed, streams.mapping), partitionId });
    }
    if (batch.length > 0) yield batch;
    if (problem !== undefined) throw socketError(socket, `frame ${number + 1}: ${problem}`);
  }
}

/** The streams whose protobuf records can be read: each catalog stream's property order. */
export interface ProtoStreams {
  readonly mapping: NamespaceMapping;
  record(record: ProtoRecord): ParsedLine;
}

export function protoStreams(catalog: CatalogStream[], mapping: NamespaceMapping): ProtoStreams {
  const members = new Map<string, MemberPrefixes>();
  for (const entry of catalog)
    members.set(streamKey(entry.stream), memberPrefixes(propertyNames(entry.jsonSchema)));
  return {
    mapping,
    record(record) {
      const stream = mapping({ name: record.stream, namespace: record.namespace });
      const names = members.get(streamKey(stream));
      if (!names) {
        return invalid(
          `it is a record of stream ${streamLabel(stream)}, which is not in the configured catalog`,
          stream,
        );
      }
      if (names.names.length !== record.values.length) {
        return invalid(
          `it has ${record.values.length} values where stream ${streamLabel(stream)}'s json_schema has ${names.names.length} properties`,
          stream,
        );
      }
      const data = dataJson(record.values, names);
      if (!(data instanceof Uint8Array)) return invalid(data.problem, stream);
      return new ScannedRecord(stream, record.emittedAtMs, data, metaJson(record.changes));
    },
  };
}

// --- internal ---

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The sorted property names of a json_schema, the order the CDK's sources send values in. */
function propertyNames(schema: unknown): string[] {
  const properties = isObject(schema) ? schema.properties : undefined;
  return isObject(properties) ? Object.keys(properties).sort() : [];
}

function metaJson(changes: ProtoChange[] | undefined): Uint8Array | undefined {
  return changes === undefined ? undefined : encoder.encode(JSON.stringify({ changes }));
}

/** The `partition_id` of a JSONL record, when it has one. */
function partitionIdOf(bytes: Uint8Array): string | undefined {
  const span = nestedMemberSpan(bytes, "record", "partition_id");
  const id: unknown = span ? JSON.parse(decoder.decode(bytes.subarray(span.start, span.end))) : undefined;
  return typeof id === "string" ? id : undefined;
}

/** `parsed` under the destination's stream names. */
function mapped(parsed: ParsedLine, mapping: NamespaceMapping): ParsedLine {
  if (parsed.kind === "state") return parsed.stream ? { ...parsed, stream: mapping(parsed.stream) } : parsed;
  if (parsed.kind !== "record") return parsed;
  const stream = mapping(parsed.stream);
  if (stream.name === parsed.stream.name && stream.namespace === parsed.stream.namespace) return parsed;
  const source = parsed;
  return {
    kind: "record",
    stream,
    emittedAt: source.emittedAt,
    dataBytes: source.dataBytes,
    metaBytes: source.metaBytes,
    get data() {
      return source.data;
    },
  };
}

function invalid(reason: string, stream: StreamId): ParsedLine {
  return { kind: "invalid", reason, stream };
}

function socketError(socket: number, what: string): SocketError {
  return new SocketError(
    `Socket ${socket} cannot be read further: ${what}. No later STATE is echoed.`,
    "system_error",
  );
}
