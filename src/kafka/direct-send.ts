/**
 * The fast send path: record batches encoded by the connector (record-batch.ts), sent as Produce
 * requests on the client's own connections, with the client's metadata — so SASL, TLS, leader
 * discovery and connection handling stay the client's. It partitions as the Java client does and
 * retries what the broker says is retriable (a leader moved, too few replicas for a moment) on fresh
 * metadata, with Java's backoff. Idempotent and transactional producers keep the client's own path,
 * which owns their sequence numbers.
 */
import {
  type Broker,
  type CallbackWithPromise,
  type ClusterMetadata,
  type Connection,
  kGetConnection,
  NetworkError,
  type Producer,
  type ProtocolError,
  produceV11,
  ResponseError,
} from "@platformatic/kafka";
import type { Config } from "../config/schema.ts";
import type { EncodedRecord } from "../pipeline/record.ts";
import { createSlabPool, type SlabMemory } from "../pipeline/slab.ts";
import { ACKS, retryDelayMs } from "./client-options.ts";
import { keyedPartition } from "./partitioner.ts";
import { batchKey, type PartitionBatch, partitionErrors, produceRequest } from "./produce-request.ts";
import { encodeRecordBatch, NO_PRODUCER } from "./record-batch.ts";

/** Failed partitions of one attempt: retry them, or give up with the error. */
interface Outcome {
  retry: PartitionBatch[];
  fatal: { error: unknown; topic: string } | undefined;
  lastError: { error: unknown; topic: string } | undefined;
}

/** Sends records whose distinct topics the caller already listed. */
export type Deliver = (records: EncodedRecord[], topics: string[]) => Promise<void>;

export function directSend(producer: Producer, config: Config): Deliver {
  const acks = ACKS[config.acks];
  const autocreateTopics = !config.create_topics;
  // Keyless records of one send stay together on one partition, the next send's on the next one, as
  // Java's default partitioner sticks to a partition per batch.
  let keylessRound = 0;
  const batchMemory = createSlabPool();
  const connect = (broker: Broker) =>
    new Promise<Connection>((resolve, reject) => {
      (producer as unknown as ConnectionSource)[kGetConnection](broker, (error, connection) =>
        error || !connection ? reject(error) : resolve(connection),
      );
    });

  const sendToLeader = async (broker: Broker, batches: PartitionBatch[], outcome: Outcome) => {
    try {
      const connection = await connect(broker);
      const request = produceRequest(acks, config.request_timeout_ms, batches);
      await new Promise<void>((resolve, reject) => {
        connection.send(
          0,
          11,
          () => request,
          produceV11.parseResponse,
          true,
          true,
          (error: Error | null) => (error ? reject(error) : resolve()),
        );
      });
    } catch (error) {
      sortFailure(error, batches, outcome);
    }
  };

  /** Sends the batches, retrying what the broker says is retriable on fresh metadata. */
  const sendWithRetries = async (first: PartitionBatch[], topics: string[], initial: ClusterMetadata) => {
    // Retries stop before delivery_timeout_ms runs out, so the failure names its cause (e.g. too few
    // in-sync replicas) rather than only the timeout.
    const giveUpAt = Date.now() + config.delivery_timeout_ms;
    let metadata = initial;
    let pending = first;
    for (let attempt = 0; ; attempt++) {
      const outcome: Outcome = { retry: [], fatal: undefined, lastError: undefined };
      const byLeader = groupByLeader(pending, metadata);
      await Promise.all([...byLeader].map(([broker, batches]) => sendToLeader(broker, batches, outcome)));
      if (outcome.fatal) throw withTopic(outcome.fatal);
      if (outcome.retry.length === 0) return;
      const delay = retryDelayMs(attempt + 1);
      const outOfTime = Date.now() + delay + config.request_timeout_ms > giveUpAt;
      if ((attempt >= config.retries || outOfTime) && outcome.lastError) throw withTopic(outcome.lastError);
      await new Promise((resolve) => setTimeout(resolve, delay));
      metadata = await producer.metadata({ topics, autocreateTopics, forceUpdate: true });
      pending = outcome.retry;
    }
  };

  return async (records, topics) => {
    const metadata = await producer.metadata({ topics, autocreateTopics });
    // Batch memory is reused once this send has settled: its batches are not retried any more.
    const memories: SlabMemory[] = [];
    const allocate = (length: number) => {
      const { buffer, memory } = batchMemory.allocate(length);
      if (memory) memories.push(memory);
      return buffer;
    };
    try {
      const batches = encodeBatches(records, metadata, config, keylessRound++, allocate);
      await sendWithRetries(batches, topics, metadata);
    } finally {
      for (const memory of memories) memory.release();
    }
  };
}

/** An error with the topic it concerns, for the message the user sees. */
export class TopicSendError extends Error {
  readonly topic: string;
  constructor(topic: string, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.topic = topic;
  }
}

// --- internal ---

interface ConnectionSource {
  [kGetConnection](broker: Broker, callback: CallbackWithPromise<Connection>): void;
}

function withTopic(failure: { error: unknown; topic: string }): TopicSendError {
  return new TopicSendError(failure.topic, failure.error);
}

/**
 * Records → one batch per topic partition: keyed records where the Java client puts them, keyless
 * ones all on partition `round` (modulo the count), which moves on with each send.
 */
function encodeBatches(
  records: EncodedRecord[],
  metadata: ClusterMetadata,
  config: Config,
  round: number,
  allocate: (length: number) => Buffer,
): PartitionBatch[] {
  const groups = new Map<string, { topic: string; partition: number; records: EncodedRecord[] }>();
  for (const record of records) {
    const count = metadata.topics.get(record.topic)?.partitionsCount ?? 1;
    const partition = record.key ? keyedPartition(record.key, count) : round % count;
    const key = batchKey(record.topic, partition);
    const group = groups.get(key);
    if (group) group.records.push(record);
    else groups.set(key, { topic: record.topic, partition, records: [record] });
  }
  const timestamp = Date.now();
  return [...groups.values()].map(({ topic, partition, records: group }) => ({
    topic,
    partition,
    records: group.length,
    bytes: encodeRecordBatch(group, {
      ...NO_PRODUCER,
      compression: config.compression_type,
      timestamp,
      allocate,
    }),
  }));
}

function groupByLeader(batches: PartitionBatch[], metadata: ClusterMetadata): Map<Broker, PartitionBatch[]> {
  const byLeader = new Map<Broker, PartitionBatch[]>();
  for (const batch of batches) {
    const leader = metadata.topics.get(batch.topic)?.partitions[batch.partition]?.leader;
    const broker = leader === undefined ? undefined : metadata.brokers.get(leader);
    if (!broker)
      throw new TopicSendError(batch.topic, new Error(`no leader is known for partition ${batch.partition}`));
    const list = byLeader.get(broker);
    if (list) list.push(batch);
    else byLeader.set(broker, [batch]);
  }
  return byLeader;
}

/** Sorts a failed request's batches into retry or fatal, per partition where the broker said which. */
function sortFailure(error: unknown, batches: PartitionBatch[], outcome: Outcome): void {
  const topic = batches[0]?.topic ?? "";
  if (error instanceof ResponseError) {
    const errors = partitionErrors(error.response as ReturnType<typeof produceV11.parseResponse>);
    for (const batch of batches) {
      const partitionError: ProtocolError | undefined = errors.get(batchKey(batch.topic, batch.partition));
      if (!partitionError) continue;
      if (partitionError.canRetry) {
        outcome.retry.push(batch);
        outcome.lastError = { error: partitionError, topic: batch.topic };
      } else outcome.fatal ??= { error: partitionError, topic: batch.topic };
    }
    return;
  }
  if (NetworkError.isRetryable(error as Error)) {
    outcome.retry.push(...batches);
    outcome.lastError = { error, topic };
  } else outcome.fatal ??= { error, topic };
}
