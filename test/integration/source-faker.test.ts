/**
 * End to end with a real Airbyte source: `source-faker read` (installed from PyPI into `.venv/` by
 * scripts/python-peers.ts) → its stdout captured to a file → the connector's `write` → a real local
 * Kafka. What the source emits for this config (source-faker 7.2.1, count 500, 100 per slice,
 * parallelism 1): 100 products + 500 users + 500 purchases as RECORDs; per-stream STATEs
 * (`type: STREAM`, each with `sourceStats.recordCount` written as a float such as `200.0`, the
 * last one per stream counting 0); TRACE STREAM_STATUS / ESTIMATE and LOG messages in between.
 * Records carry no explicit nulls (absent fields are left out) and some non-ASCII text.
 */

import { beforeAll, describe, expect, it } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensurePythonPeers, type PythonPeers } from "../../scripts/python-peers.ts";
import { jsonFile, logText, ofType, type RunResult, runConnector } from "../helpers/connector.ts";
import {
  type LandedRecord,
  listTopics,
  readTopics,
  type TestBroker,
  testBroker,
  uniqueName,
} from "../helpers/kafka.ts";

const SOURCE_CONFIG = { count: 500, seed: 42, records_per_slice: 100, parallelism: 1, always_updated: false };
const SOURCE_TIMEOUT_MS = 60_000;
const CONNECTOR_TIMEOUT_MS = 60_000;

type Json = Record<string, unknown>;

interface SourceRecord {
  stream: string;
  data: Json;
  emitted_at: number;
}

interface Sync {
  streams: string[];
  topicOf: (stream: string) => string;
  prefix: string;
  source: Json[];
  result: RunResult;
  landed: LandedRecord[];
}

let peers: PythonPeers;
let broker: TestBroker;

beforeAll(async () => {
  peers = await ensurePythonPeers();
  broker = await testBroker();
}, 600_000);

describe("a real Airbyte source (source-faker) piped into write", () => {
  it("exits 0 without a TRACE error", async () => {
    const { result } = await sync();
    const errors = ofType(result.messages, "TRACE").filter((m) => (m.trace as Json).type === "ERROR");
    expect(errors).toEqual([]);
    expect(result.exitCode).toBe(0);
  }, 120_000);

  it("lands every RECORD of every stream in its topic, data unchanged", async () => {
    const { streams, topicOf, source, landed } = await sync();
    const records = ofType(source, "RECORD").map((m) => m.record as SourceRecord);
    for (const stream of streams) {
      const emitted = records.filter((r) => r.stream === stream);
      expect(emitted.length).toBeGreaterThan(0);
      const inTopic = landed.filter((r) => r.topic === topicOf(stream));
      expect({ stream, count: inTopic.length }).toEqual({ stream, count: emitted.length });

      const values = inTopic.map((r) => ({ key: r.key, value: JSON.parse(r.value) as Json }));
      for (const { key, value } of values) {
        expect(value._airbyte_stream).toBe(stream);
        expect(value._airbyte_ab_id).toBe(key);
      }
      // Same multiset of records (stringified as parsed, so member order counts too).
      const landedData = values.map(({ value }) => JSON.stringify(value._airbyte_data)).sort();
      const emittedData = emitted.map((r) => JSON.stringify(r.data)).sort();
      expect(landedData).toEqual(emittedData);
    }
  }, 120_000);

  it("echoes every STATE in order, with destinationStats.recordCount = sourceStats.recordCount", async () => {
    const { source, result } = await sync();
    const sent = ofType(source, "STATE").map((m) => m.state as Json);
    const echoed = ofType(result.messages, "STATE").map((m) => m.state as Json);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((state) => state.type === "STREAM")).toBe(true);
    expect(sent.some((state) => state.sourceStats !== undefined)).toBe(true);

    expect(echoed.map(withoutDestinationStats)).toEqual(sent);
    echoed.forEach((state, index) => {
      const sourceStats = sent[index]?.sourceStats as { recordCount?: number } | undefined;
      const destinationStats = state.destinationStats as { recordCount?: number } | undefined;
      expect(typeof destinationStats?.recordCount).toBe("number");
      if (sourceStats?.recordCount !== undefined) {
        expect({ index, recordCount: destinationStats?.recordCount }).toEqual({
          index,
          recordCount: sourceStats.recordCount,
        });
      }
    });
  }, 120_000);

  it("writes only RECORDs to Kafka: no TRACE or LOG message lands anywhere", async () => {
    const { streams, topicOf, prefix, source, landed } = await sync();
    expect(ofType(source, "TRACE").length).toBeGreaterThan(0);
    expect(ofType(source, "LOG").length).toBeGreaterThan(0);

    expect(landed.length).toBe(ofType(source, "RECORD").length);
    for (const record of landed) {
      const value = JSON.parse(record.value) as Json;
      expect(Object.keys(value).sort()).toEqual([
        "_airbyte_ab_id",
        "_airbyte_data",
        "_airbyte_emitted_at",
        "_airbyte_stream",
      ]);
    }
    // No topic besides the streams' own was created under this run's prefix.
    const ours = (await listTopics(broker.bootstrap)).filter((topic) => topic.startsWith(prefix)).sort();
    expect(ours).toEqual(streams.map(topicOf).sort());
  }, 120_000);
});

// --- internal ---

let pending: Promise<Sync> | undefined;

/** Runs the source and the connector once; every test asserts on the same sync. */
function sync(): Promise<Sync> {
  pending ??= runSync();
  return pending;
}

async function runSync(): Promise<Sync> {
  const dir = mkdtempSync(join(tmpdir(), "dk-faker-"));
  const config = jsonFile("source-config.json", SOURCE_CONFIG);

  const discovered = parseLines(await runSource(["discover", "--config", config]));
  const catalog = ofType(discovered, "CATALOG")[0]?.catalog as { streams: Json[] } | undefined;
  if (!catalog) throw new Error(`source-faker discover printed no CATALOG:\n${JSON.stringify(discovered)}`);
  const configured = { streams: catalog.streams.map(configuredStream) };
  const streams = catalog.streams.map((stream) => stream.name as string);

  const messagesFile = join(dir, "source-messages.jsonl");
  await runSource(
    ["read", "--config", config, "--catalog", jsonFile("configured.json", configured)],
    messagesFile,
  );
  const stdin = readFileSync(messagesFile, "utf8");
  const source = parseLines(stdin);

  const prefix = uniqueName("faker");
  const topicOf = (stream: string) => `${prefix}_${stream}`;
  const destinationConfig = { bootstrap_servers: broker.bootstrap, topic_pattern: `${prefix}_{stream}` };
  const started = performance.now();
  const result = await runConnector(
    [
      "write",
      "--config",
      jsonFile("config.json", destinationConfig),
      "--catalog",
      jsonFile("catalog.json", configured),
    ],
    stdin,
    CONNECTOR_TIMEOUT_MS,
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  console.error(
    `source-faker: ${ofType(source, "RECORD").length} records, ${ofType(source, "STATE").length} states; ` +
      `write took ${seconds} s (exit ${result.exitCode})`,
  );
  if (result.exitCode !== 0) {
    console.error(`connector log:\n${logText(result.messages)}\nstderr:\n${result.stderr}`);
  }

  const landed = await readTopics(broker.bootstrap, streams.map(topicOf));
  return { streams, topicOf, prefix, source, result, landed };
}

/** A configured stream as Airbyte builds it from a discovered one. */
function configuredStream(stream: Json): Json {
  const incremental = (stream.supported_sync_modes as string[] | undefined)?.includes("incremental") ?? false;
  return {
    stream,
    sync_mode: incremental ? "incremental" : "full_refresh",
    ...(incremental ? { cursor_field: stream.default_cursor_field ?? [] } : {}),
    destination_sync_mode: "append",
    primary_key: stream.source_defined_primary_key ?? [],
    generation_id: 0,
    minimum_generation_id: 0,
    sync_id: 0,
  };
}

/**
 * Runs `source-faker <args>`, bounded in time, and returns its stdout (also saved to `stdoutFile`
 * when given). Fails with its stderr when it exits non-zero.
 */
async function runSource(args: string[], stdoutFile?: string): Promise<string> {
  const child = Bun.spawn([peers.sourceFaker, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => child.kill("SIGKILL"), SOURCE_TIMEOUT_MS);
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  if (exitCode !== 0) throw new Error(`source-faker ${args[0]} exited ${exitCode}:\n${stderr}\n${stdout}`);
  if (stdoutFile) writeFileSync(stdoutFile, stdout);
  return stdout;
}

function parseLines(text: string): Json[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Json);
}

function withoutDestinationStats(state: Json): Json {
  const copy = { ...state };
  delete copy.destinationStats;
  return copy;
}
