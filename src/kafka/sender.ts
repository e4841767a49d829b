/**
 * The Kafka edge of `write`: the only code that sends. One verb, `send(records)`, resolved when every
 * record is acknowledged per `acks` (with acks 0: written to the socket), rejected with a
 * ConnectorError otherwise. Each topic's metadata is fetched once, within `max_block_ms`, before
 * its first send, so a missing topic or an unreachable cluster fails with its own clear message.
 * With `transactional_id`, sends go into Kafka transactions and `commit` ends the open one.
 */
import type { Buffer } from "node:buffer";
import { type MessageToProduce, Producer } from "@platformatic/kafka";
import type { Config } from "../config/schema.ts";
import type { EncodedRecord, Sender } from "../contract/send.ts";
import { withDeadline } from "../deadline.ts";
import { attempt } from "./attempt.ts";
import { toProducerOptions } from "./client-options.ts";
import { createCompressor } from "./compressor.ts";
import { type Deliver, directSend, TopicSendError } from "./direct-send.ts";
import { classifyKafkaError, refusedTopics } from "./errors.ts";
import { closedConnectionHint } from "./security.ts";
import { createTopicCreator, topicExists } from "./topic-creator.ts";
import { correctTransactionalRequests } from "./transactional-requests.ts";
import { transactions } from "./transactions.ts";

export function createSender(config: Config): Sender {
  const producer = new Producer(toProducerOptions(config));
  if (config.transactional_id) correctTransactionalRequests(producer, config.transaction_timeout_ms);
  const bootstrap = config.bootstrap_servers;
  const closedHint = closedConnectionHint(config.protocol);
  const topicsReady = new Map<string, Promise<void>>();
  const autocreateTopics = !config.create_topics;
  const creator = config.create_topics ? createTopicCreator(config, config.create_topics) : undefined;

  const lookUp = (topic: string) =>
    attempt(
      {
        context: { action: "looking up the topic", topic, bootstrap, closedHint },
        ms: config.max_block_ms,
        setting: "max_block_ms",
        retries: config.retries,
      },
      () => producer.metadata({ topics: [topic], autocreateTopics, retries: 0 }),
    ).then(() => undefined);

  const ready = (topic: string): Promise<void> => {
    let promise = topicsReady.get(topic);
    if (!promise) {
      promise = creator
        ? creator
            .ensure(topic, () => topicExists(producer, topic))
            .catch((error: unknown) => {
              throw classifyKafkaError(error, {
                action: "creating the topic",
                access: "create",
                topic,
                bootstrap,
                closedHint,
              });
            })
            .then(() => lookUp(topic))
        : lookUp(topic);
      topicsReady.set(topic, promise);
    }
    return promise;
  };

  // The idempotent producer's sequence numbers live in the client: it keeps the client's send path.
  const idempotent = (records: EncodedRecord[]) =>
    producer.send({ messages: toMessages(records) }).then(() => undefined);
  const transactional = config.transactional_id ? transactions(producer, toMessages) : undefined;
  // Its worker starts only when a batch is compressed.
  const compressor = createCompressor();
  const deliver: Deliver = config.enable_idempotence ? idempotent : directSend(producer, config, compressor);

  return {
    send(records) {
      const topics = [...new Set(records.map((record) => record.topic))];
      const readied = Promise.all(topics.map(ready));
      // A transactional send takes its place among sends and commits now, not after the lookup.
      const sent = transactional
        ? transactional.deliver(records, readied)
        : readied.then(() => deliver(records, topics));
      return sent.catch((error: unknown) => {
        const refused = error instanceof TopicSendError ? [error.topic] : refusedTopics(error);
        const topic = (refused.length > 0 ? refused : topics).join(", ");
        throw classifyKafkaError(error, { action: "sending records", closedHint, topic, bootstrap });
      });
    },
    commit: transactional
      ? () =>
          transactional.commit().catch((error: unknown) => {
            throw classifyKafkaError(error, { action: "committing the transaction", closedHint, bootstrap });
          })
      : undefined,
    async close() {
      // An open transaction is aborted at once rather than left for the coordinator to time out:
      // until it ends, read_committed consumers cannot read past it. Bounded: a send stuck on a
      // broker that does not answer would hold the abort up.
      if (transactional) {
        await withDeadline(transactional.abort(), 5000, () => new Error("abort timed out")).catch(
          () => undefined,
        );
      }
      compressor.close();
      await creator?.close().catch(() => undefined);
      await withDeadline(producer.close(true), 5000, () => new Error("close timed out")).catch(
        () => undefined,
      );
    },
  };
}

// --- internal ---

function toMessages(records: EncodedRecord[]): MessageToProduce<Buffer, Buffer, Buffer, Buffer>[] {
  return records.map((record) => ({
    topic: record.topic,
    key: record.key,
    value: record.value,
    ...(record.headers ? { headers: new Map(record.headers) } : {}),
    ...(record.timestamp === undefined ? {} : { timestamp: BigInt(record.timestamp) }),
  }));
}
