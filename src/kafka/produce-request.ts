/**
 * A Produce request (v11) around record batches the connector encoded itself, and the reading of its
 * response per partition. The wire grammar, as Kafka defines it:
 *
 *   Produce Request (Version: 11) => transactional_id acks timeout_ms [topic_data] TAG_BUFFER
 *     transactional_id => COMPACT_NULLABLE_STRING
 *     topic_data => name [partition_data] TAG_BUFFER
 *       partition_data => index records TAG_BUFFER
 *         records => COMPACT_RECORDS
 */
import type { Buffer } from "node:buffer";
import { ProtocolError, type produceV11, Writer } from "@platformatic/kafka";

export interface PartitionBatch {
  topic: string;
  partition: number;
  /** One encoded RecordBatch (see record-batch.ts). */
  bytes: Buffer;
  records: number;
}

export type ProduceResponse = ReturnType<typeof produceV11.parseResponse>;

export function produceRequest(
  acks: number,
  timeoutMs: number,
  batches: PartitionBatch[],
  transactionalId: string | null = null,
): Writer {
  const byTopic = new Map<string, PartitionBatch[]>();
  for (const batch of batches) {
    const list = byTopic.get(batch.topic);
    if (list) list.push(batch);
    else byTopic.set(batch.topic, [batch]);
  }
  const writer = Writer.create()
    .appendString(transactionalId)
    .appendInt16(acks)
    .appendInt32(timeoutMs)
    .appendArray([...byTopic], (w, [topic, partitions]) => {
      w.appendString(topic).appendArray(partitions, (pw, batch) => {
        pw.appendInt32(batch.partition)
          .appendUnsignedVarInt(batch.bytes.length + 1)
          .append(batch.bytes);
      });
    })
    .appendTaggedFields();
  if (acks === 0) writer.context.noResponse = true;
  return writer;
}

/** The broker's error for each partition that failed, keyed `topic\0partition`. */
export function partitionErrors(response: ProduceResponse): Map<string, ProtocolError> {
  const errors = new Map<string, ProtocolError>();
  for (const topic of response.responses) {
    for (const partition of topic.partitionResponses) {
      if (partition.errorCode !== 0) {
        errors.set(
          batchKey(topic.name, partition.index),
          new ProtocolError(partition.errorCode, partition.errorMessage),
        );
      }
    }
  }
  return errors;
}

export function batchKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}
