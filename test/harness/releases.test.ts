/** What the harness assumes about each Kafka release (scripts/kafka/releases.ts), at the boundaries. */
import { describe, expect, it } from "bun:test";
import { type KafkaRelease, kafkaRelease } from "../../scripts/kafka/releases.ts";

type Row = [
  string,
  KafkaRelease["scalaBinary"],
  KafkaRelease["metadata"],
  KafkaRelease["javaFeature"],
  KafkaRelease["logging"],
];

describe("kafkaRelease", () => {
  it.each<Row>([
    ["1.0.2", "2.12", "zookeeper", 11, "log4j"],
    ["2.3.1", "2.12", "zookeeper", 11, "slf4j-simple"],
    ["2.4.1", "2.13", "zookeeper", 11, "slf4j-simple"],
    ["2.8.2", "2.13", "zookeeper", 11, "slf4j-simple"],
    ["3.2.3", "2.13", "zookeeper", 17, "slf4j-simple"],
    ["3.3.2", "2.13", "kraft", 17, "slf4j-simple"],
    ["3.7.2", "2.13", "kraft", 17, "slf4j-simple"],
    ["4.4.0", "2.13", "kraft", 17, "slf4j-simple"],
    ["10.0.0", "2.13", "kraft", 17, "slf4j-simple"],
  ])("%s: kafka_%s, %s, Java %d, %s", (version, scalaBinary, metadata, javaFeature, logging) => {
    expect(kafkaRelease(version)).toEqual({ version, scalaBinary, metadata, javaFeature, logging });
  });

  it.each(["4.1", "4.1.1-rc1", "v4.1.1", ""])("refuses %p", (version) => {
    expect(() => kafkaRelease(version)).toThrow("not a Kafka release version");
  });
});
