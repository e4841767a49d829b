/**
 * Batching, flow control and delivery deadlines: the producer settings the client has no equivalent
 * for. Records arrive in input order with consecutive sequence numbers; the dispatcher groups them
 * into batches (each a contiguous run of the input), hands them to `send` in input order, keeps at
 * most `maxInFlight` batches in flight, and reports the range each send resolved with. Timers are
 * injected so tests drive time by hand.
 *
 * A batch is sent when it reaches `batchBytes`, when `lingerMs` has passed since its first record,
 * or when the caller flushes (a STATE, the end of input); a record that would take the batch over
 * `maxRequestBytes` closes it first. Reading waits (the promise from `add`) while the bytes held —
 * pending and in flight — reach `bufferBytes`, as Java's `buffer.memory` blocks `send()`.
 */

import type { EncodedRecord } from "../contract/send.ts";
import { ConnectorError } from "../errors.ts";
import type { SequenceRange } from "./checkpoint.ts";
import { realTimers, type Timers } from "./timers.ts";

export interface DispatcherOptions {
  batchBytes: number;
  lingerMs: number;
  maxRequestBytes: number;
  bufferBytes: number;
  maxInFlight: number;
  deliveryTimeoutMs: number;
  /** Wait for each record's acknowledgement before taking the next (`sync_producer`). */
  oneAtATime: boolean;
  /** Sends a batch whose first record has sequence number `first`; resolves with its range once acknowledged. */
  send: (records: EncodedRecord[], first: number) => Promise<SequenceRange>;
  /** A batch was acknowledged: the range its send resolved with. */
  onDelivered: (range: SequenceRange) => void;
  timers?: Timers;
}

export interface Dispatcher {
  /** Takes the record with sequence number `seq`; a returned promise means: wait before the next. */
  add(record: EncodedRecord, seq: number): Promise<void> | undefined;
  /** Sends what is pending as soon as a slot is free. */
  flush(): void;
  /** Sends everything pending and waits until nothing is in flight. */
  drain(): Promise<void>;
  /** The first delivery failure, once there is one; nothing more is sent after it. */
  readonly failure: unknown;
  readonly inFlight: number;
  /** Bytes of records taken and not yet acknowledged (pending and in flight). */
  readonly heldBytes: number;
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const timers = options.timers ?? realTimers;
  let pending: EncodedRecord[] = [];
  let pendingBytes = 0;
  let pendingFirst = 0;
  let inFlight = 0;
  let inFlightBytes = 0;
  let wantSend = false;
  let lingerTimer: unknown;
  let failure: unknown;
  let waiters: (() => void)[] = [];

  const settled = () => new Promise<void>((resolve) => waiters.push(resolve));

  const wake = () => {
    const now = waiters;
    waiters = [];
    for (const resolve of now) resolve();
  };

  const trySend = () => {
    if (pending.length === 0 || failure !== undefined) return;
    if (inFlight >= options.maxInFlight) {
      wantSend = true;
      return;
    }
    const records = pending;
    const bytes = pendingBytes;
    const first = pendingFirst;
    pending = [];
    pendingBytes = 0;
    wantSend = false;
    if (lingerTimer !== undefined) {
      timers.clear(lingerTimer);
      lingerTimer = undefined;
    }
    inFlight++;
    inFlightBytes += bytes;
    deliver(records, first).then(
      (range) => {
        options.onDelivered(range);
        done(bytes);
      },
      (error: unknown) => {
        failure ??= error;
        done(bytes);
      },
    );
  };

  const deliver = (records: EncodedRecord[], first: number): Promise<SequenceRange> => {
    let timer: unknown;
    const deadline = new Promise<never>((_, reject) => {
      timer = timers.set(
        () => reject(deliveryTimeout(records, options.deliveryTimeoutMs)),
        options.deliveryTimeoutMs,
      );
    });
    const sending = options.send(records, first);
    // The records' memory is reused once the send itself has settled, even after the deadline.
    const release = () => {
      for (const record of records) record.memory?.release();
    };
    sending.then(release, release);
    return Promise.race([sending, deadline]).finally(() => timers.clear(timer));
  };

  const done = (bytes: number) => {
    inFlight--;
    inFlightBytes -= bytes;
    if (wantSend || pendingBytes >= options.batchBytes) trySend();
    wake();
  };

  const waitFor = async (condition: () => boolean) => {
    while (failure === undefined && condition()) await settled();
  };

  const dispatcher: Dispatcher = {
    add(record, seq) {
      if (failure !== undefined) return undefined;
      if (pending.length > 0 && pendingBytes + record.size > options.maxRequestBytes) {
        dispatcher.flush();
        if (pending.length > 0) return waitFor(() => pending.length > 0).then(() => take(record, seq));
      }
      return take(record, seq);
    },
    flush() {
      wantSend = true;
      trySend();
    },
    async drain() {
      dispatcher.flush();
      await waitFor(() => pending.length > 0 || inFlight > 0);
      while (inFlight > 0) await settled();
    },
    get failure() {
      return failure;
    },
    get inFlight() {
      return inFlight;
    },
    get heldBytes() {
      return pendingBytes + inFlightBytes;
    },
  };

  const take = (record: EncodedRecord, seq: number): Promise<void> | undefined => {
    if (failure !== undefined) return undefined;
    if (pending.length === 0) {
      pendingFirst = seq;
      // The linger clock starts with a batch's first record. With linger 0 it fires once the
      // current input chunk is processed, so records read together travel together.
      lingerTimer = timers.set(() => {
        lingerTimer = undefined;
        dispatcher.flush();
      }, options.lingerMs);
    }
    pending.push(record);
    pendingBytes += record.size;
    if (pendingBytes >= options.batchBytes) trySend();
    if (options.oneAtATime) return dispatcher.drain();
    if (inFlightBytes + pendingBytes >= options.bufferBytes) {
      dispatcher.flush();
      return waitFor(() => inFlight > 0 && inFlightBytes + pendingBytes >= options.bufferBytes);
    }
    return undefined;
  };

  return dispatcher;
}

// --- internal ---

function deliveryTimeout(records: EncodedRecord[], ms: number): ConnectorError {
  const topics = [...new Set(records.map((record) => record.topic))].join(", ");
  return new ConnectorError(
    `${records.length} record(s) for topic ${topics} were not acknowledged within delivery_timeout_ms (${ms} ms).`,
    "transient_error",
  );
}
