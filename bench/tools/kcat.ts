/**
 * kcat (librdkafka) as a peer: `kcat -P -K '\t' -l records.kv`, the pre-encoded key/value file, with
 * the case's acks / compression / idempotence and the shared batching settings as `-X` properties.
 * Installed from Debian's `kcat` package when missing (scripts/kafka/kcat.ts).
 * Timed from spawn to exit: kcat exits once every message is delivered or failed.
 */
import { join } from "node:path";
import { ensureKcat, kcatVersions } from "../../scripts/kafka/kcat.ts";
import type { Batching, BenchCase } from "../cases.ts";
import { measure } from "../measure.ts";
import type { RunContext, Tool, ToolInfo, ToolRun } from "./tool.ts";

/** librdkafka properties for a case; without `batching`, librdkafka's own batching defaults. */
export function kcatProperties(benchCase: BenchCase, batching: Batching | null): string[] {
  return [
    "client.id=bench-kcat",
    `acks=${benchCase.acks}`,
    `compression.codec=${benchCase.compression}`,
    `enable.idempotence=${benchCase.idempotence}`,
    ...(batching
      ? [
          `batch.size=${batching.batchSize}`,
          `linger.ms=${batching.lingerMs}`,
          `max.in.flight.requests.per.connection=${batching.maxInFlight}`,
          `queue.buffering.max.kbytes=${Math.ceil(batching.bufferMemory / 1024)}`,
          `request.timeout.ms=${batching.requestTimeoutMs}`,
          `message.timeout.ms=${batching.deliveryTimeoutMs}`,
        ]
      : []),
    // The Java client's (and our client's) partitioner, instead of librdkafka's consistent_random.
    "partitioner=murmur2_random",
  ];
}

export const kcat: Tool = {
  id: "kcat",
  formats: ["json"],
  async prepare(log): Promise<ToolInfo> {
    await ensureKcat(log);
    const { kcat: kcatVersion, librdkafka } = await kcatVersions();
    return {
      id: "kcat",
      name: "kcat -P",
      version: `kcat ${kcatVersion}, librdkafka ${librdkafka} (Debian package)`,
      notes: [
        "`kcat -P -K '\\t' -l records.kv`: the same keys and values, pre-encoded as the connector encodes them",
        "timed from spawn to exit (kcat waits for every delivery report before it exits)",
      ],
    };
  },
  settings(benchCase, batching) {
    return kcatProperties(benchCase, batching);
  },
  async run(context: RunContext): Promise<ToolRun> {
    const file = context.workload.keyValues;
    if (file === null) throw new Error("kcat needs the key/value workload file");
    const properties = kcatProperties(context.benchCase, context.batching).flatMap((p) => ["-X", p]);
    const measurement = await measure({
      command: [
        "kcat",
        "-P",
        "-q",
        "-b",
        context.bootstrap,
        "-t",
        context.topic,
        "-K",
        "\t",
        ...properties,
        "-l",
        file,
      ],
      logFile: join(context.runDir, "kcat.log"),
      timeoutMs: context.timeoutMs,
    });
    return { measurement, elapsedMs: measurement.wallMs, problem: null };
  },
};
