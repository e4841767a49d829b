/**
 * Full Refresh Overwrite (and truncate refreshes) on Kafka. A topic cannot be overwritten, but the
 * records before a point can be deleted: at the start the end of every partition is recorded
 * (ListOffsets), and once the sync has succeeded every record below those ends is deleted
 * (DeleteRecords, on each partition's leader). Before recording, each partition is asked to
 * delete below offset 0, which deletes nothing but is refused exactly as the real deletion would
 * be — without the DELETE permission, or on a topic kept by compaction alone — so such a topic is
 * a config_error before anything is written, not a failure after the whole sync.
 */
import { ProtocolError } from "@platformatic/kafka";
import type { Config } from "../config/schema.ts";
import type { TopicMark, Truncator } from "../contract/send.ts";
import { retryDelayMs } from "./client-options.ts";
import { classifyKafkaError } from "./errors.ts";
import { closedConnectionHint } from "./security.ts";
import { topicExists } from "./topic-creator.ts";
import { APIS } from "./wire/apis.ts";
import type { Clock } from "./wire/clock.ts";
import type { Cluster } from "./wire/cluster.ts";
import { deleteRecordsRequest } from "./wire/delete-records.ts";
import { EARLIEST, LATEST, listOffsetsRequest } from "./wire/list-offsets.ts";
import { isRetriable } from "./wire/outcome.ts";
import type { BrokerAddress } from "./wire/request.ts";

export function createTruncator(cluster: Cluster, config: Config, clock: Clock): Truncator {
  const context = (action: string, topic: string) => ({
    action,
    topic,
    access: "delete" as const,
    bootstrap: config.bootstrap_servers,
    closedHint: closedConnectionHint(config.protocol),
  });
  const offsets = (topic: string, partitions: number[], timestamp: bigint, giveUpAt: number) =>
    onLeaders(cluster, clock, topic, partitions, giveUpAt, (leader, asked) =>
      cluster.call(leader, APIS.listOffsets, (version) =>
        listOffsetsRequest(version, {
          timestamp,
          partitions: asked.map((partition) => ({ topic, partition })),
          timeoutMs: config.request_timeout_ms,
        }),
      ),
    );
  const deleteBelow = (topic: string, ends: Map<number, bigint>, giveUpAt: number) =>
    onLeaders(cluster, clock, topic, [...ends.keys()], giveUpAt, (leader, asked) =>
      cluster.call(leader, APIS.deleteRecords, (version) =>
        deleteRecordsRequest(version, {
          partitions: asked.map((partition) => ({ topic, partition, offset: ends.get(partition) ?? 0n })),
          timeoutMs: config.request_timeout_ms,
        }),
      ),
    );

  return {
    async mark(topic) {
      try {
        if (!(await topicExists(cluster, topic))) return undefined;
        const giveUpAt = clock.now() + config.max_block_ms;
        const snapshot = await cluster.metadata([topic], { autoCreate: false });
        const partitions = snapshot.topics.get(topic)?.partitions.map((p) => p.index) ?? [];
        await deleteBelow(topic, new Map(partitions.map((p) => [p, 0n])), giveUpAt);
        const ends = await offsets(topic, partitions, LATEST, giveUpAt);
        return { topic, partitions: ends.map(({ partition, offset }) => ({ partition, end: offset })) };
      } catch (error) {
        throw classifyKafkaError(error, context("recording where the topic ends", topic));
      }
    },
    async truncate(mark: TopicMark) {
      try {
        const giveUpAt = clock.now() + config.delivery_timeout_ms;
        const ends = new Map(mark.partitions.map(({ partition, end }) => [partition, end]));
        const starts = await offsets(mark.topic, [...ends.keys()], EARLIEST, giveUpAt);
        const deleted = await deleteBelow(mark.topic, ends, giveUpAt);
        const startOf = new Map(starts.map(({ partition, offset }) => [partition, offset]));
        let freed = 0n;
        for (const { partition, lowWatermark } of deleted) {
          const gap = lowWatermark - (startOf.get(partition) ?? lowWatermark);
          if (gap > 0n) freed += gap;
        }
        return Number(freed);
      } catch (error) {
        throw classifyKafkaError(error, context("deleting the records written before this sync", mark.topic));
      }
    },
  };
}

// --- internal ---

interface PartitionAnswer {
  partition: number;
  errorCode: number;
}

/**
 * Asks each partition's leader about its partitions until every one is answered without error:
 * a partition whose leader moved, or that the answer leaves out, is asked again on fresh metadata
 * with Java's backoff until `giveUpAt`; an error Kafka does not call retriable ends it at once.
 */
async function onLeaders<T extends PartitionAnswer>(
  cluster: Cluster,
  clock: Clock,
  topic: string,
  partitions: number[],
  giveUpAt: number,
  ask: (leader: BrokerAddress, partitions: number[]) => Promise<T[]>,
): Promise<T[]> {
  const answered = new Map<number, T>();
  let pending = partitions;
  for (let attempt = 1; pending.length > 0; attempt++) {
    let failure: unknown;
    try {
      const snapshot = await cluster.metadata([topic], { autoCreate: false, refresh: attempt > 1 });
      const layout = snapshot.topics.get(topic)?.partitions ?? [];
      const byLeader = new Map<number, number[]>();
      for (const partition of pending) {
        const leader = layout.find((p) => p.index === partition)?.leader ?? -1;
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
      }
      const answers = await Promise.all(
        [...byLeader].map(([leader, asked]) => {
          const address = snapshot.brokers.get(leader);
          if (!address) return Promise.reject(new ProtocolError("LEADER_NOT_AVAILABLE", null, { topic }));
          return ask(address, asked).catch((error: unknown) => {
            if (!isRetriable(error)) throw error;
            failure = error;
            return [];
          });
        }),
      );
      for (const answer of answers.flat()) {
        if (answer.errorCode === 0) {
          answered.set(answer.partition, answer);
          continue;
        }
        const refusal = new ProtocolError(answer.errorCode, null, { topic });
        if (!refusal.canRetry) throw refusal;
        failure = refusal;
      }
    } catch (error) {
      if (!isRetriable(error)) throw error;
      failure = error;
    }
    pending = partitions.filter((partition) => !answered.has(partition));
    if (pending.length === 0) break;
    const delay = retryDelayMs(attempt);
    if (clock.now() + delay > giveUpAt)
      throw failure ?? new ProtocolError("LEADER_NOT_AVAILABLE", null, { topic });
    await clock.sleep(delay);
  }
  return partitions.map((partition) => answered.get(partition) as T);
}
