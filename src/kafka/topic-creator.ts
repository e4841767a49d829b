/**
 * `create_topics`: a missing topic is created through the Admin API, with the configured partitions,
 * replication factor and topic configs, before its first record. An existing topic is never changed:
 * only a topic that is missing is created, and "already exists" (another writer was first) counts as
 * done.
 */
import {
  Admin,
  type CallbackWithPromise,
  type Connection,
  createTopicsV7,
  kGetBootstrapConnection,
  type Producer,
} from "@platformatic/kafka";
import type { Config } from "../config/schema.ts";
import { toClientOptions } from "./client-options.ts";
import { classifyKafkaError } from "./errors.ts";

export interface TopicCreator {
  /** Creates `topic` unless it exists. */
  ensure(topic: string, exists: () => Promise<boolean>): Promise<void>;
  /** Asks the cluster to validate creating `topic` without creating it (authorization, settings). */
  dryRun(topic: string): Promise<void>;
  close(): Promise<void>;
}

export function createTopicCreator(
  config: Config,
  settings: NonNullable<Config["create_topics"]>,
): TopicCreator {
  const admin = new Admin(toClientOptions(config));
  return {
    async ensure(topic, exists) {
      if (await exists()) return;
      try {
        await admin.createTopics({
          topics: [topic],
          partitions: settings.partitions,
          replicas: settings.replication_factor,
          configs: Object.entries(settings.configs ?? {}).map(([name, value]) => ({ name, value })),
        });
      } catch (error) {
        if (!alreadyExists(error)) throw error;
      }
    },
    dryRun: (topic) =>
      new Promise<void>((resolve, reject) => {
        // The client's Admin always creates for real; the request itself has validate_only.
        (admin as unknown as ConnectionSource)[kGetBootstrapConnection]((error, connection) => {
          if (error || !connection) {
            reject(error);
            return;
          }
          const request = {
            name: topic,
            numPartitions: settings.partitions,
            replicationFactor: settings.replication_factor,
            assignments: [],
            configs: Object.entries(settings.configs ?? {}).map(([name, value]) => ({ name, value })),
          };
          createTopicsV7.api(
            connection,
            [request],
            config.request_timeout_ms,
            true,
            (failure: Error | null) => (failure ? reject(failure) : resolve()),
          );
        });
      }),
    close: () => admin.close(),
  };
}

/** Whether the cluster has `topic`, asking without letting the broker create it. */
export function topicExists(producer: Producer, topic: string): Promise<boolean> {
  return producer.metadata({ topics: [topic], autocreateTopics: false, retries: 0 }).then(
    () => true,
    (error: unknown) => {
      if (classifyKafkaError(error, { action: "looking up the topic", bootstrap: "" }).unknownTopic)
        return false;
      throw error;
    },
  );
}

// --- internal ---

interface ConnectionSource {
  [kGetBootstrapConnection](callback: CallbackWithPromise<Connection>): void;
}

function alreadyExists(error: unknown): boolean {
  const seen = new Set<unknown>();
  const walk = (value: unknown): boolean => {
    if (!(value instanceof Error) || seen.has(value)) return false;
    seen.add(value);
    if ((value as { apiId?: string }).apiId === "TOPIC_ALREADY_EXISTS") return true;
    if (value instanceof AggregateError && value.errors.some(walk)) return true;
    return walk(value.cause);
  };
  return walk(error);
}
