/**
 * DeleteRecords, v0 to v2 (v2 compact with tagged fields): moves each partition's log start to
 * `offset`, so every record below it is gone for every consumer. Sent to each partition's leader;
 * the principal needs the DELETE permission on the topic, and a topic kept by compaction alone
 * (cleanup.policy=compact) refuses it (POLICY_VIOLATION), whatever the offset. An offset at or
 * below the log start deletes nothing, so offset 0 asks only whether the broker would allow it.
 *
 *   DeleteRecords Request => [topics] timeout_ms
 *     topics => name [partitions]
 *       partitions => partition_index offset
 *   DeleteRecords Response => throttle_time_ms [topics]
 *     topics => name [partitions]
 *       partitions => partition_index low_watermark error_code
 */
import { type Reader, Writer } from "@platformatic/kafka";
import { APIS } from "./apis.ts";
import { byTopic } from "./list-offsets.ts";
import { request, type WireRequest } from "./request.ts";

export interface DeleteRecordsArgs {
  partitions: { topic: string; partition: number; offset: bigint }[];
  /** How long the leader waits for its followers to move their log start too. */
  timeoutMs: number;
}

export interface DeletedPartition {
  topic: string;
  partition: number;
  errorCode: number;
  /** The partition's log start after the deletion. */
  lowWatermark: bigint;
}

export function deleteRecordsRequest(
  version: number,
  args: DeleteRecordsArgs,
): WireRequest<DeleteRecordsArgs, DeletedPartition[]> {
  return request(APIS.deleteRecords, version, args, {
    encode: encodeDeleteRecords,
    decode: decodeDeleteRecords,
  });
}

export function encodeDeleteRecords(args: DeleteRecordsArgs, _version: number, flexible: boolean): Writer {
  const writer = Writer.create().appendArray(
    [...byTopic(args.partitions)],
    (w, [topic, partitions]) =>
      w
        .appendString(topic, flexible)
        .appendArray(
          partitions,
          (pw, { partition, offset }) => pw.appendInt32(partition).appendInt64(offset),
          flexible,
          flexible,
        ),
    flexible,
    flexible,
  );
  writer.appendInt32(args.timeoutMs);
  if (flexible) writer.appendTaggedFields();
  return writer;
}

export function decodeDeleteRecords(reader: Reader, _version: number, flexible: boolean): DeletedPartition[] {
  reader.readInt32(); // throttle_time_ms
  const deleted: DeletedPartition[] = [];
  reader.readArray(
    (r) => {
      const topic = r.readString(flexible);
      r.readArray(
        (p) => {
          const partition = p.readInt32();
          const lowWatermark = p.readInt64();
          deleted.push({ topic, partition, lowWatermark, errorCode: p.readInt16() });
        },
        flexible,
        flexible,
      );
    },
    flexible,
    flexible,
  );
  if (flexible) reader.readTaggedFields();
  return deleted;
}
