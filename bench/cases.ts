/**
 * What the benchmark compares: the cases (acks, compression, idempotence, value format) and the
 * batching settings every tool gets alike. Each tool maps these to its own configuration
 * (tools/*.ts). The registry formats are ours alone: kcat and Java run only the json cases.
 */

/** How ours writes values: the reference JSON, or through the Schema Registry. */
export type ValueFormat = "json" | "avro" | "json_schema";

/** Airbyte's socket mode: the workload over `sockets` Unix sockets in `format` (ours alone). */
export interface Transport {
  format: "JSONL" | "PROTOBUF";
  sockets: number;
}

export interface BenchCase {
  id: string;
  label: string;
  acks: "1" | "all";
  compression: "none" | "lz4";
  idempotence: boolean;
  valueFormat: ValueFormat;
  /** Socket mode; stdin when absent. */
  transport?: Transport;
}

/** Producer settings applied identically to the three tools. */
export interface Batching {
  /** Bytes per batch: the connector's `batch_size`, librdkafka's and Java's `batch.size`. */
  batchSize: number;
  lingerMs: number;
  maxInFlight: number;
  /** Bytes of records buffered before the producer blocks (`buffer.memory`). */
  bufferMemory: number;
  /** The per-request ack timeout, and the delivery bound. */
  requestTimeoutMs: number;
  deliveryTimeoutMs: number;
}

const JSON_CASE = { compression: "none", idempotence: false, valueFormat: "json" } as const;

export const CASES: readonly BenchCase[] = [
  { ...JSON_CASE, id: "all-none", label: "acks=all, no compression", acks: "all" },
  { ...JSON_CASE, id: "all-lz4", label: "acks=all, lz4", acks: "all", compression: "lz4" },
  { ...JSON_CASE, id: "1-none", label: "acks=1, no compression", acks: "1" },
  {
    ...JSON_CASE,
    id: "idem-none",
    label: "idempotent, acks=all, no compression",
    acks: "all",
    idempotence: true,
  },
  {
    ...JSON_CASE,
    id: "avro",
    label: "acks=all, no compression, Avro values",
    acks: "all",
    valueFormat: "avro",
  },
  {
    ...JSON_CASE,
    id: "json-schema",
    label: "acks=all, no compression, JSON Schema values",
    acks: "all",
    valueFormat: "json_schema",
  },
  ...[1, 2, 4].flatMap((sockets) =>
    (["JSONL", "PROTOBUF"] as const).map((format) => ({
      ...JSON_CASE,
      id: `sock${sockets}-${format === "JSONL" ? "jsonl" : "proto"}`,
      label: `acks=all, no compression, ${sockets} ${format} socket${sockets > 1 ? "s" : ""}`,
      acks: "all" as const,
      transport: { format, sockets },
    })),
  ),
];

/**
 * The batching every tool gets alike with `--batching equal`: the connector's defaults (which are
 * also the Java producer's classic ones) unless flags say otherwise. With `--batching defaults` (the
 * default) each tool runs at its own defaults and none of these is passed.
 */
export const DEFAULT_BATCHING: Batching = {
  batchSize: 16384,
  lingerMs: 0,
  maxInFlight: 5,
  bufferMemory: 33554432,
  requestTimeoutMs: 30000,
  deliveryTimeoutMs: 120000,
};

/** `all` or a comma-separated list of case ids, in the order given. */
export function selectCases(spec: string): BenchCase[] {
  if (spec.trim() === "all") return [...CASES];
  return spec
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id !== "")
    .map((id) => {
      const found = CASES.find((c) => c.id === id);
      if (!found)
        throw new Error(
          `unknown case ${JSON.stringify(id)}; one of: all, ${CASES.map((c) => c.id).join(", ")}`,
        );
      return found;
    });
}
