/**
 * `check`: contact the cluster for real (the Java connector reports SUCCEEDED without doing so when
 * `test_topic` is empty), then, with `test_topic`, produce one message and wait for its ack.
 * Bounded in time by `max_block_ms` (metadata) and `request_timeout_ms` (the test message) whatever
 * `retries` says; each attempt's cause is kept so a timeout can still say what went wrong.
 */
import { Producer } from "@platformatic/kafka";
import { v4 as uuidv4 } from "uuid";
import type { Config } from "../config/schema.ts";
import { withDeadline } from "../deadline.ts";
import { ConnectorError } from "../errors.ts";
import { checkedTopicFor } from "../pipeline/topic.ts";
import { retryDelayMs, toProducerOptions } from "./client-options.ts";
import { classifyKafkaError, type ErrorContext } from "./errors.ts";

/** Resolves when the cluster answered (and took the test message); rejects with the cause. */
export async function checkConnection(config: Config): Promise<void> {
  const options = toProducerOptions(config);
  // One attempt per client call: the retries happen here, under our deadline.
  options.retries = 0;
  const producer = new Producer(options);
  const bootstrap = config.bootstrap_servers;
  try {
    await attempt(config, { action: "connecting to the cluster", bootstrap }, config.max_block_ms, () =>
      producer.metadata({ topics: [] }),
    );
    if (!config.test_topic) return;
    const topic = checkedTopicFor(config.test_topic, undefined, "");
    const context = { action: "producing the test message", topic, bootstrap };
    await attempt(config, context, config.max_block_ms, () =>
      producer.metadata({ topics: [topic], autocreateTopics: true }),
    );
    const id = uuidv4();
    const value = `{"_airbyte_ab_id":"${id}","_airbyte_stream":"test-topic-stream","_airbyte_emitted_at":${Date.now()},"_airbyte_data":{"test-key":"test-value"}}`;
    await attempt(config, context, config.request_timeout_ms, () =>
      producer.send({ messages: [{ topic, key: Buffer.from(id), value: Buffer.from(value) }] }),
    );
  } finally {
    await withDeadline(producer.close(true), 2000, () => new Error("close timed out")).catch(() => undefined);
  }
}

// --- internal ---

/** Runs `call` until it succeeds, `retries` is spent, the cause is permanent, or `ms` have passed. */
async function attempt<T>(
  config: Config,
  context: ErrorContext,
  ms: number,
  call: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + ms;
  const expired = new Error("deadline");
  let last: ConnectorError | undefined;
  for (let tries = 0; ; tries++) {
    const left = deadline - Date.now();
    if (left <= 0) throw timedOut(context, ms, last);
    try {
      return await withDeadline(call(), left, () => expired);
    } catch (error) {
      if (error === expired) throw timedOut(context, ms, last);
      last = classifyKafkaError(error, context);
      if (last.failureType === "config_error" || tries >= config.retries) throw last;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(retryDelayMs(tries + 1), Math.max(0, left))),
      );
    }
  }
}

function timedOut(context: ErrorContext, ms: number, last: ConnectorError | undefined): ConnectorError {
  const cause = last ? ` Last error: ${last.message}` : "";
  return new ConnectorError(
    `Kafka at ${context.bootstrap} did not answer within ${ms} ms while ${context.action} (timeout).${cause}`,
    "transient_error",
  );
}
