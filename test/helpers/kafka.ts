/**
 * Integration-test access to a real local Kafka: brokers come from the harness in scripts/kafka
 * (the one place that knows how to run Kafka), and records are read back with a separate consumer.
 * Tests only ever talk to brokers on loopback.
 */
import { randomUUID } from "node:crypto";
import { brokerLogTail, ensureBroker } from "../../scripts/kafka/broker.ts";
import { assertLoopback } from "../../scripts/kafka/loopback.ts";
import {
  ensureSecureBroker,
  type SecureBroker,
  type SecureBrokerOptions,
} from "../../scripts/kafka/secure.ts";
import * as topics from "../../scripts/kafka/topics.ts";

export type { LandedRecord } from "../../scripts/kafka/topics.ts";

export interface TestBroker {
  name: string;
  bootstrap: string;
  logTail: () => string;
}

/** The shared auto-creating broker ("default") or the one that refuses to create topics ("noauto"). */
export async function testBroker(kind: "default" | "noauto" = "default"): Promise<TestBroker> {
  const handle = await ensureBroker({ name: kind, autoCreateTopics: kind === "default" });
  assertLoopback(handle.bootstrap);
  return { name: kind, bootstrap: handle.bootstrap, logTail: () => brokerLogTail(kind) };
}

/** The secured broker of scripts/kafka/secure.ts (with an authorizer if asked), every listener on loopback. */
export async function secureTestBroker(options: SecureBrokerOptions = {}): Promise<SecureBroker> {
  const broker = await ensureSecureBroker(options);
  for (const address of Object.values(broker.listeners)) assertLoopback(address);
  return broker;
}

/** A topic name no other test uses. */
export function uniqueName(prefix = "test"): string {
  return `${prefix}_${randomUUID().replaceAll("-", "")}`;
}

/** Every record in `names` (exact count; see scripts/kafka/topics.ts), from a loopback broker only. */
export function readTopics(bootstrap: string, names: string[], timeoutMs?: number) {
  assertLoopback(bootstrap);
  return topics.readTopics(bootstrap, names, timeoutMs);
}

/** Creates a topic on a loopback broker, with topic configs such as a small max.message.bytes. */
export function createTopic(
  bootstrap: string,
  topic: string,
  configs?: Record<string, string>,
  layout?: { partitions?: number; replicas?: number },
) {
  assertLoopback(bootstrap);
  return topics.createTopic(bootstrap, topic, configs, layout);
}

/** The names of every topic on a loopback broker. */
export function listTopics(bootstrap: string) {
  assertLoopback(bootstrap);
  return topics.listTopics(bootstrap);
}

/** A loopback topic's partition count and chosen configs. */
export function describeTopic(bootstrap: string, topic: string, configKeys: string[]) {
  assertLoopback(bootstrap);
  return topics.describeTopic(bootstrap, topic, configKeys);
}

/** Allows `principal` operations on one topic of a loopback broker that authorizes (secure.ts). */
export function allowOnTopic(...args: Parameters<typeof topics.allowOnTopic>) {
  assertLoopback(args[0]);
  return topics.allowOnTopic(...args);
}
