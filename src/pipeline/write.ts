/**
 * The `write` loop: input lines → records and STATEs → Kafka, each STATE echoed once every record
 * before it is durable. The parts are modules of their own: routes.ts (topic, key, codec per
 * stream), input-policy.ts (lines that cannot be written), delivery.ts (batches, sends, commits),
 * checkpoint.ts (the rule that releases STATEs), progress.ts and notices.ts (what the user is told).
 */
import type { Config } from "../config/schema.ts";
import { asConnectorError, ConnectorError } from "../errors.ts";
import type { CatalogStream } from "../protocol/catalog.ts";
import type { Emitter } from "../protocol/emit.ts";
import { type Line, readLines } from "../protocol/lines.ts";
import { parseLine, streamKey } from "../protocol/parse.ts";
import type { RegistryClient } from "../registry/client.ts";
import { createCheckpoints } from "./checkpoint.ts";
import { createDelivery } from "./delivery.ts";
import type { Edge } from "./edge.ts";
import { createInputPolicy } from "./input-policy.ts";
import { startNotices } from "./notices.ts";
import { planOverwrites } from "./overwrite.ts";
import { startProgress, type Totals } from "./progress.ts";
import { createRoutes, type Route } from "./routes.ts";
import { realTimers, type Timers } from "./timers.ts";

export interface WriteOptions extends Edge {
  config: Config;
  /** The configured catalog; without one, every stream is routed by topic_pattern as it appears. */
  catalog: CatalogStream[] | undefined;
  input: AsyncIterable<Uint8Array>;
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
  const checkpoints = createCheckpoints({
    transactional: options.commit !== undefined,
    holds: overwrites.holds,
  });
  const input = createInputPolicy({
    config,
    emit,
    // A dead letter is sent like a record, so the STATEs after it wait for it.
    deadLetter: (record) => delivery.add(record, checkpoints.message()),
    rejected: (stream) => checkpoints.rejected(streamKey(stream)),
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
    const parsed = parseLine(line.bytes);
    if (parsed.kind === "state") {
      checkpoints.state(parsed);
      return delivery.atState();
    }
    if (parsed.kind === "other") return input.ignore(parsed.type);
    const refusal = { lineNumber: line.number, line: line.bytes };
    if (parsed.kind === "invalid") return input.refuse({ ...refusal, reason: parsed.reason });
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
    if (registering) return registering.then(() => handle(line), input.fail);
    const encoded = route.encode(parsed);
    if (typeof encoded === "string") return input.refuse({ ...refusal, reason: encoded, stream });
    return delivery.add(encoded, checkpoints.record(route.key));
  };

  const read = async () => {
    for await (const lines of readLines(options.input, MAX_LINE_BYTES)) {
      for (const line of lines) {
        if (stopped || input.failure || delivery.failure !== undefined) return;
        const handling = handle(line);
        // Most lines complete synchronously; only await the ones that had to wait.
        if (handling) await handling;
      }
    }
  };

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
