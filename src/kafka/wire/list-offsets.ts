/**
 * ListOffsets, v1 to v10: a partition's offset at a point in time, here the two ends of its log
 * (timestamp -1: the end, the high watermark with isolation 0; -2: the log start). Kafka's
 * grammar (fields marked with the version that brought them; v6 on compact with tagged fields):
 *
 *   ListOffsets Request => replica_id isolation_level (v2+) [topics] timeout_ms (v10+)
 *     topics => name [partitions]
 *       partitions => partition_index current_leader_epoch (v4+) timestamp
 *   ListOffsets Response => throttle_time_ms (v2+) [topics]
 *     topics => name [partitions]
 *       partitions => partition_index error_code timestamp offset leader_epoch (v4+)
 *
 * v0 (an array of offsets per partition) is not spoken: Kafka 1.0 offers v0–v2, 4.x v1 on.
 */
import { type Reader, Writer } from "@platformatic/kafka";
import { APIS } from "./apis.ts";
import { request, type WireRequest } from "./request.ts";

/** Kafka's special timestamps: the next offset to be written, and the first one still held. */
export const LATEST = -1n;
export const EARLIEST = -2n;

export interface ListOffsetsArgs {
  /** LATEST or EARLIEST, for every partition asked. */
  timestamp: bigint;
  partitions: { topic: string; partition: number }[];
  /** Only sent from v10 on (how long a broker may wait for tiered storage). */
  timeoutMs: number;
}

export interface PartitionOffset {
  topic: string;
  partition: number;
  errorCode: number;
  offset: bigint;
}

export function listOffsetsRequest(
  version: number,
  args: ListOffsetsArgs,
): WireRequest<ListOffsetsArgs, PartitionOffset[]> {
  return request(APIS.listOffsets, version, args, { encode: encodeListOffsets, decode: decodeListOffsets });
}

export function encodeListOffsets(args: ListOffsetsArgs, version: number, flexible: boolean): Writer {
  const writer = Writer.create().appendInt32(-1); // replica_id: a client, not a follower
  if (version >= 2) writer.appendInt8(0); // isolation_level READ_UNCOMMITTED: the high watermark
  writer.appendArray(
    [...byTopic(args.partitions)],
    (w, [topic, partitions]) =>
      w.appendString(topic, flexible).appendArray(
        partitions,
        (pw, { partition }) => {
          pw.appendInt32(partition);
          if (version >= 4) pw.appendInt32(-1); // current_leader_epoch: not known
          pw.appendInt64(args.timestamp);
        },
        flexible,
        flexible,
      ),
    flexible,
    flexible,
  );
  if (version >= 10) writer.appendInt32(args.timeoutMs);
  if (flexible) writer.appendTaggedFields();
  return writer;
}

export function decodeListOffsets(reader: Reader, version: number, flexible: boolean): PartitionOffset[] {
  if (version >= 2) reader.readInt32(); // throttle_time_ms
  const offsets: PartitionOffset[] = [];
  reader.readArray(
    (r) => {
      const topic = r.readString(flexible);
      r.readArray(
        (p) => {
          const partition = p.readInt32();
          const errorCode = p.readInt16();
          p.readInt64(); // timestamp
          const offset = p.readInt64();
          if (version >= 4) p.readInt32(); // leader_epoch
          offsets.push({ topic, partition, errorCode, offset });
        },
        flexible,
        flexible,
      );
    },
    flexible,
    flexible,
  );
  if (flexible) reader.readTaggedFields();
  return offsets;
}

/** Partition entries grouped by topic, in first-seen order, as the requests list them. */
export function byTopic<T extends { topic: string }>(entries: T[]): Map<string, T[]> {
  const topics = new Map<string, T[]>();
  for (const entry of entries) {
    const list = topics.get(entry.topic);
    if (list) list.push(entry);
    else topics.set(entry.topic, [entry]);
  }
  return topics;
}
