/**
 * Config → @platformatic/kafka producer options: the one place where Airbyte's snake_case settings
 * meet the client's. What the client has no equivalent for is ours (pipeline/dispatcher.ts) or,
 * where no runtime can honour it, listed in config/unhonoured.ts.
 */
import type { Buffer } from "node:buffer";
import type { BaseOptions, ProducerOptions } from "@platformatic/kafka";
import type { Config } from "../config/schema.ts";
import { javaPartitioner } from "./partitioner.ts";
import { toSecurityOptions } from "./security.ts";

export type KafkaProducerOptions = ProducerOptions<Buffer, Buffer, Buffer, Buffer>;

export const ACKS = { "0": 0, "1": 1, all: -1 } as const;

export type CompressionType = Config["compression_type"];

/** Java's producer backs off `retry.backoff.ms` (100) doubling up to `retry.backoff.max.ms` (1000). */
export function retryDelayMs(attempt: number): number {
  return Math.min(100 * 2 ** Math.max(0, attempt - 1), 1000);
}

/** What every client (producer, admin) shares: where the cluster is, how to log in, how long to wait. */
export function toClientOptions(config: Config): BaseOptions {
  const { sasl, tls } = toSecurityOptions(config.protocol);
  return {
    ...(sasl ? { sasl } : {}),
    ...(tls ? { tls } : {}),
    clientId: config.client_id,
    bootstrapBrokers: bootstrapList(config.bootstrap_servers),
    connectTimeout: config.socket_connection_setup_timeout_ms,
    requestTimeout: config.request_timeout_ms,
    timeout: config.request_timeout_ms,
    retries: config.retries,
    retryDelay: (_client, _operation, attempt) => retryDelayMs(attempt),
  };
}

/** A fresh object each call: the client writes into the options it is given. */
export function toProducerOptions(config: Config): KafkaProducerOptions {
  return {
    ...toClientOptions(config),
    acks: ACKS[config.acks],
    idempotent: config.enable_idempotence,
    ...(config.transactional_id ? { transactionalId: config.transactional_id } : {}),
    compression: config.compression_type,
    maxInflights: config.sync_producer ? 1 : config.max_in_flight_requests_per_connection,
    // The Java client's metadata requests let the broker create a missing topic when the broker's
    // auto.create.topics.enable allows it; this client asks for that only when told to. With
    // create_topics we create topics ourselves, so the broker's defaults never win the race.
    autocreateTopics: !config.create_topics,
    // Keyed records land where the Java client would put them (and the client's BigInt port is slow).
    partitioner: javaPartitioner,
  };
}

export function bootstrapList(servers: string): string[] {
  return servers
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}
