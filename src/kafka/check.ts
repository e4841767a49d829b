/**
 * `check`: contact the cluster for real (the Java connector reports SUCCEEDED without doing so when
 * `test_topic` is empty), then, with `test_topic`, produce one message and wait for its ack.
 * Bounded in time by `max_block_ms` (metadata) and `request_timeout_ms` (the test message) whatever
 * `retries` says.
 */
import { Buffer } from "node:buffer";
import { v4 as uuidv4 } from "uuid";
import type { Config } from "../config/schema.ts";
import { withDeadline } from "../deadline.ts";
import { ConnectorError } from "../errors.ts";
import { checkedTopicFor } from "../topic/naming.ts";
import { attempt } from "./attempt.ts";
import { createKafkaClient, type KafkaClient } from "./client.ts";
import { classifyKafkaError } from "./errors.ts";
import { closedConnectionHint } from "./security.ts";
import { topicExists } from "./topic-creator.ts";

/**
 * Resolves when the cluster answered (and took the test message), with a note for the user when there
 * is something to say (whether the one topic of a fixed pattern exists or will be created); rejects
 * with the cause. A broker too old for the config is refused here, in the words `write` would use.
 */
export async function checkConnection(config: Config): Promise<string | undefined> {
  // One try per request: retries happen in `attempt`, under our deadline.
  const client = createKafkaClient({ ...config, retries: 0 });
  const { cluster, creator, producer, coordinator } = client;
  const bootstrap = config.bootstrap_servers;
  const closedHint = closedConnectionHint(config.protocol);
  const metadataBound = { ms: config.max_block_ms, setting: "max_block_ms", retries: config.retries };
  const autoCreate = !config.create_topics;
  let note: string | undefined;
  try {
    await attempt(
      { ...metadataBound, context: { action: "connecting to the cluster", bootstrap, closedHint } },
      () => cluster.metadata([], { autoCreate: false, refresh: true }),
    );
    const fixed = !/\{(stream|namespace)\}/.test(config.topic_pattern);
    if (config.create_topics && fixed) {
      const target = checkedTopicFor(config.topic_pattern, undefined, "", config.topic_naming);
      const { partitions, replication_factor } = config.create_topics;
      // The lookup can be refused too (no DESCRIBE on the topic): both failures name the topic.
      const refused = (error: unknown): never => {
        throw classifyKafkaError(error, {
          action: "validating the creation of the topic",
          access: "create",
          topic: target,
          bootstrap,
          closedHint,
        });
      };
      if (await topicExists(cluster, target).catch(refused))
        note = `Topic ${target} exists; create_topics leaves it as it is.`;
      else {
        await creator?.dryRun(target).catch(refused);
        note = `Topic ${target} does not exist; write will create it with ${partitions} partition(s) and replication factor ${replication_factor} (the cluster accepted these settings and this client's right to create it in a dry run).`;
      }
    }
    if (!config.test_topic) return note;
    const topic = checkedTopicFor(config.test_topic, undefined, "", config.topic_naming);
    const context = { action: "producing the test message", topic, bootstrap, closedHint };
    if (creator) {
      await creator.ensure(topic).catch((error: unknown) => {
        throw classifyKafkaError(error, { ...context, action: "creating the test topic", access: "create" });
      });
    }
    await attempt({ ...metadataBound, context }, () =>
      cluster.metadata([topic], { autoCreate, refresh: true }),
    );
    const id = uuidv4();
    const value = `{"_airbyte_ab_id":"${id}","_airbyte_stream":"test-topic-stream","_airbyte_emitted_at":${Date.now()},"_airbyte_data":{"test-key":"test-value"}}`;
    const record = { topic, key: Buffer.from(id), value: Buffer.from(value) };
    // An idempotent producer writes with its own id, as `write` will. A transactional_id is left
    // alone: taking its epoch would fence a sync that is running with it.
    const idempotent = config.enable_idempotence && !config.transactional_id;
    await attempt(
      { context, ms: config.request_timeout_ms, setting: "request_timeout_ms", retries: config.retries },
      async () => {
        const identity = idempotent ? await coordinator?.identity() : undefined;
        await producer.send([record], [topic], { identity });
      },
    );
    return [note, await deletionNote(client, topic)].filter(Boolean).join(" ");
  } finally {
    await withDeadline(client.close(), 2000, () => new Error("close timed out")).catch(() => undefined);
  }
}

// --- internal ---

/**
 * Whether streams that overwrite could delete records here, asked of test_topic the way `write`
 * asks each such stream's topic before it starts (a deletion below offset 0, which deletes
 * nothing). Said, not failed: a sync without such streams needs none of it.
 */
function deletionNote(client: KafkaClient, topic: string): Promise<string> {
  return client.truncator.mark(topic).then(
    () =>
      `This client may delete records of ${topic}, as streams that overwrite (Full Refresh Overwrite, truncate refreshes) need on their topics.`,
    (error: unknown) =>
      error instanceof ConnectorError && error.failureType === "config_error"
        ? `Streams that overwrite (Full Refresh Overwrite, truncate refreshes) would be refused on a topic like ${topic}: ${error.message}`
        : `Whether streams may overwrite (delete records of) a topic like ${topic} could not be told: ${error instanceof Error ? error.message : String(error)}`,
  );
}
