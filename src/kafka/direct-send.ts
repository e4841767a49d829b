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
import type { EncodedRecord } from "../contract/send.ts";
import { createSlabPool, type SlabMemory } from "../memory/slab.ts";
import { ACKS, retryDelayMs } from "./client-options.ts";
import type { Compressor } from "./compressor.ts";
import { keyedPartition } from "./partitioner.ts";
import { batchKey, type PartitionBatch, partitionErrors, produceRequest } from "./produce-request.ts";
import { encodeRecordBatch, encodeRecordsSection, frameBatch, NO_PRODUCER } from "./record-batch.ts";

/** Failed partitions of one attempt: retry them, or give up with the error. */
interface Outcome {
  retry: RecordsBatch[];
  /** Batches the broker refused as too large that hold more than one record: sent again in halves. */
  split: RecordsBatch[];
  fatal: { error: unknown; topic: string } | undefined;
  lastError: { error: unknown; topic: string } | undefined;
}

/** A partition's batch with the records it was encoded from, so it can be split. */
interface RecordsBatch extends PartitionBatch {
  group: EncodedRecord[];
}

/** Sends records whose distinct topics the caller already listed. */
export type Deliver = (records: EncodedRecord[], topics: string[]) => Promise<void>;

/** Batches are compressed by `compressor`, off the main thread. */
export function directSend(producer: Producer, config: Config, compressor: Compressor): Deliver {
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

  const sendToLeader = async (broker: Broker, batches: RecordsBatch[], outcome: Outcome) => {
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

  /**
   * Sends the batches, retrying what the broker says is retriable on fresh metadata. A batch of
   * several records the broker refuses as too large (a topic's max.message.bytes below the request
   * size) is sent again in two halves, one after the other, as Java's producer splits it.
   */
  const sendWithRetries = async (first: RecordsBatch[], send: SendContext): Promise<void> => {
    // Retries stop before delivery_timeout_ms runs out, so the failure names its cause (e.g. too few
    // in-sync replicas) rather than only the timeout.
    const giveUpAt = Date.now() + config.delivery_timeout_ms;
    let pending = first;
    for (let attempt = 0; ; attempt++) {
      const outcome: Outcome = { retry: [], split: [], fatal: undefined, lastError: undefined };
      const byLeader = groupByLeader(pending, send.metadata);
      await Promise.all([...byLeader].map(([broker, batches]) => sendToLeader(broker, batches, outcome)));
      if (outcome.fatal) throw withTopic(outcome.fatal);
      for (const batch of outcome.split) {
        const half = Math.ceil(batch.group.length / 2);
        for (const part of [batch.group.slice(0, half), batch.group.slice(half)]) {
          const encoded = await encodeBatch(batch.topic, batch.partition, part, send.encoding);
          await sendWithRetries([encoded], send);
        }
      }
      if (outcome.retry.length === 0) return;
      const delay = retryDelayMs(attempt + 1);
      const outOfTime = Date.now() + delay + config.request_timeout_ms > giveUpAt;
      if ((attempt >= config.retries || outOfTime) && outcome.lastError) throw withTopic(outcome.lastError);
      await new Promise((resolve) => setTimeout(resolve, delay));
      send.metadata = await producer.metadata({ topics: send.topics, autocreateTopics, forceUpdate: true });
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
      const encoding = { compression: config.compression_type, compressor, allocate };
      const batches = await encodeBatches(records, metadata, keylessRound++, encoding);
      await sendWithRetries(batches, { topics, metadata, encoding });
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

/** What one send's attempts share: its topics, the latest metadata, and how its batches are encoded. */
interface SendContext {
  topics: string[];
  metadata: ClusterMetadata;
  encoding: Encoding;
}

/** How a send's batches are encoded: compressed by whom, into which memory. */
interface Encoding {
  compression: Config["compression_type"];
  compressor: Compressor;
  allocate: (length: number) => Buffer;
}

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
  round: number,
  encoding: Encoding,
): Promise<RecordsBatch[]> {
  const groups = new Map<string, { topic: string; partition: number; records: EncodedRecord[] }>();
  for (const record of records) {
    const count = metadata.topics.get(record.topic)?.partitionsCount ?? 1;
    const partition = record.key ? keyedPartition(record.key, count) : round % count;
    const key = batchKey(record.topic, partition);
    const group = groups.get(key);
    if (group) group.records.push(record);
    else groups.set(key, { topic: record.topic, partition, records: [record] });
  }
  return Promise.all(
    [...groups.values()].map(({ topic, partition, records: group }) =>
      encodeBatch(topic, partition, group, encoding),
    ),
  );
}

/**
 * One partition's batch. A compressed one is encoded here, compressed by the worker while this
 * thread goes on, then framed; the worker keeps the order, so a partition's batches keep theirs.
 */
async function encodeBatch(
  topic: string,
  partition: number,
  group: EncodedRecord[],
  { compression, compressor, allocate }: Encoding,
): Promise<RecordsBatch> {
  const options = { ...NO_PRODUCER, compression, timestamp: Date.now(), allocate };
  const batch = { topic, partition, records: group.length, group };
  if (compression === "none") return { ...batch, bytes: encodeRecordBatch(group, options) };
  const section = encodeRecordsSection(group, options.timestamp);
  const compressed = await compressor.compress(compression, section.bytes);
  return { ...batch, bytes: frameBatch(compressed, section, options) };
}

function groupByLeader(batches: RecordsBatch[], metadata: ClusterMetadata): Map<Broker, RecordsBatch[]> {
  const byLeader = new Map<Broker, RecordsBatch[]>();
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

/** Errors of a batch that is too large for the topic (its max.message.bytes), not of one record. */
const TOO_LARGE = new Set(["MESSAGE_TOO_LARGE", "RECORD_LIST_TOO_LARGE"]);

/** Sorts a failed request's batches into retry, split or fatal, per partition where the broker said which. */
function sortFailure(error: unknown, batches: RecordsBatch[], outcome: Outcome): void {
  const topic = batches[0]?.topic ?? "";
  if (error instanceof ResponseError) {
    const errors = partitionErrors(error.response as ReturnType<typeof produceV11.parseResponse>);
    for (const batch of batches) {
      const partitionError: ProtocolError | undefined = errors.get(batchKey(batch.topic, batch.partition));
      if (!partitionError) continue;
      if (TOO_LARGE.has(partitionError.apiId as string) && batch.group.length > 1) outcome.split.push(batch);
      else if (partitionError.canRetry) {
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
