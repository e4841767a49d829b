/**
 * The connector's Kafka client, built from a config: one Wire over the client library's
 * connections, the cluster view that negotiates versions with each broker, the produce path, and —
 * when the config asks for them — the producer-id coordinator and the topic creator. `check` and
 * `write` build the same client, so they reach the brokers the same way and refuse the same
 * brokers in the same words.
 */
import type { Config } from "../config/schema.ts";
import type { Truncator } from "../contract/send.ts";
import { bootstrapAddresses, toConnectionOptions, toNeeds, toProducerSettings } from "./client-options.ts";
import { type Compressor, createCompressor } from "./compressor.ts";
import { createTopicCreator, type TopicCreator } from "./topic-creator.ts";
import { createTruncator } from "./truncator.ts";
import { type Clock, systemClock } from "./wire/clock.ts";
import { type Cluster, createCluster } from "./wire/cluster.ts";
import { type Coordinator, createCoordinator } from "./wire/coordinator.ts";
import { poolWire } from "./wire/pool-wire.ts";
import { createProducer, type Producer } from "./wire/producer.ts";
import { requirementsOf } from "./wire/requirements.ts";

export interface KafkaClient {
  cluster: Cluster;
  producer: Producer;
  /** With enable_idempotence or transactional_id. */
  coordinator: Coordinator | undefined;
  /** With create_topics. */
  creator: TopicCreator | undefined;
  /** Records where topics end and deletes what lies before, for streams that overwrite. */
  truncator: Truncator;
  /** Stops the compression worker and closes every connection. */
  close(): Promise<void>;
}

/**
 * `truncate`: the catalog has a stream that overwrites, so every broker must offer what deleting
 * records takes (without it, a broker that lacks DeleteRecords still serves every other mode).
 */
export function createKafkaClient(
  config: Config,
  { truncate = false, clock = systemClock }: { truncate?: boolean; clock?: Clock } = {},
): KafkaClient {
  const wire = poolWire(config.client_id, toConnectionOptions(config));
  const cluster = createCluster(
    wire,
    bootstrapAddresses(config.bootstrap_servers),
    requirementsOf({ ...toNeeds(config), truncate }),
  );
  // Its worker starts only when a batch is compressed.
  const compressor: Compressor = createCompressor();
  const coordinator =
    config.enable_idempotence || config.transactional_id
      ? createCoordinator(
          cluster,
          {
            transactionalId: config.transactional_id ?? null,
            transactionTimeoutMs: config.transaction_timeout_ms,
            maxBlockMs: config.max_block_ms,
          },
          clock,
        )
      : undefined;
  return {
    cluster,
    producer: createProducer(cluster, toProducerSettings(config), compressor, clock),
    coordinator,
    creator: config.create_topics
      ? createTopicCreator(cluster, config, config.create_topics, clock)
      : undefined,
    truncator: createTruncator(cluster, config, clock),
    async close() {
      compressor.close();
      await cluster.close();
    },
  };
}
