/**
 * The send contract between the core and the Kafka edge, owned by the core: what a record is once
 * encoded, and what the edge must do with it. The edge (kafka/sender.ts) implements `Sender`; the
 * core (pipeline/) relies on nothing more than what is written here.
 */
import type { Buffer } from "node:buffer";
import type { SlabMemory } from "../memory/slab.ts";

export interface EncodedRecord {
  topic: string;
  /** Undefined with `message_key` none. */
  key: Buffer | undefined;
  /** null: a tombstone (`cdc_deletes: tombstone`), which compaction takes as the key's deletion. */
  value: Buffer | null;
  /** Kafka record headers, when `headers` is on. */
  headers: [Buffer, Buffer][] | undefined;
  /** The record's timestamp (epoch ms) when `record_timestamp` is `emitted_at`; else the producer's clock. */
  timestamp: number | undefined;
  /** Kafka's upper bound for this record inside a request, as the Java producer checks it. */
  size: number;
  /** Release once the record's send has settled, so its memory (key and value) can be reused. */
  memory: SlabMemory | undefined;
}

/** A record with a value: what every layout encodes (a tombstone has none). */
export type ValuedRecord = EncodedRecord & { value: Buffer };

/**
 * `send` resolves once every record is acknowledged per `acks` (with acks 0: written to the socket),
 * and rejects with a ConnectorError otherwise. With `transactional_id`, sends go into Kafka
 * transactions, and sends and commits take effect in call order: a commit covers exactly the sends
 * called before it.
 */
export interface Sender {
  /**
   * Reaches the first bootstrap broker that answers and holds it to what the config needs: a broker
   * too old for the config, or a login it refuses, is a config_error here, before any record.
   */
  connect(): Promise<void>;
  send(records: EncodedRecord[]): Promise<void>;
  /** Only with `transactional_id`: commits the open transaction after every send handed over. */
  commit: (() => Promise<void>) | undefined;
  /** Closes the connections; bounded, so a hung broker cannot keep the process alive. */
  close(): Promise<void>;
  /** For streams that overwrite: records where their topics end, and later deletes what lies before. */
  truncator: Truncator;
}

/** Where each partition of a topic ended when the sync started. */
export interface TopicMark {
  topic: string;
  partitions: { partition: number; end: bigint }[];
}

/**
 * Full Refresh Overwrite on a topic, which cannot be overwritten: `mark` records where the topic
 * ends before the sync writes to it (undefined: it does not exist yet, so nothing is older), and
 * rejects with a config_error when its records could not be deleted (no DELETE permission, a
 * compacted-only topic); `truncate`, called only once the sync has succeeded, deletes every
 * record below the mark and resolves with how many offsets that freed. Both reject with a
 * ConnectorError.
 */
export interface Truncator {
  mark(topic: string): Promise<TopicMark | undefined>;
  truncate(mark: TopicMark): Promise<number>;
}
