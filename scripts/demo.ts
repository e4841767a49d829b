/**
 * `npm run demo`: a real sync into Kafka, start to finish. Starts the local broker (or uses
 * KAFKA_BOOTSTRAP_SERVERS and starts nothing), pipes a sample sync — several streams, a namespace,
 * STATEs, and the TRACE/LOG noise real sources send — through `write`, then reads the topics back
 * and prints what landed.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ensureBroker } from "./kafka/broker.ts";
import { readTopics } from "./kafka/topics.ts";

const MAIN = resolve(import.meta.dir, "../src/main.ts");

const bootstrap = process.env.KAFKA_BOOTSTRAP_SERVERS || (await localBroker());
const run = `demo_${Date.now()}`;
const dir = mkdtempSync(join(tmpdir(), "destination-kafka-demo-"));
const configPath = join(dir, "config.json");
const catalogPath = join(dir, "catalog.json");
writeFileSync(
  configPath,
  JSON.stringify({ bootstrap_servers: bootstrap, topic_pattern: `${run}.{namespace}.{stream}`, acks: "all" }),
);
writeFileSync(
  catalogPath,
  JSON.stringify({
    streams: [
      configured("customers", "shop", [["id"]]),
      configured("orders", "shop", [["order_id"]]),
      configured("page_views", null, []),
    ],
  }),
);

const input = sampleSync();
console.log(`\n== write: ${input.split("\n").length - 1} input messages → ${bootstrap}\n`);
const child = Bun.spawn([process.execPath, MAIN, "write", "--config", configPath, "--catalog", catalogPath], {
  stdin: new TextEncoder().encode(input),
  stdout: "pipe",
  stderr: "inherit",
});
const output = await new Response(child.stdout).text();
const exitCode = await child.exited;
for (const line of output.trim().split("\n")) console.log(`  ${line}`);
console.log(`\n  write exited with ${exitCode}`);
if (exitCode !== 0) process.exit(exitCode);

const topics = [`${run}_shop_customers`, `${run}_shop_orders`, `${run}__page_views`];
console.log("\n== read back from Kafka\n");
const landed = await readTopics(bootstrap, topics);
for (const topic of topics) {
  const records = landed.filter((record) => record.topic === topic);
  console.log(`  ${topic}: ${records.length} records`);
  for (const record of records.slice(0, 2)) console.log(`    key=${record.key}\n    value=${record.value}`);
}
console.log(`\n${landed.length} records landed in ${topics.length} topics.`);

// --- internal ---

async function localBroker(): Promise<string> {
  console.error("starting the local Kafka broker (first run downloads Apache Kafka through Maven)…");
  const handle = await ensureBroker({ name: "default" });
  console.error(
    `Kafka is up at ${handle.bootstrap} (log: ${handle.logFile}); stop it with npm run kafka:down`,
  );
  return handle.bootstrap;
}

function configured(name: string, namespace: string | null, primaryKey: string[][]) {
  return {
    stream: { name, namespace, json_schema: { type: "object" }, supported_sync_modes: ["incremental"] },
    sync_mode: "incremental",
    destination_sync_mode: primaryKey.length > 0 ? "append_dedup" : "append",
    primary_key: primaryKey,
    generation_id: 0,
    minimum_generation_id: 0,
    sync_id: 1,
  };
}

function sampleSync(): string {
  const lines: unknown[] = [];
  const now = Date.now();
  const record = (stream: string, namespace: string | null, data: unknown) =>
    lines.push({ type: "RECORD", record: { namespace, stream, data, emitted_at: now } });
  const state = (stream: string, namespace: string | null, cursor: number, count: number) =>
    lines.push({
      type: "STATE",
      state: {
        type: "STREAM",
        stream: { stream_descriptor: { name: stream, namespace }, stream_state: { cursor } },
        sourceStats: { recordCount: count },
      },
    });
  lines.push({ type: "LOG", log: { level: "INFO", message: "source: starting" } });
  for (let id = 1; id <= 5; id++)
    record("customers", "shop", { id, name: `customer ${id}`, vip: id % 2 === 0 });
  state("customers", "shop", 5, 5);
  for (let id = 1; id <= 8; id++)
    record("orders", "shop", { order_id: 1000 + id, customer: (id % 5) + 1, total: 9.99 });
  state("orders", "shop", 1008, 8);
  for (let id = 1; id <= 3; id++) record("page_views", null, { path: `/page/${id}`, ms: 120 + id });
  state("page_views", null, 3, 3);
  lines.push({
    type: "TRACE",
    trace: { type: "STREAM_STATUS", emitted_at: now, stream_status: { status: "COMPLETE" } },
  });
  return `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`;
}
