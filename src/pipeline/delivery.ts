/**
 * Delivery as `write` drives it: the dispatcher (batching, flow control, delivery deadlines) sends
 * through the sequenced edge, and with transactions the committer decides when to commit. Every
 * range the edge reports durable goes to the checkpoint rule, then `release` runs to echo what it
 * releases. The rule itself is checkpoint.ts; this file only connects the reports to it.
 */
import type { Config } from "../config/schema.ts";
import type { EncodedRecord } from "../contract/send.ts";
import type { Checkpoints } from "./checkpoint.ts";
import { createCommitter } from "./committer.ts";
import { createDispatcher } from "./dispatcher.ts";
import { type Edge, sequencedEdge } from "./edge.ts";
import type { Timers } from "./timers.ts";

export interface DeliveryOptions {
  config: Config;
  /** The Kafka edge; a `commit` means transactions (checkpoints made `transactional`). */
  edge: Edge;
  checkpoints: Checkpoints;
  /** Echoes the STATEs the checkpoints release; called whenever something became durable. */
  release: () => void;
  /** False once the sync is failing or stopping for a reason of its own: nothing more is committed. */
  mayCommit: () => boolean;
  timers: Timers;
}

export interface Delivery {
  /** Takes the record with sequence number `seq`; a returned promise means: wait before the next. */
  add(record: EncodedRecord, seq: number): Promise<void> | undefined;
  /**
   * A STATE was read (and given to the checkpoints): releases it if it is earned already, and sends
   * what is pending. With transactions, while a STATE waits, the records before it are all
   * acknowledged and then committed; the returned promise means: wait for that.
   */
  atState(): Promise<void> | undefined;
  /** The input ended: sends everything, waits for it, and commits the rest. */
  finish(): Promise<void>;
  /** Waits until nothing is in flight. */
  drain(): Promise<void>;
  /** The first delivery failure, else the first commit failure. */
  readonly failure: unknown;
  /** Aborted once a commit fails: no later STATE can be earned, so the sync ends, even while the source is silent. */
  readonly failed: AbortSignal;
  /** Bytes of records taken and not yet acknowledged. */
  readonly heldBytes: number;
  /** Stops the transaction clock. */
  stop(): void;
}

export function createDelivery(options: DeliveryOptions): Delivery {
  const { config, checkpoints, release, timers } = options;
  const edge = sequencedEdge(options.edge);
  const commitFailed = new AbortController();
  const commit = edge.commit;
  const committer = commit
    ? createCommitter({
        commit: () =>
          commit().catch((error: unknown) => {
            commitFailed.abort();
            throw error;
          }),
        // Half the transaction timeout leaves the other half for the commit itself.
        maxOpenMs: Math.max(1, Math.floor(config.transaction_timeout_ms / 2)),
        mayCommit: () => options.mayCommit() && dispatcher.failure === undefined,
        onCommitted: (through) => {
          checkpoints.committed(through);
          release();
        },
        timers,
      })
    : undefined;

  const dispatcher = createDispatcher({
    batchBytes: config.sync_producer ? 0 : config.batch_size,
    lingerMs: config.linger_ms,
    maxRequestBytes: config.max_request_size,
    bufferBytes: config.buffer_memory,
    maxInFlight: config.sync_producer ? 1 : config.max_in_flight_requests_per_connection,
    deliveryTimeoutMs: config.delivery_timeout_ms,
    oneAtATime: config.sync_producer,
    send: committer
      ? (records, first) => {
          committer.sending();
          return edge.send(records, first);
        }
      : edge.send,
    onDelivered: (range) => {
      checkpoints.delivered(range);
      release();
    },
    timers,
  });

  return {
    add: (record, seq) => dispatcher.add(record, seq),
    atState() {
      release();
      dispatcher.flush();
      if (committer && checkpoints.pendingStates > 0)
        return dispatcher.drain().then(() => committer.commit());
      return undefined;
    },
    async finish() {
      await dispatcher.drain();
      await committer?.commit();
    },
    drain: () => dispatcher.drain(),
    get failure() {
      return dispatcher.failure !== undefined ? dispatcher.failure : committer?.failure;
    },
    failed: commitFailed.signal,
    get heldBytes() {
      return dispatcher.heldBytes;
    },
    stop() {
      committer?.stop();
    },
  };
}
