/**
 * Reading back what landed and preparing topics, for tests, the demo and benchmarks: a client
 * separate from the connector, so what it reports is what Kafka holds.
 */
import { randomUUID } from "node:crypto";
import {
  AclOperations,
  AclPermissionTypes,
  Admin,
  ConfigResourceTypes,
  Consumer,
  ResourcePatternTypes,
  ResourceTypes,
} from "@platformatic/kafka";

export interface LandedRecord {
  topic: string;
  partition: number;
  offset: bigint;
  key: string | null;
  /** The key exactly as stored (binary keys: Avro, registry framing). */
  keyBytes: Buffer | null;
  value: string;
  /** The value exactly as stored, for byte-for-byte comparisons. */
  valueBytes: Buffer;
  timestamp: bigint;
  headers: [string, string][];
}

/**
 * Every record in `topics`, read from each partition's log start up to its end offset at the time
 * of the call (so the count is exact, not "at least"). Bounded by `timeoutMs`. `bootstrap` may list
 * several brokers, comma-separated (a cluster).
 */
export async function readTopics(
  bootstrap: string,
  topics: string[],
  timeoutMs = 20_000,
): Promise<LandedRecord[]> {
  const consumer = new Consumer({
    clientId: "destination-kafka-reader",
    groupId: `reader-${randomUUID()}`,
    bootstrapBrokers: bootstrap.split(","),
    autocommit: false,
  });
  try {
    // Records from each partition's log start (past 0 once records were deleted) to its end.
    const [ends, starts] = await Promise.all([
      consumer.listOffsets({ topics }),
      consumer.listOffsets({ topics, timestamp: -2n }),
    ]);
    let expected = 0;
    for (const [topic, partitions] of ends)
      partitions.forEach((end, i) => {
        expected += Number(end - (starts.get(topic)?.[i] ?? 0n));
      });
    if (expected === 0) return [];
    const stream = await consumer.consume({ topics, mode: "earliest", maxWaitTime: 200 });
    const landed: LandedRecord[] = [];
    const deadline = setTimeout(
      () => stream.destroy(new Error(`read ${landed.length} of ${expected} records in time`)),
      timeoutMs,
    );
    try {
      for await (const message of stream) {
        landed.push({
          topic: message.topic,
          partition: message.partition,
          offset: message.offset,
          key: message.key ? message.key.toString() : null,
          keyBytes: message.key ? Buffer.from(message.key) : null,
          value: message.value.toString(),
          valueBytes: Buffer.from(message.value),
          timestamp: message.timestamp,
          headers: [...message.headers].map(([k, v]) => [k.toString(), v.toString()]),
        });
        if (landed.length >= expected) break;
      }
    } finally {
      clearTimeout(deadline);
      await stream.close();
    }
    return landed;
  } finally {
    await consumer.close(true);
  }
}

/**
 * Creates a topic with the given configs (e.g. a small max.message.bytes); one partition and one
 * replica unless `layout` says otherwise (e.g. `{ replicas: 3 }` on a cluster).
 */
export async function createTopic(
  bootstrap: string,
  topic: string,
  configs: Record<string, string> = {},
  layout: { partitions?: number; replicas?: number } = {},
) {
  const admin = new Admin({ clientId: "destination-kafka-admin", bootstrapBrokers: bootstrap.split(",") });
  try {
    await admin.createTopics({
      topics: [topic],
      partitions: layout.partitions ?? 1,
      replicas: layout.replicas ?? 1,
      configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
    });
  } finally {
    await admin.close();
  }
}

/**
 * Allows `principal` (e.g. "User:alice") the given operations on one topic (a literal ACL), from any
 * host; `bootstrap` must be a listener whose principal may create ACLs (secure.ts with an authorizer).
 */
export async function allowOnTopic(
  bootstrap: string,
  topic: string,
  principal: string,
  operations: (keyof typeof AclOperations)[],
): Promise<void> {
  const admin = new Admin({ clientId: "destination-kafka-admin", bootstrapBrokers: bootstrap.split(",") });
  try {
    await admin.createAcls({
      creations: operations.map((operation) => ({
        resourceType: ResourceTypes.TOPIC,
        resourceName: topic,
        resourcePatternType: ResourcePatternTypes.LITERAL,
        principal,
        host: "*",
        operation: AclOperations[operation],
        permissionType: AclPermissionTypes.ALLOW,
      })),
    });
  } finally {
    await admin.close();
  }
}

/** The names of every topic the cluster has. */
export async function listTopics(bootstrap: string): Promise<string[]> {
  const admin = new Admin({ clientId: "destination-kafka-admin", bootstrapBrokers: bootstrap.split(",") });
  try {
    return await admin.listTopics();
  } finally {
    await admin.close();
  }
}

/** A topic's partition count and the values of the given topic configs, as the cluster reports them. */
export async function describeTopic(
  bootstrap: string,
  topic: string,
  configKeys: string[],
): Promise<{ partitions: number; configs: Record<string, string | null> }> {
  const admin = new Admin({ clientId: "destination-kafka-admin", bootstrapBrokers: bootstrap.split(",") });
  try {
    const metadata = await admin.metadata({ topics: [topic] });
    const [description] = await admin.describeConfigs({
      resources: [
        { resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: configKeys },
      ],
    });
    const configs = Object.fromEntries(
      (description?.configs ?? []).map((config) => [config.name, config.value ?? null]),
    );
    return { partitions: metadata.topics.get(topic)?.partitionsCount ?? 0, configs };
  } finally {
    await admin.close();
  }
}
