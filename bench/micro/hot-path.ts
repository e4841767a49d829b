/**
 * The hot path's stages, each timed alone on a real workload (no broker, no socket): line
 * splitting with the UTF-8 check, the record scan, value encoding, UUIDs, record batch encoding
 * with its CRC-32C, and the Produce request around the batches. Prints ns per record and CPU
 * seconds per million records, so a change to one stage can be measured before and after.
 *
 *   bun bench/micro/hot-path.ts [messages.jsonl] [--rounds N]
 *
 * The default workload is the benchmark's (npm run bench generates it under .cache/bench/).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { v4 as uuidv4 } from "uuid";
import { encodeRecord } from "../../src/codec/record.ts";
import type { EncodedRecord } from "../../src/contract/send.ts";
import { encodeRecordBatch, NO_PRODUCER } from "../../src/kafka/record-batch.ts";
import { encodeProduce } from "../../src/kafka/wire/produce.ts";
import { readLines } from "../../src/protocol/lines.ts";
import { parseLine, type RecordLine } from "../../src/protocol/parse.ts";

const { values, positionals } = parseArgs({
  args: Bun.argv.slice(2),
  options: { rounds: { type: "string", default: "5" } },
  allowPositionals: true,
});
const path =
  positionals[0] ??
  join(import.meta.dir, "../../.cache/bench/workloads/r300000-b500-s4-e10000-seed1-v1/messages.jsonl");
const input = readFileSync(path);
const rounds = Number(values.rounds);

async function* chunks(): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < input.length; at += 256 * 1024) yield input.subarray(at, at + 256 * 1024);
}

const lines: Uint8Array[] = [];
for await (const batch of readLines(chunks(), 64 * 1024 * 1024))
  for (const line of batch) if (line.bytes) lines.push(line.bytes);
const records = lines.map(parseLine).filter((line): line is RecordLine => line.kind === "record");
const encoded: EncodedRecord[] = records.map((record) => encodeRecord(record, "topic"));
for (const record of encoded) record.memory?.release();

/** Runs `stage` `rounds` times and reports the best round, per record. */
async function time(name: string, count: number, stage: () => unknown | Promise<unknown>): Promise<void> {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    const cpu = process.cpuUsage();
    await stage();
    const used = process.cpuUsage(cpu);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  const ns = (best * 1e6) / count;
  console.log(
    `${name.padEnd(34)} ${ns.toFixed(0).padStart(6)} ns/record  ${((ns * 1e6) / 1e9).toFixed(2)} CPU s/M`,
  );
}

console.log(
  `${records.length} records of ${(input.length / lines.length).toFixed(0)} bytes a line, best of ${rounds}`,
);
await time("lines (split, UTF-8 check)", lines.length, async () => {
  for await (const _ of readLines(chunks(), 64 * 1024 * 1024));
});
await time("scan (record fast path)", lines.length, () => {
  for (const line of lines) parseLine(line);
});
await time("uuid v4", records.length, () => {
  for (let i = 0; i < records.length; i++) uuidv4();
});
await time("value encoding (with uuid)", records.length, () => {
  for (const record of records) encodeRecord(record, "topic").memory?.release();
});
const BATCH = 500;
// Batches are written into reused memory, as the produce path's slab pool gives them.
const arena = Buffer.alloc(4 * 1024 * 1024);
const allocate = (length: number) => arena.subarray(0, length);
await time("record batch + CRC-32C (500 a batch)", encoded.length, () => {
  for (let i = 0; i < encoded.length; i += BATCH) {
    const options = { ...NO_PRODUCER, compression: "none" as const, timestamp: Date.now(), allocate };
    encodeRecordBatch(encoded.slice(i, i + BATCH), options);
  }
});
const batches: { topic: string; partition: number; bytes: Buffer }[] = [];
for (let i = 0; i < encoded.length; i += BATCH) {
  batches.push({
    topic: "topic",
    partition: 0,
    bytes: encodeRecordBatch(encoded.slice(i, i + BATCH), {
      ...NO_PRODUCER,
      compression: "none",
      timestamp: 0,
    }),
  });
}
await time("produce request (one batch each)", encoded.length, () => {
  for (const batch of batches) {
    const writer = encodeProduce(
      { acks: -1, timeoutMs: 30_000, transactionalId: null, batches: [batch] },
      11,
      true,
    );
    writer.buffer;
  }
});
