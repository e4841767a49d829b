/**
 * What `write` tells the user about its own progress: a LOG every `progress_interval_seconds` with
 * the records and bytes written, records/s and the bytes awaiting acknowledgement, and at the end
 * the totals per topic (several streams may share one) and per stream for the summary.
 */
import type { Emitter } from "../protocol/emit.ts";
import type { Route } from "./routes.ts";
import type { Timers } from "./timers.ts";

export interface ProgressOptions {
  /** The routes whose totals are reported (read each time: routes are added as streams appear). */
  routes: () => Route[];
  /** Bytes taken and not yet acknowledged. */
  heldBytes: () => number;
  /** 0: no progress LOG. */
  intervalSeconds: number;
  emit: Emitter;
  timers: Timers;
  now?: () => number;
}

export interface Totals {
  records: number;
  /** Per topic: records, bytes and the sync's duration. */
  topics: string[];
  /** Records per stream, by label (`namespace.name`), in catalog order; streams without records left out. */
  recordsByStream: [string, number][];
}

export interface Progress {
  /** Stops the progress LOGs and returns the totals. */
  finish(): Totals;
}

export function startProgress(options: ProgressOptions): Progress {
  const { emit, timers } = options;
  const now = options.now ?? Date.now;
  const started = now();
  const intervalMs = options.intervalSeconds * 1000;
  let timer: unknown;
  const report = () => {
    let records = 0;
    let bytes = 0;
    for (const route of options.routes()) {
      records += route.records;
      bytes += route.bytes;
    }
    const seconds = Math.max((now() - started) / 1000, 0.001);
    void emit.log(
      "INFO",
      `Progress: ${records} records, ${megabytes(bytes)} MB written in ${seconds.toFixed(0)} s (${Math.round(records / seconds)} records/s); ${megabytes(options.heldBytes())} MB awaiting acknowledgement.`,
    );
    timer = timers.set(report, intervalMs);
  };
  if (intervalMs > 0) timer = timers.set(report, intervalMs);
  return {
    finish() {
      if (timer !== undefined) timers.clear(timer);
      const seconds = ((now() - started) / 1000).toFixed(1);
      const written = options.routes().filter((route) => route.records > 0);
      const byTopic = new Map<string, { records: number; bytes: number }>();
      for (const route of written) {
        const totals = byTopic.get(route.topic) ?? { records: 0, bytes: 0 };
        totals.records += route.records;
        totals.bytes += route.bytes;
        byTopic.set(route.topic, totals);
      }
      return {
        records: written.reduce((sum, route) => sum + route.records, 0),
        topics: [...byTopic].map(
          ([topic, { records, bytes }]) =>
            `${topic}: ${records} records, ${megabytes(bytes)} MB in ${seconds} s`,
        ),
        recordsByStream: written.map((route) => [route.label, route.records]),
      };
    },
  };
}

// --- internal ---

function megabytes(bytes: number): string {
  return (bytes / 1_000_000).toFixed(1);
}
