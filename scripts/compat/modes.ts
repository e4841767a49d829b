/**
 * The connector configurations the compatibility matrix runs against every broker: the default
 * (enable_idempotence false, acks 1: the connector's own direct send path), idempotence,
 * transactions, the codecs lz4 and zstd (zstd only from Kafka 2.1 on), and a stream that
 * overwrites its topic (written twice: only the second write may be read back).
 * Every mode bounds a failure at 30 s (request_timeout_ms 10 s, delivery_timeout_ms 30 s) instead
 * of the 2 minutes of the defaults; nothing else differs from the default config.
 */
import { randomUUID } from "node:crypto";

export interface CompatMode {
  id: "default" | "idempotence" | "transactional" | "lz4" | "zstd" | "overwrite";
  /** What the mode sets, as a reader of the report needs it. */
  label: string;
  /** Config fields on top of the default config (a fresh transactional_id per call). */
  overrides: () => Record<string, unknown>;
  /**
   * The release the mode needs: an older broker must refuse it with a config_error whose message
   * starts with `refusal`, before anything is written.
   */
  needs?: { since: string; refusal: string };
  /** The stream's destination_sync_mode; overwrite: the write runs twice (round-trip.ts). */
  syncMode?: "append" | "overwrite";
}

export const COMPAT_MODES: readonly CompatMode[] = [
  { id: "default", label: "default config (enable_idempotence false, acks 1)", overrides: () => ({}) },
  {
    id: "idempotence",
    label: 'enable_idempotence true, acks "all"',
    overrides: () => ({ enable_idempotence: true, acks: "all" }),
  },
  {
    id: "transactional",
    label: 'transactional_id set (enable_idempotence true, acks "all")',
    overrides: () => ({
      transactional_id: `compat-${randomUUID()}`,
      enable_idempotence: true,
      acks: "all",
    }),
  },
  { id: "lz4", label: "compression_type lz4", overrides: () => ({ compression_type: "lz4" }) },
  {
    id: "zstd",
    label: "compression_type zstd (zstd needs Produce v7: brokers 2.1 and later; older ones must refuse it)",
    overrides: () => ({ compression_type: "zstd" }),
    needs: { since: "2.1.0", refusal: "compression_type zstd needs Apache Kafka 2.1 or newer" },
  },
  {
    id: "overwrite",
    label:
      "destination_sync_mode overwrite, written twice: only the second write is read back (ListOffsets, DeleteRecords)",
    overrides: () => ({}),
    syncMode: "overwrite",
  },
];

/** Bounds that turn a broker that never answers into a failure within 30 s. */
const FAILURE_BOUNDS = { max_block_ms: "10000", request_timeout_ms: 10_000, delivery_timeout_ms: 30_000 };

/** The config of `mode` for a broker at `bootstrap`, writing to topics named by `topicPattern`. */
export function modeConfig(
  mode: CompatMode,
  bootstrap: string,
  topicPattern: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    bootstrap_servers: bootstrap,
    topic_pattern: topicPattern,
    ...FAILURE_BOUNDS,
    ...mode.overrides(),
    ...extra,
  };
}
