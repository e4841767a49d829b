/**
 * The `write` loop: input lines → records and STATEs → Kafka, each STATE echoed once every record
 * before it is durable. The parts are modules of their own: routes.ts (topic, key, codec per
 * stream), input-policy.ts (lines that cannot be written), delivery.ts (batches, sends, commits),
 * checkpoint.ts (the rule that releases STATEs), progress.ts and notices.ts (what the user is told).
 *
 * In socket mode the input is several flows of messages, one per socket (protocol/socket-messages.ts),
 * read as each has messages, and partitions.ts is the checkpoint rule; the rest is the same. A
 * failure on any socket stops every socket and no STATE is echoed after it.
 */
import type { Config } from "../config/schema.ts";
import { asConnectorError, ConnectorError } from "../errors.ts";
import type { CatalogStream } from "../protocol/catalog.ts";
import type { Emitter } from "../protocol/emit.ts";
import { type Line, readLines } from "../protocol/lines.ts";
import { type ParsedLine, parseLine, streamKey } from "../protocol/parse.ts";
import type { SocketMessage } from "../protocol/socket-messages.ts";
import type { RegistryClient } from "../registry/client.ts";
import { createCheckpoints } from "./checkpoint.ts";
import { createDelivery } from "./delivery.ts";
import type { Edge } from "./edge.ts";
import { createInputPolicy, type Refusal } from "./input-policy.ts";
import { startNotices } from "./notices.ts";
import { planOverwrites } from "./overwrite.ts";
import { createPartitionCheckpoints } from "./partitions.ts";
import { startProgress, type Totals } from "./progress.ts";
import { createRoutes, type Route } from "./routes.ts";
import { realTimers, type Timers } from "./timers.ts";

export interface WriteOptions extends Edge {
  config: Config;
  /** The configured catalog; without one, every stream is routed by topic_pattern as it appears. */
  catalog: CatalogStream[] | undefined;
  /** stdin's bytes, or in socket mode one flow of messages per socket. */
  input: AsyncIterable<Uint8Array> | { sockets: AsyncIterable<SocketMessage[]>[] };
  /** The Schema Registry, when value_format or key_format is avro or json_schema. */
  registry?: RegistryClient;
  emit: Emitter;
  /** Aborted on SIGTERM / SIGINT: stop reading, wait up to `graceMs` for acks, echo what is earned. */
  signal?: AbortSignal;
  graceMs?: number;
  timers?: Timers;
}

export interface WriteSummary extends Totals {
  /** Offsets deleted per topic a stream overwrote (the records the topic held before the sync). */
  deleted: Map<string, number>;
  statesEchoed: number;
  statesHeld: number;
  skippedLines: number;
  /** Lines written to the dead-letter topic. */
  deadLetters: number;
  ignoredMessages: Map<string, number>;
  failure: ConnectorError | undefined;
}

/** Longest input line we buffer; a longer one is refused without being held in memory. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export async function runWrite(options: WriteOptions): Promise<WriteSummary> {
  const { config, emit } = options;
  const timers = options.timers ?? realTimers;
  const routes = createRoutes(config, options.catalog, options.registry);
  const overwrites = planOverwrites(config, options.catalog, routes, options.truncator);
  const rule = { transactional: options.commit !== undefined, holds: overwrites.holds };
  const sockets = "sockets" in options.input ? options.input.sockets : undefined;
  const partitions = sockets ? createPartitionCheckpoints(rule) : undefined;
  const checkpoints = partitions ?? createCheckpoints(rule);
  /** The partition of the socket message being handled (none on stdin). */
  let partition: string | undefined;
  const input = createInputPolicy({
    config,
    emit,
    // A dead letter is sent like a record, so the STATEs after it (of its partition) wait for it.
    deadLetter: (record) => delivery.add(record, checkpoints.message(partition)),
    rejected: (stream) => checkpoints.rejected(streamKey(stream), partition),
    streams: routes.all(),
  });
  const release = () => {
    for (const line of checkpoints.releasable()) void emit.line(line);
  };
  let stopped = false; // no more input is read
  const delivery = createDelivery({
    config,
    edge: options,
    checkpoints,
    release,
    mayCommit: () => !stopped && input.failure === undefined,
    timers,
  });

  /** Handles one line; returns a promise only when the caller must wait (a WARN, backpressure, a commit). */
  const handle = (line: Line): Promise<void> | undefined => {
    if (line.bytes === undefined) return input.refuse({ lineNumber: line.number, reason: line.problem });
    return handleParsed(parseLine(line.bytes), { lineNumber: line.number, line: line.bytes });
  };

  const handleParsed = (parsed: ParsedLine, refusal: Omit<Refusal, "reason">): Promise<void> | undefined => {
    if (parsed.kind === "state") {
      checkpoints.state(parsed);
      return delivery.atState();
    }
    if (parsed.kind === "other") return input.ignore(parsed.type);
    if (parsed.kind === "invalid")
      return input.refuse({ ...refusal, reason: parsed.reason, stream: parsed.stream });
    let route: Route | string;
    try {
      route = routes.of(parsed.stream);
    } catch (error) {
      return input.fail(error);
    }
    const stream = parsed.stream;
    if (typeof route === "string") return input.refuse({ ...refusal, reason: route, stream });
    const registering = route.pending();
    // The stream's first record: its schemas are registered before it, then it is handled again.
    if (registering) return registering.then(() => handleParsed(parsed, refusal), input.fail);
    const encoded = route.encode(parsed);
    if (typeof encoded === "string") return input.refuse({ ...refusal, reason: encoded, stream });
    return delivery.add(encoded, checkpoints.record(route.key, partition));
  };

  /** One socket message; the partition rule throws on a message without its partition. */
  const handleSocket = (socket: number, message: SocketMessage): Promise<void> | undefined => {
    partition = message.partitionId;
    const refusal = {
      lineNumber: message.number,
      place: `socket ${socket} message ${message.number}`,
      line: message.line,
    };
    try {
      return handleParsed(message.parsed, refusal);
    } catch (error) {
      return input.fail(error);
    }
  };

  const readStdin = async (chunks: AsyncIterable<Uint8Array>) => {
    for await (const lines of readLines(chunks, MAX_LINE_BYTES)) {
      for (const line of lines) {
        if (stopped || input.failure || delivery.failure !== undefined) return;
        const handling = handle(line);
        // Most lines complete synchronously; only await the ones that had to wait.
        if (handling) await handling;
      }
    }
  };

  /**
   * Reads whichever socket has messages, one batch at a time: a socket is read again only once its
   * last batch is handled, so none is read ahead of what Kafka takes (its source waits), memory
   * holds at most a batch per socket, and a socket whose source is slow holds up no other.
   */
  const readSockets = async (flows: AsyncIterable<SocketMessage[]>[]) => {
    const readers = flows.map((flow) => flow[Symbol.asyncIterator]());
    const next = new Map<number, Promise<[number, IteratorResult<SocketMessage[]>]>>();
    const pull = (index: number) =>
      next.set(
        index,
        (readers[index] as AsyncIterator<SocketMessage[]>).next().then((result) => [index, result]),
      );
    for (let index = 0; index < readers.length; index++) pull(index);
    try {
      while (next.size > 0) {
        const [index, result] = await Promise.race(next.values());
        next.delete(index);
        if (result.done) continue;
        for (const message of result.value) {
          if (stopped || input.failure || delivery.failure !== undefined) return;
          const handling = handleSocket(index + 1, message);
          if (handling) await handling;
        }
        pull(index);
      }
      partitions?.inputEnded();
    } catch (error) {
      input.fail(error);
    } finally {
      // Sockets still open are closed; one that never answers is not waited for.
      for (const index of next.keys()) void readers[index]?.return?.();
      // No STATE after a failure on any socket, whatever is acknowledged later.
      if (input.failure) checkpoints.close();
    }
  };
  const read = () => (sockets ? readSockets(sockets) : readStdin(options.input as AsyncIterable<Uint8Array>));

  for (const { level, text } of startNotices(config, options.catalog ?? [])) await emit.log(level, text);
  // Where the overwritten topics end, before anything is written to them (or a refusal).
  await overwrites.mark();
  const progress = startProgress({
    routes: routes.all,
    heldBytes: () => delivery.heldBytes,
    intervalSeconds: config.progress_interval_seconds,
    emit,
    timers,
  });
  const stop = options.signal ? AbortSignal.any([options.signal, delivery.failed]) : delivery.failed;
  if (await interrupted(read(), stop)) {
    stopped = true;
    // Echo what is earned within the grace period; later acknowledgements no longer count.
    await Promise.race([delivery.drain(), sleep(options.graceMs ?? 10_000)]);
    input.fail(interruption());
  } else await delivery.finish();
  release();
  // Socket mode: STATEs still waiting once everything is durable were never earned; say why.
  const stranded = partitions?.stranded();
  if (stranded && !stopped && delivery.failure === undefined) input.fail(stranded);
  let deleted = new Map<string, number>();
  if (!stopped && delivery.failure === undefined && input.failure === undefined) {
    // Every record is durable and the input ended well: only now does anything older go.
    try {
      deleted = await overwrites.truncate();
      for (const line of checkpoints.releaseHeld()) void emit.line(line);
    } catch (error) {
      input.fail(error);
    }
  }
  checkpoints.close();
  delivery.stop();
  const failure = delivery.failure;
  return {
    ...progress.finish(),
    deleted,
    statesEchoed: checkpoints.released,
    statesHeld: checkpoints.pendingStates,
    skippedLines: input.skippedLines,
    deadLetters: input.deadLetters,
    ignoredMessages: input.ignoredMessages,
    failure: failure !== undefined ? asConnectorError(failure, "Delivery failed") : input.failure,
  };
}

// --- internal ---

const interruption = () =>
  new ConnectorError(
    "The sync was interrupted (SIGTERM or SIGINT) before its input ended; STATEs whose records were acknowledged have been echoed.",
    "transient_error",
  );

/** Resolves true when `signal` aborts before `work` finishes, false when `work` finishes first. */
async function interrupted(work: Promise<void>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return true;
  return Promise.race([
    work.then(() => false),
    new Promise<boolean>((resolve) => signal.addEventListener("abort", () => resolve(true), { once: true })),
  ]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
