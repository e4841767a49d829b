import { describe, expect, it } from "bun:test";
import { createTopicCreator } from "../../src/kafka/topic-creator.ts";
import { createCluster } from "../../src/kafka/wire/cluster.ts";
import type { CreateTopicsArgs } from "../../src/kafka/wire/create-topics.ts";
import { requirementsOf } from "../../src/kafka/wire/requirements.ts";
import { configWith } from "../helpers/config.ts";
import { fakeClock, fakeCluster } from "../helpers/fake-wire.ts";

const settings = { partitions: 3, replication_factor: 1, configs: { "cleanup.policy": "compact" } };
const needs = { compression: "none", idempotent: false, transactional: false, createTopics: true };

function setUp(existing: Record<string, number>, createAnswer: (args: CreateTopicsArgs) => number) {
  const created: CreateTopicsArgs[] = [];
  const fake = fakeCluster({
    brokers: ["2.8", "2.8"],
    topics: existing,
    onRequest: (api, args) => {
      if (api !== "CreateTopics") return undefined;
      const create = args as CreateTopicsArgs;
      created.push(create);
      return create.topics.map(({ name }) => ({ name, errorCode: createAnswer(create), errorMessage: null }));
    },
  });
  const clock = fakeClock();
  const cluster = createCluster(fake.wire, fake.addresses, requirementsOf(needs), clock.now);
  const config = configWith({ create_topics: settings });
  return { creator: createTopicCreator(cluster, config, settings, clock), created, calls: fake.calls };
}

describe("create_topics", () => {
  it("creates a missing topic on the controller with the configured settings", async () => {
    const { creator, created, calls } = setUp({}, () => 0);
    await creator.ensure("t");
    expect(created).toEqual([
      {
        topics: [
          { name: "t", partitions: 3, replicationFactor: 1, configs: { "cleanup.policy": "compact" } },
        ],
        timeoutMs: 30_000,
        validateOnly: false,
      },
    ]);
    expect(calls.find((call) => call.api === "CreateTopics")?.broker.host).toBe("broker0");
  });

  it("leaves an existing topic alone, and counts 'already exists' (another writer was first) as done", async () => {
    const existing = setUp({ t: 1 }, () => 0);
    await existing.creator.ensure("t");
    expect(existing.created).toEqual([]);
    const raced = setUp({}, () => 36); // TOPIC_ALREADY_EXISTS
    await raced.creator.ensure("t");
    expect(raced.created).toHaveLength(1);
  });

  it("a dry run asks with validate_only and reports the cluster's refusal", async () => {
    const { creator, created } = setUp({}, () => 38); // INVALID_REPLICATION_FACTOR
    await expect(creator.dryRun("t")).rejects.toMatchObject({ apiId: "INVALID_REPLICATION_FACTOR" });
    expect(created[0]?.validateOnly).toBe(true);
  });
});
