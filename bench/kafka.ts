/**
 * The benchmark's broker and topics: one local broker ("bench", from the harness), refused unless it
 * is on loopback; a fresh topic per run, created up front with the same partitions for every tool,
 * counted through its end offsets after the run and deleted afterwards.
 */
import { Admin } from "@platformatic/kafka";
import { type BrokerHandle, ensureBroker } from "../scripts/kafka/broker.ts";
import { assertLoopback } from "../scripts/kafka/loopback.ts";

export const BENCH_BROKER = "bench";

/** The bench broker, started if needed; throws if its bootstrap is not on loopback. */
export async function benchBroker(): Promise<BrokerHandle> {
  const handle = await ensureBroker({ name: BENCH_BROKER });
  assertLoopback(handle.bootstrap);
  return handle;
}

/** Admin operations on the bench broker. */
export interface TopicAdmin {
  create(topic: string, partitions: number): Promise<void>;
  /** Sum of the end offsets of every partition: the records the topic holds (no transactions here). */
  count(topic: string, partitions: number): Promise<number>;
  remove(topic: string): Promise<void>;
  close(): Promise<void>;
}

export function topicAdmin(bootstrap: string): TopicAdmin {
  assertLoopback(bootstrap);
  const admin = new Admin({ clientId: "destination-kafka-bench", bootstrapBrokers: [bootstrap] });
  return {
    async create(topic, partitions) {
      await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
      // Wait until the topic has a leader for every partition, so no tool pays for its creation.
      for (let attempt = 0; ; attempt++) {
        try {
          const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
          const info = metadata.topics.get(topic);
          if (info?.partitionsCount === partitions && info.partitions.every((p) => p.leader >= 0)) return;
        } catch (error) {
          if (attempt > 50) throw error;
        }
        if (attempt > 50) throw new Error(`topic ${topic} has no leader after creation`);
        await Bun.sleep(100);
      }
    },
    async count(topic, partitions) {
      const listed = await admin.listOffsets({
        topics: [
          {
            name: topic,
            partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({
              partitionIndex,
              timestamp: -1n,
            })),
          },
        ],
      });
      let total = 0;
      for (const entry of listed) for (const partition of entry.partitions) total += Number(partition.offset);
      return total;
    },
    async remove(topic) {
      await admin.deleteTopics({ topics: [topic] });
    },
    async close() {
      await admin.close();
    },
  };
}
