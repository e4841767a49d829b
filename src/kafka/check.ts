/**
 * `check`: contact the cluster for real (the Java connector reports SUCCEEDED without doing so when
 * `test_topic` is empty), then, with `test_topic`, produce one message and wait for its ack.
 * Bounded in time by `max_block_ms` (metadata) and `request_timeout_ms` (the test message) whatever
 * `retries` says.
 */
import { Buffer } from "node:buffer";
import { Producer } from "@platformatic/kafka";
import { v4 as uuidv4 } from "uuid";
import type { Config } from "../config/schema.ts";
import { withDeadline } from "../deadline.ts";
import { checkedTopicFor } from "../pipeline/topic.ts";
import { attempt } from "./attempt.ts";
import { ACKS, toProducerOptions } from "./client-options.ts";
import { closedConnectionHint } from "./security.ts";

/** Resolves when the cluster answered (and took the test message); rejects with the cause. */
export async function checkConnection(config: Config): Promise<void> {
  const options = toProducerOptions(config);
  // One try per client call: retries happen in `attempt`, under our deadline.
  options.retries = 0;
  const producer = new Producer(options);
  const bootstrap = config.bootstrap_servers;
  const closedHint = closedConnectionHint(config.protocol);
  const metadataBound = { ms: config.max_block_ms, setting: "max_block_ms", retries: config.retries };
  try {
    await attempt(
      { ...metadataBound, context: { action: "connecting to the cluster", bootstrap, closedHint } },
      () => producer.metadata({ topics: [] }),
    );
    if (!config.test_topic) return;
    const topic = checkedTopicFor(config.test_topic, undefined, "", config.topic_naming);
    const context = { action: "producing the test message", topic, bootstrap, closedHint };
    await attempt({ ...metadataBound, context }, () =>
      producer.metadata({ topics: [topic], autocreateTopics: true }),
    );
    const id = uuidv4();
    const value = `{"_airbyte_ab_id":"${id}","_airbyte_stream":"test-topic-stream","_airbyte_emitted_at":${Date.now()},"_airbyte_data":{"test-key":"test-value"}}`;
    await attempt(
      { context, ms: config.request_timeout_ms, setting: "request_timeout_ms", retries: config.retries },
      // The client applies `acks` per send, not from its constructor options.
      () =>
        producer.send({
          acks: ACKS[config.acks],
          messages: [{ topic, key: Buffer.from(id), value: Buffer.from(value) }],
        }),
    );
  } finally {
    await withDeadline(producer.close(true), 2000, () => new Error("close timed out")).catch(() => undefined);
  }
}
