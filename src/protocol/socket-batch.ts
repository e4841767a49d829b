/**
 * A batch of decoded socket messages as one message between threads: the records' data and meta
 * bytes in one transferred buffer with their offsets, their streams and partitions as small tables
 * of indexes, and only the rare other messages (STATEs, refusals, ignored types) as objects. A
 * worker decodes a socket (socket-workers.ts) and the main thread rebuilds the messages it would
 * have decoded itself, without a structured clone per record.
 */
import { type ParsedLine, type StreamId, streamKey } from "./parse.ts";
import { ScannedRecord } from "./record-scan.ts";
import type { SocketMessage } from "./socket-messages.ts";

export interface PackedBatch {
  numbers: Uint32Array;
  /** Per message: -1 for a record, else its index in `others`. */
  otherOf: Int32Array;
  others: ParsedLine[];
  /** Per record, in message order. */
  streamOf: Uint32Array;
  streams: StreamId[];
  partitionOf: Uint32Array;
  /** Index 0 is "no partition_id". */
  partitions: (string | undefined)[];
  emittedAt: Float64Array;
  /** Record i's data is bytes[dataStart[i], metaStart[i]), its meta bytes[metaStart[i], end[i]). */
  dataStart: Uint32Array;
  metaStart: Uint32Array;
  end: Uint32Array;
  /** Per record: 1 when it has meta bytes (possibly empty), 0 when it has none. */
  hasMeta: Uint8Array;
  bytes: Uint8Array<ArrayBuffer>;
}

/** `messages` packed, and the buffers to transfer with it. */
export function packBatch(messages: SocketMessage[]): { batch: PackedBatch; transfer: ArrayBuffer[] } {
  const records = messages.filter((m) => m.parsed.kind === "record").length;
  let size = 0;
  for (const { parsed } of messages) {
    if (parsed.kind === "record") size += parsed.dataBytes.length + (parsed.metaBytes?.length ?? 0);
  }
  const batch: PackedBatch = {
    numbers: new Uint32Array(messages.length),
    otherOf: new Int32Array(messages.length),
    others: [],
    streamOf: new Uint32Array(records),
    streams: [],
    partitionOf: new Uint32Array(records),
    partitions: [undefined],
    emittedAt: new Float64Array(records),
    dataStart: new Uint32Array(records),
    metaStart: new Uint32Array(records),
    end: new Uint32Array(records),
    hasMeta: new Uint8Array(records),
    bytes: new Uint8Array(size),
  };
  const streamIndex = new Map<string, number>();
  const partitionIndex = new Map<string, number>();
  let r = 0;
  let at = 0;
  messages.forEach(({ number, parsed, partitionId }, i) => {
    batch.numbers[i] = number;
    if (parsed.kind !== "record") {
      batch.otherOf[i] = batch.others.push(parsed) - 1;
      return;
    }
    batch.otherOf[i] = -1;
    const key = streamKey(parsed.stream);
    let stream = streamIndex.get(key);
    if (stream === undefined) {
      stream = batch.streams.push(parsed.stream) - 1;
      streamIndex.set(key, stream);
    }
    batch.streamOf[r] = stream;
    let partition = partitionId === undefined ? 0 : partitionIndex.get(partitionId);
    if (partition === undefined && partitionId !== undefined) {
      partition = batch.partitions.push(partitionId) - 1;
      partitionIndex.set(partitionId, partition);
    }
    batch.partitionOf[r] = partition ?? 0;
    batch.emittedAt[r] = parsed.emittedAt;
    batch.dataStart[r] = at;
    batch.bytes.set(parsed.dataBytes, at);
    at += parsed.dataBytes.length;
    batch.metaStart[r] = at;
    if (parsed.metaBytes) {
      batch.hasMeta[r] = 1;
      batch.bytes.set(parsed.metaBytes, at);
      at += parsed.metaBytes.length;
    }
    batch.end[r] = at;
    r++;
  });
  const transfer = [
    batch.numbers,
    batch.otherOf,
    batch.streamOf,
    batch.partitionOf,
    batch.emittedAt,
    batch.dataStart,
    batch.metaStart,
    batch.end,
    batch.hasMeta,
    batch.bytes,
  ].map((array) => array.buffer as ArrayBuffer);
  return { batch, transfer };
}

/** The messages `packBatch` packed. */
export function unpackBatch(batch: PackedBatch): SocketMessage[] {
  const messages: SocketMessage[] = new Array(batch.numbers.length);
  let r = 0;
  for (let i = 0; i < messages.length; i++) {
    const number = batch.numbers[i] as number;
    const other = batch.otherOf[i] as number;
    if (other >= 0) {
      messages[i] = { number, parsed: batch.others[other] as ParsedLine };
      continue;
    }
    const metaStart = batch.metaStart[r] as number;
    const record = new ScannedRecord(
      batch.streams[batch.streamOf[r] as number] as StreamId,
      batch.emittedAt[r] as number,
      batch.bytes.subarray(batch.dataStart[r], metaStart),
      batch.hasMeta[r] === 1 ? batch.bytes.subarray(metaStart, batch.end[r]) : undefined,
    );
    messages[i] = { number, parsed: record, partitionId: batch.partitions[batch.partitionOf[r] as number] };
    r++;
  }
  return messages;
}
