/**
 * Kafka's own Java producer as a peer: `org.apache.kafka.tools.ConsoleProducer` from the harness's
 * Maven download (the jars the broker runs from), reading the same pre-encoded `key<TAB>value` file
 * on stdin with `parse.key=true`, so it sends the same keys and values as the other tools.
 * (ProducerPerformance cannot send keys: its `--payload-file` gives values only.) The JVM gets the
 * flags `kafka-console-producer.sh` gives it (-Xmx512M, G1); JVM start is included in the time.
 * Every setting is passed explicitly, because ConsoleProducer's own defaults differ from the
 * producer's (linger 1000 ms, request timeout 1500 ms, 3 retries). Timed from spawn to exit.
 */
import { join } from "node:path";
import { ensureKafkaJars, KAFKA_VERSION, kafkaClassPath } from "../../scripts/kafka/jars.ts";
import type { Batching, BenchCase } from "../cases.ts";
import { measure } from "../measure.ts";
import type { RunContext, Tool, ToolInfo, ToolRun } from "./tool.ts";

/** KAFKA_HEAP_OPTS of kafka-console-producer.sh and KAFKA_JVM_PERFORMANCE_OPTS of kafka-run-class.sh. */
export const CONSOLE_PRODUCER_JVM_FLAGS: readonly string[] = [
  "-Xmx512M",
  "-server",
  "-XX:+UseG1GC",
  "-XX:MaxGCPauseMillis=20",
  "-XX:InitiatingHeapOccupancyPercent=35",
  "-XX:+ExplicitGCInvokesConcurrent",
  "-XX:MaxInlineLevel=15",
  "-Djava.awt.headless=true",
];

/** Java producer properties for a case. */
export function javaProducerProperties(benchCase: BenchCase, batching: Batching | null): string[] {
  return [
    "client.id=bench-java",
    `acks=${benchCase.acks}`,
    `compression.type=${benchCase.compression}`,
    // Explicit: since Kafka 3.0 the Java producer turns idempotence on by default.
    `enable.idempotence=${benchCase.idempotence}`,
    ...(batching
      ? [
          `batch.size=${batching.batchSize}`,
          `linger.ms=${batching.lingerMs}`,
          `max.in.flight.requests.per.connection=${batching.maxInFlight}`,
          `buffer.memory=${batching.bufferMemory}`,
          `request.timeout.ms=${batching.requestTimeoutMs}`,
          `delivery.timeout.ms=${batching.deliveryTimeoutMs}`,
          "retries=2147483647",
        ]
      : []),
  ];
}

let classPath = "";

export const java: Tool = {
  id: "java",
  formats: ["json"],
  async prepare(): Promise<ToolInfo> {
    classPath = kafkaClassPath(await ensureKafkaJars());
    const jvm = await Bun.$`java -version`.quiet().nothrow();
    const jvmVersion = /version "([^"]+)"/.exec(jvm.stderr.toString())?.[1] ?? "unknown";
    return {
      id: "java",
      name: "Kafka ConsoleProducer (Java)",
      version: `Apache Kafka ${KAFKA_VERSION} ConsoleProducer on OpenJDK ${jvmVersion}`,
      notes: [
        "`org.apache.kafka.tools.ConsoleProducer --property parse.key=true` reading records.kv on stdin",
        `JVM flags of kafka-console-producer.sh: ${CONSOLE_PRODUCER_JVM_FLAGS.join(" ")}`,
        "timed from spawn to exit, JVM start included (ConsoleProducer closes the producer, which waits for every send)",
        "ConsoleProducer rather than ProducerPerformance: the latter cannot send keys, so it could not send the same records",
      ],
    };
  },
  settings(benchCase, batching) {
    return javaProducerProperties(benchCase, batching);
  },
  async run(context: RunContext): Promise<ToolRun> {
    const file = context.workload.keyValues;
    if (file === null) throw new Error("the Java producer needs the key/value workload file");
    if (classPath === "") throw new Error("java.prepare() was not called");
    const properties = javaProducerProperties(context.benchCase, context.batching).flatMap((p) => [
      "--producer-property",
      p,
    ]);
    const measurement = await measure({
      command: [
        "java",
        ...CONSOLE_PRODUCER_JVM_FLAGS,
        "-cp",
        classPath,
        "org.apache.kafka.tools.ConsoleProducer",
        "--bootstrap-server",
        context.bootstrap,
        "--topic",
        context.topic,
        "--compression-codec",
        context.benchCase.compression,
        "--request-required-acks",
        context.benchCase.acks,
        ...properties,
        "--property",
        "parse.key=true",
        "--property",
        "key.separator=\t",
      ],
      stdinFile: file,
      logFile: join(context.runDir, "java.log"),
      timeoutMs: context.timeoutMs,
    });
    return { measurement, elapsedMs: measurement.wallMs, problem: null };
  },
};
