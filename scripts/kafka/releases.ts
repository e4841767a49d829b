/**
 * What differs between the Apache Kafka releases the harness can run, as facts about a version
 * number: which Scala build Maven Central has, how the cluster keeps its metadata, which Java runs
 * the broker, and how it logs. Pure; checked against 1.0.2, 2.8.2, 3.6.2, 3.7.2, 3.9.1, 4.1.1 and
 * 4.4.0 (scripts/compat/).
 */

export interface KafkaRelease {
  version: string;
  /** `kafka_<scala>` on Maven Central: 2.13 builds exist from 2.4 on, 2.12 before. */
  scalaBinary: "2.12" | "2.13";
  /**
   * KRaft combined mode from 3.3 (the first production-ready KRaft); ZooKeeper before, with the
   * ZooKeeper server that is among the broker's own dependencies.
   */
  metadata: "kraft" | "zookeeper";
  /** Java feature release that runs the broker: 11 before 3.0 (older brokers predate Java 17), 17 from then on. */
  javaFeature: 11 | 17;
  /**
   * Before 2.0 the broker logs through log4j 1.2 and its tree brings the SLF4J binding for it, so
   * the harness gives it a log4j.properties; later trees bring no binding and get slf4j-simple.
   */
  logging: "log4j" | "slf4j-simple";
}

/** The release `version` ("MAJOR.MINOR.PATCH"); throws on anything else. */
export function kafkaRelease(version: string): KafkaRelease {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!match) throw new Error(`not a Kafka release version: ${JSON.stringify(version)}`);
  const [major, minor] = [Number(match[1]), Number(match[2])];
  const atLeast = (a: number, b: number): boolean => major > a || (major === a && minor >= b);
  return {
    version,
    scalaBinary: atLeast(2, 4) ? "2.13" : "2.12",
    metadata: atLeast(3, 3) ? "kraft" : "zookeeper",
    javaFeature: atLeast(3, 0) ? 17 : 11,
    logging: atLeast(2, 0) ? "slf4j-simple" : "log4j",
  };
}
