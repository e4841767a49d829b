/**
 * Produce requests around record batches the connector encoded itself (record-batch.ts), at any
 * version from 3 to 11, and the reading of the answer per partition. Kafka's grammar:
 *
 *   Produce Request (Version: 3–8) => transactional_id acks timeout_ms [topic_data]
 *     transactional_id => NULLABLE_STRING
 *     topic_data => name [partition_data]
 *       partition_data => index records        (records => RECORDS: INT32 length, bytes)
 *   Produce Request (Version: 9–11): the same in compact form with tagged fields (COMPACT_RECORDS)
 *
 *   Produce Response (Version: 3–11) => [responses] throttle_time_ms
 *     responses => name [partition_responses]
 *       partition_responses => index error_code base_offset log_append_time_ms
 *         log_start_offset (v5+) [record_errors] (v8+) error_message (v8+)
 *         record_errors => batch_index batch_index_error_message
 */
import type { Buffer } from "node:buffer";
import { type Reader, Writer } from "@platformatic/kafka";
import { APIS } from "./apis.ts";
import { request, type WireRequest } from "./request.ts";

/** One partition's RecordBatch, ready to send. */
export interface PartitionBatch {
  topic: string;
  partition: number;
  bytes: Buffer;
}

export interface ProduceArgs {
  acks: number;
  timeoutMs: number;
  transactionalId: string | null;
  batches: PartitionBatch[];
}

/** What the broker said of one partition. */
export interface PartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  errorMessage: string | null;
}

export function produceRequest(
  version: number,
  args: ProduceArgs,
): WireRequest<ProduceArgs, PartitionResult[]> {
  // With acks 0 the broker does not answer: every partition counts as written once the request is.
  const unanswered =
    args.acks === 0
      ? args.batches.map(({ topic, partition }) => ({ topic, partition, errorCode: 0, errorMessage: null }))
      : undefined;
  return request(APIS.produce, version, args, { encode: encodeProduce, decode: decodeProduce }, unanswered);
}

export function encodeProduce(args: ProduceArgs, _version: number, flexible: boolean): Writer {
  const byTopic = new Map<string, PartitionBatch[]>();
  for (const batch of args.batches) {
    const list = byTopic.get(batch.topic);
    if (list) list.push(batch);
    else byTopic.set(batch.topic, [batch]);
  }
  const writer = Writer.create()
    .appendString(args.transactionalId, flexible)
    .appendInt16(args.acks)
    .appendInt32(args.timeoutMs)
    .appendArray(
      [...byTopic],
      (w, [topic, partitions]) => {
        w.appendString(topic, flexible).appendArray(
          partitions,
          (pw, batch) => {
            pw.appendInt32(batch.partition);
            if (flexible) pw.appendUnsignedVarInt(batch.bytes.length + 1);
            else pw.appendInt32(batch.bytes.length);
            pw.append(batch.bytes);
          },
          flexible,
          flexible,
        );
      },
      flexible,
      flexible,
    );
  if (flexible) writer.appendTaggedFields();
  return writer;
}

export function decodeProduce(reader: Reader, version: number, flexible: boolean): PartitionResult[] {
  const results: PartitionResult[] = [];
  reader.readArray(
    (r) => {
      const topic = r.readString(flexible);
      r.readArray(
        (p) => {
          const partition = p.readInt32();
          const errorCode = p.readInt16();
          p.readInt64(); // base_offset
          p.readInt64(); // log_append_time_ms
          if (version >= 5) p.readInt64(); // log_start_offset
          let errorMessage: string | null = null;
          if (version >= 8) {
            p.readArray(
              (e) => {
                e.readInt32();
                e.readNullableString(flexible);
              },
              flexible,
              flexible,
            );
            errorMessage = p.readNullableString(flexible);
          }
          results.push({ topic, partition, errorCode, errorMessage });
        },
        flexible,
        flexible,
      );
    },
    flexible,
    flexible,
  );
  reader.readInt32(); // throttle_time_ms
  if (flexible) reader.readTaggedFields();
  return results;
}
