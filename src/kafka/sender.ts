/**
 * The Kafka edge of `write`: the only code that sends. One verb, `send(records)`, resolved when every
 * record is acknowledged per `acks` (with acks 0: written to the socket), rejected with a
 * ConnectorError otherwise. Each topic's metadata is fetched once, within `max_block_ms`, before
 * its first send, so a missing topic or an unreachable cluster fails with its own clear message.
 * With `transactional_id`, sends go into Kafka transactions and `commit` ends the open one.
 */
import type { Config } from "../config/schema.ts";
import type { Sender } from "../contract/send.ts";
import { withDeadline } from "../deadline.ts";
import { attempt } from "./attempt.ts";
import { createKafkaClient } from "./client.ts";
import { classifyKafkaError } from "./errors.ts";
import { closedConnectionHint } from "./security.ts";
import { type TransactionalProducer, transactions } from "./transactions.ts";
import type { Coordinator } from "./wire/coordinator.ts";
import { partitionKey } from "./wire/outcome.ts";
import { type Producer, type TopicRecord, TopicSendError } from "./wire/producer.ts";

/** `truncate`: a stream of the catalog overwrites its topic (see truncator.ts). */
export function createSender(config: Config, { truncate = false }: { truncate?: boolean } = {}): Sender {
  const client = createKafkaClient(config, { truncate });
  const { cluster, producer, coordinator, creator } = client;
  const bootstrap = config.bootstrap_servers;
  const closedHint = closedConnectionHint(config.protocol);
  const topicsReady = new Map<string, Promise<void>>();
  const autoCreate = !config.create_topics;

  const lookUp = (topic: string) =>
    attempt(
      {
        context: { action: "looking up the topic", topic, bootstrap, closedHint },
        ms: config.max_block_ms,
        setting: "max_block_ms",
        retries: config.retries,
      },
      () => cluster.metadata([topic], { autoCreate, refresh: true }),
    ).then(() => undefined);

  const ready = (topic: string): Promise<void> => {
    let promise = topicsReady.get(topic);
    if (!promise) {
      promise = creator
        ? creator
            .ensure(topic)
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

  const transactional =
    config.transactional_id && coordinator
      ? transactions(transactionalProducer(producer, coordinator))
      : undefined;
  const deliver = (records: TopicRecord[], topics: string[]) =>
    coordinator
      ? coordinator.identity().then((identity) => producer.send(records, topics, { identity }))
      : producer.send(records, topics);

  return {
    connect: () =>
      cluster.bootstrap().then(
        () => undefined,
        (error: unknown) => {
          throw classifyKafkaError(error, { action: "connecting to the cluster", closedHint, bootstrap });
        },
      ),
    send(records) {
      const topics = [...new Set(records.map((record) => record.topic))];
      const readied = Promise.all(topics.map(ready));
      // A transactional send takes its place among sends and commits now, not after the lookup.
      const sent = transactional
        ? transactional.deliver(records, readied)
        : readied.then(() => deliver(records, topics));
      return sent.catch((error: unknown) => {
        const topic = error instanceof TopicSendError ? error.topic : topics.join(", ");
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
      await withDeadline(client.close(), 5000, () => new Error("close timed out")).catch(() => undefined);
    },
    truncator: client.truncator,
  };
}

// --- internal ---

/**
 * Transactions on the produce path: each send registers the partitions it is about to write that
 * the open transaction does not have yet; a transaction that registered none has nothing to end.
 */
function transactionalProducer(producer: Producer, coordinator: Coordinator): TransactionalProducer {
  return {
    async beginTransaction() {
      const identity = await coordinator.identity();
      const added = new Set<string>();
      const beforeSend = async (partitions: { topic: string; partition: number }[]) => {
        const fresh = partitions.filter(({ topic, partition }) => !added.has(partitionKey(topic, partition)));
        if (fresh.length === 0) return;
        await coordinator.addPartitions(identity, fresh);
        for (const { topic, partition } of fresh) added.add(partitionKey(topic, partition));
      };
      const end = (commit: boolean) =>
        added.size === 0 ? Promise.resolve() : coordinator.endTransaction(identity, commit);
      return {
        send: (records: TopicRecord[]) =>
          producer.send(records, [...new Set(records.map((record) => record.topic))], {
            identity,
            beforeSend,
          }),
        commit: () => end(true),
        abort: () => end(false),
      };
    },
  };
}
