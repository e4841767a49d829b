/**
 * The benchmark workload as a socket-mode source sends it: the same records and STATEs, dealt over
 * N sockets (record i on socket i mod N, STATEs in turn), in JSONL (each record with its
 * `partition_id`) or in protobuf frames (values in the json_schema's sorted property order, typed
 * as the Bulk CDK's sources type them from the schema: integers, numbers, strings, booleans,
 * nulls, arrays and objects as JSON bytes). Each STREAM state closes the partition of its stream's
 * records since the one before, with its `id` in that stream's sequence. Files are cached beside
 * the workload, under `sockets-<format>-<n>/`.
 */
import { createReadStream, existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseJsonLossless, stringifyJsonLossless } from "../src/formats/json-lossless.ts";
import { isObject } from "../src/is-object.ts";
import { frame, type ValueObject } from "../test/helpers/airbyte-socket-proto.ts";
import type { WorkloadFiles } from "./workload.ts";

export type SocketFormat = "JSONL" | "PROTOBUF";

/** One file per socket, holding exactly the bytes that socket carries. */
export async function ensureSocketWorkload(
  workload: WorkloadFiles,
  format: SocketFormat,
  sockets: number,
  log?: (text: string) => void,
): Promise<string[]> {
  const dir = join(workload.dir, `sockets-${format.toLowerCase()}-${sockets}`);
  const files = Array.from({ length: sockets }, (_, i) => join(dir, `socket-${i + 1}.bin`));
  const done = join(dir, "complete");
  if (existsSync(done)) return files;
  log?.(`writing the workload for ${sockets} ${format} sockets ...`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const writers = files.map((file) => Bun.file(`${file}.tmp`).writer({ highWaterMark: 1 << 22 }));
  const schema = await Bun.file(workload.catalog).json();
  const types = propertyTypes(schema);
  const names = [...types.keys()].sort();
  const partitions = new Map<string, number>(); // stream → its current partition's ordinal, from 1
  const partitionOf = (stream: string) => `${stream}-${partitions.get(stream) ?? 1}`;
  let records = 0;
  let states = 0;
  const lines = createInterface({
    input: createReadStream(workload.messages),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    if (line === "") continue;
    const message = parseJsonLossless(line) as {
      type: string;
      record?: Record<string, unknown>;
      state?: Record<string, unknown>;
    };
    if (message.type === "RECORD" && message.record) {
      const record = message.record;
      const partition = partitionOf(streamKeyOf(record.namespace, record.stream));
      const bytes =
        format === "JSONL"
          ? `${stringifyJsonLossless({ type: "RECORD", record: { ...record, partition_id: partition } })}\n`
          : frame({
              record: {
                ...(typeof record.namespace === "string" ? { streamNamespace: record.namespace } : {}),
                streamName: record.stream as string,
                emittedAtMs: record.emitted_at as number,
                partitionId: partition,
                data: names.map((name) =>
                  protoValue((record.data as Record<string, unknown>)[name], types.get(name)),
                ),
              },
            });
      writers[records++ % sockets]?.write(bytes);
    } else if (message.type === "STATE" && message.state) {
      const descriptor = (message.state.stream as { stream_descriptor: { name: string; namespace?: string } })
        .stream_descriptor;
      const stream = streamKeyOf(descriptor.namespace, descriptor.name);
      const ordinal = partitions.get(stream) ?? 1;
      const state = JSON.stringify({
        ...message,
        state: { ...message.state, partition_id: partitionOf(stream), id: ordinal },
      });
      partitions.set(stream, ordinal + 1);
      writers[states++ % sockets]?.write(
        format === "JSONL" ? `${state}\n` : frame({ airbyteProtocolMessage: state }),
      );
    }
  }
  await Promise.all(writers.map((writer) => writer.end()));
  await Promise.all(files.map((file) => rename(`${file}.tmp`, file)));
  await writeFile(done, `${records} records, ${states} states\n`);
  return files;
}

// --- internal ---

const streamKeyOf = (namespace: unknown, name: unknown) => `${namespace ?? ""}.${name}`;

/** Each top-level property's JSON Schema type (its first non-null one), from the first stream. */
function propertyTypes(catalog: unknown): Map<string, string | undefined> {
  const streams = isObject(catalog) ? catalog.streams : undefined;
  const first = Array.isArray(streams) && isObject(streams[0]) ? streams[0].stream : undefined;
  const schema = isObject(first) ? first.json_schema : undefined;
  const properties = isObject(schema) && isObject(schema.properties) ? schema.properties : {};
  const types = new Map<string, string | undefined>();
  for (const [name, property] of Object.entries(properties)) {
    const type = isObject(property) ? property.type : undefined;
    types.set(name, Array.isArray(type) ? type.find((t) => t !== "null") : (type as string | undefined));
  }
  return types;
}

const encoder = new TextEncoder();

function protoValue(value: unknown, type: string | undefined): ValueObject {
  if (value === null || value === undefined) return { isNull: true };
  if (typeof value === "bigint") return { bigInteger: value.toString() };
  if (typeof value === "boolean") return { boolean: value };
  if (typeof value === "string") return { string: value };
  if (typeof value === "number")
    return type === "integer" && Number.isInteger(value) ? { integer: String(value) } : { number: value };
  return { json: encoder.encode(stringifyJsonLossless(value)) };
}
