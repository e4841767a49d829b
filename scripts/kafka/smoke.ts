/**
 * End-to-end check of running harness brokers (not part of the test suite):
 *   bun scripts/kafka/smoke.ts [autoCreateBroker=default] [noAutoCreateBroker=noauto]
 * On the auto-create broker: list topics, produce to a new topic (auto-created),
 * consume it back through a consumer group. On the no-auto-create broker:
 * producing to a missing topic must fail. Exits non-zero on any failure.
 */
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from "@platformatic/kafka";
import { readBrokerState } from "./broker.ts";
import { assertLoopback } from "./loopback.ts";

function bootstrapOf(name: string): string[] {
  const state = readBrokerState(name);
  if (!state) throw new Error(`broker "${name}" is not running (run kafka:up --name ${name})`);
  assertLoopback(state.bootstrap);
  return state.bootstrap.split(",");
}

function withTimeout<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function producer(brokers: string[]): Producer<string, string, string, string> {
  return new Producer({
    clientId: "harness-smoke",
    bootstrapBrokers: brokers,
    serializers: stringSerializers,
    autocreateTopics: true,
    retries: 2,
    retryDelay: 200,
  });
}

async function checkAutoCreate(name: string): Promise<void> {
  const brokers = bootstrapOf(name);
  const topic = `smoke-auto-${Date.now()}`;
  const admin = new Admin({ clientId: "harness-smoke", bootstrapBrokers: brokers });
  const p = producer(brokers);
  const consumer = new Consumer({
    clientId: "harness-smoke",
    groupId: `smoke-${Date.now()}`,
    bootstrapBrokers: brokers,
    deserializers: stringDeserializers,
  });
  try {
    const before = await admin.listTopics();
    const result = await withTimeout(
      "produce",
      20_000,
      p.send({ messages: [{ topic, key: "k", value: "hello" }] }),
    );
    const after = await admin.listTopics();
    if (!after.includes(topic)) throw new Error(`${topic} not listed after produce`);
    console.log(`[${name}] listTopics ok (${before.length} -> ${after.length}); produced`, result.offsets);

    const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: true });
    const first = await withTimeout(
      "consume",
      30_000,
      (async () => {
        for await (const message of stream) return message.value;
        return undefined;
      })(),
    );
    await stream.close();
    if (first !== "hello") throw new Error(`consumed ${String(first)} instead of "hello"`);
    console.log(`[${name}] consumer group read back "${first}"`);
  } finally {
    await Promise.allSettled([admin.close(), p.close(), consumer.close(true)]);
  }
}

async function checkNoAutoCreate(name: string): Promise<void> {
  const brokers = bootstrapOf(name);
  const p = producer(brokers);
  try {
    const outcome = await withTimeout(
      "produce to missing topic",
      30_000,
      p.send({ messages: [{ topic: `smoke-missing-${Date.now()}`, value: "x" }] }).then(
        () => "succeeded",
        (error: unknown) => `failed: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
    if (outcome === "succeeded")
      throw new Error(`[${name}] producing to a missing topic unexpectedly succeeded`);
    console.log(`[${name}] produce to missing topic ${outcome}`);
  } finally {
    await p.close().catch(() => undefined);
  }
}

const [autoName = "default", noAutoName = "noauto"] = process.argv.slice(2);
await checkAutoCreate(autoName);
await checkNoAutoCreate(noAutoName);
console.log("smoke ok");
