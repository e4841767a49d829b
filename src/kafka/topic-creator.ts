/**
 * `create_topics`: a missing topic is created (CreateTopics, on the controller) with the configured
 * partitions, replication factor and topic configs, before its first record. An existing topic is
 * never changed: only a topic that is missing is created, and "already exists" (another writer was
 * first) counts as done. `check` asks the same request with validate_only.
 */
import { ProtocolError } from "@platformatic/kafka";
import type { Config } from "../config/schema.ts";
import { classifyKafkaError } from "./errors.ts";
import { APIS } from "./wire/apis.ts";
import { askUntil } from "./wire/ask.ts";
import type { Clock } from "./wire/clock.ts";
import type { Cluster } from "./wire/cluster.ts";
import { createTopicsRequest } from "./wire/create-topics.ts";

export interface TopicCreator {
  /** Creates `topic` unless it exists. */
  ensure(topic: string): Promise<void>;
  /** Asks the cluster to validate creating `topic` without creating it (authorization, settings). */
  dryRun(topic: string): Promise<void>;
}

export function createTopicCreator(
  cluster: Cluster,
  config: Config,
  settings: NonNullable<Config["create_topics"]>,
  clock: Clock,
): TopicCreator {
  const create = (topic: string, validateOnly: boolean) =>
    askUntil(clock, clock.now() + config.max_block_ms, async () => {
      // Before KRaft only the controller creates topics; a KRaft broker passes the request on.
      const snapshot = await cluster.metadata([], { autoCreate: false, refresh: true });
      const controller = snapshot.brokers.get(snapshot.controllerId) ?? (await cluster.bootstrap());
      const [answer] = await cluster.call(controller, APIS.createTopics, (version) =>
        createTopicsRequest(version, {
          topics: [
            {
              name: topic,
              partitions: settings.partitions,
              replicationFactor: settings.replication_factor,
              configs: settings.configs ?? {},
            },
          ],
          timeoutMs: config.request_timeout_ms,
          validateOnly,
        }),
      );
      return answer ?? { errorCode: 0, errorMessage: null };
    });
  return {
    async ensure(topic) {
      if (await topicExists(cluster, topic)) return;
      try {
        await create(topic, false);
      } catch (error) {
        if (!(error instanceof ProtocolError && error.apiId === "TOPIC_ALREADY_EXISTS")) throw error;
      }
    },
    dryRun: (topic) => create(topic, true).then(() => undefined),
  };
}

/** Whether the cluster has `topic`, asking without letting the broker create it. */
export function topicExists(cluster: Cluster, topic: string): Promise<boolean> {
  return cluster.metadata([topic], { autoCreate: false, refresh: true }).then(
    () => true,
    (error: unknown) => {
      if (classifyKafkaError(error, { action: "looking up the topic", bootstrap: "" }).unknownTopic)
        return false;
      throw error;
    },
  );
}
