/**
 * The one produce path, for every mode: records → one RecordBatch per partition (record-batch.ts),
 * sent as Produce requests at the version each leader speaks, retried on fresh metadata while the
 * broker says so, split in halves when a topic refuses a batch as too large, and held per partition
 * (lanes.ts) so that neither a retry nor a split lets a later batch of the partition land first.
 * Idempotent and transactional sends differ only in the producer id, epoch and sequence numbers
 * their batches carry, and in the hook that registers a transaction's partitions first.
 */
import type { Buffer } from "node:buffer";
import { ProtocolError } from "@platformatic/kafka";
import { createSlabPool, type SlabMemory } from "../../memory/slab.ts";
import type { CompressionType } from "../client-options.ts";
import { retryDelayMs } from "../client-options.ts";
import type { Compressor } from "../compressor.ts";
import { keyedPartition } from "../partitioner.ts";
import {
  type BatchRecord,
  encodeRecordBatch,
  encodeRecordsSection,
  frameBatch,
  NO_PRODUCER,
} from "../record-batch.ts";
import { APIS } from "./apis.ts";
import type { Clock } from "./clock.ts";
import type { Cluster, Snapshot } from "./cluster.ts";
import { createLanes } from "./lanes.ts";
import { type Fate, fatesOf, isRetriable, partitionKey } from "./outcome.ts";
import { type PartitionBatch, produceRequest } from "./produce.ts";
import { createSequences, sequenceAfter } from "./sequences.ts";

/** A record with the topic it goes to. */
export interface TopicRecord extends BatchRecord {
  topic: string;
}

export interface ProducerSettings {
  acks: number;
  requestTimeoutMs: number;
  deliveryTimeoutMs: number;
  retries: number;
  compression: CompressionType;
  /** Let the broker create a missing topic (its auto.create.topics.enable decides). */
  autoCreateTopics: boolean;
}

/** Who writes, for idempotent and transactional batches. */
export interface Identity {
  producerId: bigint;
  producerEpoch: number;
  transactionalId: string | null;
}

export interface SendOptions {
  /** The producer id the batches carry (idempotence, transactions); none: a plain producer. */
  identity?: Identity | undefined;
  /** Runs before the batches go out, with their partitions (a transaction registers them). */
  beforeSend?: ((partitions: { topic: string; partition: number }[]) => Promise<void>) | undefined;
}

export interface Producer {
  /** Resolves once every record is acknowledged per `acks`; rejects with a TopicSendError. */
  send(records: TopicRecord[], topics: string[], options?: SendOptions): Promise<void>;
}

/** An error with the topic it concerns, for the message the user sees. */
export class TopicSendError extends Error {
  readonly topic: string;
  constructor(topic: string, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "TopicSendError";
    this.topic = topic;
  }
}

export function createProducer(
  cluster: Cluster,
  settings: ProducerSettings,
  compressor: Compressor,
  clock: Clock,
): Producer {
  const lanes = createLanes();
  const sequences = createSequences();
  const batchMemory = createSlabPool();
  // Keyless records of one send stay together on one partition, the next send's on the next one, as
  // Java's default partitioner sticks to a partition per batch.
  let keylessRound = 0;
  // Sends take their places (partitions, sequence numbers, lanes) one after another, in call order.
  let admission: Promise<unknown> = Promise.resolve();

  const admit = async (records: TopicRecord[], topics: string[], identity: Identity | undefined) => {
    const snapshot = await cluster.metadata(topics, { autoCreate: settings.autoCreateTopics });
    const groups = partitionRecords(records, snapshot, keylessRound++);
    const hold = lanes.hold(groups.map((group) => group.key));
    const planned = groups.map((group) => ({
      ...group,
      baseSequence: identity ? sequences.reserve(group.key, group.records.length) : -1,
    }));
    return { planned, hold };
  };

  const request = async (
    broker: number,
    batches: EncodedBatch[],
    snapshot: Snapshot,
    identity?: Identity,
  ) => {
    const address = snapshot.brokers.get(broker);
    const args = {
      acks: settings.acks,
      timeoutMs: settings.requestTimeoutMs,
      transactionalId: identity?.transactionalId ?? null,
      batches,
    };
    try {
      const results = await cluster.call(address as NonNullable<typeof address>, APIS.produce, (version) =>
        produceRequest(version, args),
      );
      return fatesOf(batches, { results });
    } catch (error) {
      return fatesOf(batches, { error });
    }
  };

  /** One round: each leader gets its batches; what becomes of each batch. */
  const round = async (pending: EncodedBatch[], topics: string[], refresh: boolean, identity?: Identity) => {
    let snapshot: Snapshot;
    try {
      snapshot = await cluster.metadata(topics, { autoCreate: settings.autoCreateTopics, refresh });
    } catch (error) {
      // No broker could say where the leaders are (a restart, a leader killed): a round to retry.
      const fate: Fate = isRetriable(error) ? { kind: "retry", error } : { kind: "fatal", error };
      return pending.map((batch) => [batch, fate] as const);
    }
    const noLeader: Fate = { kind: "retry", error: new ProtocolError("LEADER_NOT_AVAILABLE") };
    const fates: (readonly [EncodedBatch, Fate])[] = [];
    const byLeader = new Map<number, EncodedBatch[]>();
    for (const batch of pending) {
      const leader = snapshot.topics.get(batch.topic)?.partitions[batch.partition]?.leader ?? -1;
      const forLeader = byLeader.get(leader);
      if (!snapshot.brokers.has(leader)) fates.push([batch, noLeader]);
      else if (forLeader) forLeader.push(batch);
      else byLeader.set(leader, [batch]);
    }
    const answers = await Promise.all(
      [...byLeader].map(async ([leader, batches]) => {
        const answer = await request(leader, batches, snapshot, identity);
        return batches.map((batch, i) => [batch, answer[i] as Fate] as const);
      }),
    );
    return [...fates, ...answers.flat()];
  };

  /** Sends `batches` until each is delivered, or one fails for good, or time runs out. */
  const transmit = async (
    first: EncodedBatch[],
    topics: string[],
    giveUpAt: number,
    encoding: Encoding,
  ): Promise<void> => {
    let pending = first;
    for (let attempt = 0; ; attempt++) {
      const retry: EncodedBatch[] = [];
      const split: EncodedBatch[] = [];
      let lastError: { error: unknown; topic: string } | undefined;
      for (const [batch, fate] of await round(pending, topics, attempt > 0, encoding.identity)) {
        if (fate.kind === "fatal") throw new TopicSendError(batch.topic, fate.error);
        if (fate.kind === "split") split.push(batch);
        if (fate.kind === "retry") {
          retry.push(batch);
          lastError = { error: fate.error, topic: batch.topic };
        }
      }
      for (const batch of split) {
        const half = Math.ceil(batch.group.length / 2);
        const halves = [batch.group.slice(0, half), batch.group.slice(half)];
        for (const [i, part] of halves.entries()) {
          const base = batch.baseSequence < 0 ? -1 : sequenceAfter(batch.baseSequence, i === 0 ? 0 : half);
          const { topic, partition } = batch;
          const key = partitionKey(topic, partition);
          const encoded = await encodeBatch(
            { key, topic, partition, records: part, baseSequence: base },
            encoding,
          );
          await transmit([encoded], topics, giveUpAt, encoding);
        }
      }
      if (retry.length === 0 || !lastError) return;
      const delay = retryDelayMs(attempt + 1);
      const outOfTime = clock.now() + delay + settings.requestTimeoutMs > giveUpAt;
      // Retries stop before delivery_timeout_ms runs out, so the failure names its cause (e.g. too
      // few in-sync replicas) rather than only the timeout.
      if (attempt >= settings.retries || outOfTime)
        throw new TopicSendError(lastError.topic, lastError.error);
      await clock.sleep(delay);
      pending = retry;
    }
  };

  return {
    send(records, topics, options = {}) {
      const admitted = admission.then(() => admit(records, topics, options.identity));
      admission = admitted.catch(() => undefined);
      return admitted.then(async ({ planned, hold }) => {
        const giveUpAt = clock.now() + settings.deliveryTimeoutMs;
        // Batch memory is reused once this send has settled: its batches are not sent again.
        const memories: SlabMemory[] = [];
        const allocate = (length: number) => {
          const { buffer, memory } = batchMemory.allocate(length);
          if (memory) memories.push(memory);
          return buffer;
        };
        const encoding: Encoding = {
          compression: settings.compression,
          compressor,
          allocate,
          identity: options.identity,
        };
        try {
          const batches = await Promise.all(planned.map((group) => encodeBatch(group, encoding)));
          await hold.ready;
          await options.beforeSend?.(batches.map(({ topic, partition }) => ({ topic, partition })));
          await transmit(batches, topics, giveUpAt, encoding);
          hold.release();
        } catch (error) {
          hold.release(error);
          throw error;
        } finally {
          for (const memory of memories) memory.release();
        }
      });
    },
  };
}

// --- internal ---

interface Group {
  key: string;
  topic: string;
  partition: number;
  records: TopicRecord[];
}

interface PlannedGroup extends Group {
  /** -1: not idempotent. */
  baseSequence: number;
}

interface EncodedBatch extends PartitionBatch {
  records: number;
  group: TopicRecord[];
  baseSequence: number;
}

/** How a send's batches are encoded: compressed by whom, into which memory, carrying which producer. */
interface Encoding {
  compression: CompressionType;
  compressor: Compressor;
  allocate: (length: number) => Buffer;
  identity: Identity | undefined;
}

/**
 * Records → one group per topic partition, in input order: keyed records where the Java client puts
 * them, keyless ones all on partition `round` (modulo the count), which moves on with each send.
 */
function partitionRecords(records: TopicRecord[], snapshot: Snapshot, round: number): Group[] {
  const groups = new Map<string, Group>();
  for (const record of records) {
    const count = snapshot.topics.get(record.topic)?.partitions.length ?? 1;
    const partition = record.key ? keyedPartition(record.key, count) : round % count;
    const key = partitionKey(record.topic, partition);
    const group = groups.get(key);
    if (group) group.records.push(record);
    else groups.set(key, { key, topic: record.topic, partition, records: [record] });
  }
  return [...groups.values()];
}

/**
 * One partition's batch. A compressed one is encoded here, compressed by the worker while this
 * thread goes on, then framed; the worker keeps the order, so a partition's batches keep theirs.
 */
async function encodeBatch(group: PlannedGroup, encoding: Encoding): Promise<EncodedBatch> {
  const { identity, compression } = encoding;
  const producer = identity
    ? {
        producerId: identity.producerId,
        producerEpoch: identity.producerEpoch,
        baseSequence: group.baseSequence,
        transactional: identity.transactionalId !== null,
      }
    : NO_PRODUCER;
  const options = { ...producer, compression, timestamp: Date.now(), allocate: encoding.allocate };
  const batch = {
    topic: group.topic,
    partition: group.partition,
    records: group.records.length,
    group: group.records,
    baseSequence: group.baseSequence,
  };
  if (compression === "none") return { ...batch, bytes: encodeRecordBatch(group.records, options) };
  const section = encodeRecordsSection(group.records, options.timestamp);
  const compressed = await encoding.compressor.compress(compression, section.bytes);
  return { ...batch, bytes: frameBatch(compressed, section, options) };
}
