/**
 * A small sync for the packaging tests: a config and catalog writing one stream to a topic no other
 * test uses, the input (records then a STATE), and the check that the run succeeded and every
 * record landed in Kafka as sent.
 */
import { expect } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ofType, type RunResult } from "../helpers/connector.ts";
import { readTopics, uniqueName } from "../helpers/kafka.ts";

export interface SmallSync {
  topic: string;
  config: Record<string, unknown>;
  catalog: Record<string, unknown>;
  input: string;
  ids: number[];
}

const RECORDS = 5;

export function smallSync(bootstrap: string, overrides: Record<string, unknown> = {}): SmallSync {
  const prefix = uniqueName("pkg");
  const ids = Array.from({ length: RECORDS }, (_, i) => i + 1);
  const records = ids.map(
    (id) =>
      `{"type":"RECORD","record":{"stream":"items","data":{"id":${id},"text":"${"x".repeat(200)}"},"emitted_at":1700000000000}}\n`,
  );
  const state = '{"type":"STATE","state":{"type":"LEGACY","data":{"cursor":5}}}\n';
  return {
    topic: `${prefix}_items`,
    config: { bootstrap_servers: bootstrap, topic_pattern: `${prefix}.{stream}`, acks: "all", ...overrides },
    catalog: {
      streams: [
        {
          stream: { name: "items", json_schema: {} },
          sync_mode: "full_refresh",
          destination_sync_mode: "append",
        },
      ],
    },
    input: records.join("") + state,
    ids,
  };
}

/** Writes config.json and catalog.json into `dir`; returns their names there. */
export function writeSyncFiles(dir: string, sync: SmallSync) {
  writeFileSync(join(dir, "config.json"), JSON.stringify(sync.config));
  writeFileSync(join(dir, "catalog.json"), JSON.stringify(sync.catalog));
  return { config: "config.json", catalog: "catalog.json" };
}

/** The write succeeded, echoed its STATE for every record, and Kafka holds exactly those records. */
export async function expectLanded(bootstrap: string, sync: SmallSync, result: RunResult): Promise<void> {
  const outcome = { exitCode: result.exitCode, traces: ofType(result.messages, "TRACE") };
  // On failure, show stderr too (a crash of the runtime or the emulator says why only there).
  expect(result.exitCode === 0 ? outcome : { ...outcome, stderr: result.stderr }).toEqual({
    exitCode: 0,
    traces: [],
  });
  expect(ofType(result.messages, "STATE")).toEqual([
    {
      type: "STATE",
      state: { type: "LEGACY", data: { cursor: 5 }, destinationStats: { recordCount: sync.ids.length } },
    },
  ]);
  const landed = await readTopics(bootstrap, [sync.topic]);
  const values = landed.map((record) => ({ key: record.key, value: JSON.parse(record.value) }));
  expect(values.map(({ value }) => value._airbyte_data.id).sort((a, b) => a - b)).toEqual(sync.ids);
  for (const { key, value } of values) {
    expect(value).toEqual({
      _airbyte_ab_id: key,
      _airbyte_stream: "items",
      _airbyte_emitted_at: 1700000000000,
      _airbyte_data: { id: expect.any(Number), text: "x".repeat(200) },
    });
  }
}
