/**
 * Config → the settings of the connector's Kafka client: the one place where Airbyte's snake_case
 * settings meet the produce path's. What has no equivalent there is the pipeline's
 * (pipeline/dispatcher.ts) or, where no runtime can honour it, listed in config/unhonoured.ts.
 */
import type { ConnectionOptions } from "@platformatic/kafka";
import type { Config } from "../config/schema.ts";
import { toSecurityOptions } from "./security.ts";
import type { ProducerSettings } from "./wire/producer.ts";
import type { BrokerAddress } from "./wire/request.ts";
import type { Needs } from "./wire/requirements.ts";

export const ACKS = { "0": 0, "1": 1, all: -1 } as const;

export type CompressionType = Config["compression_type"];

/** Java's producer backs off `retry.backoff.ms` (100) doubling up to `retry.backoff.max.ms` (1000). */
export function retryDelayMs(attempt: number): number {
  return Math.min(100 * 2 ** Math.max(0, attempt - 1), 1000);
}

/** How each broker connection is opened: TLS, SASL, timeouts, requests in flight. */
export function toConnectionOptions(config: Config): ConnectionOptions {
  const { sasl, tls } = toSecurityOptions(config.protocol, Date.now, config.request_timeout_ms);
  return {
    ...(sasl ? { sasl } : {}),
    ...(tls ? { tls } : {}),
    connectTimeout: config.socket_connection_setup_timeout_ms,
    requestTimeout: config.request_timeout_ms,
    maxInflights: config.sync_producer ? 1 : config.max_in_flight_requests_per_connection,
  };
}

export function toProducerSettings(config: Config): ProducerSettings {
  return {
    acks: ACKS[config.acks],
    requestTimeoutMs: config.request_timeout_ms,
    deliveryTimeoutMs: config.delivery_timeout_ms,
    retries: config.retries,
    compression: config.compression_type,
    // The Java client's metadata requests let the broker create a missing topic when the broker's
    // auto.create.topics.enable allows it. With create_topics we create topics ourselves, so the
    // broker's defaults never win the race.
    autoCreateTopics: !config.create_topics,
  };
}

/** What the config needs every broker to offer (see wire/requirements.ts). */
export function toNeeds(config: Config): Needs {
  return {
    compression: config.compression_type,
    idempotent: config.enable_idempotence,
    transactional: Boolean(config.transactional_id),
    createTopics: Boolean(config.create_topics),
  };
}

/** `host1:9092,host2:9092` → addresses; `[::1]:9092` for IPv6. */
export function bootstrapAddresses(servers: string): BrokerAddress[] {
  return servers
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "")
    .map((entry) => {
      const colon = entry.lastIndexOf(":");
      const host = entry.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
      return { host, port: Number(entry.slice(colon + 1)) };
    });
}
