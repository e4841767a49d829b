import { beforeAll, describe, expect, it } from "bun:test";
import { connectionStatus, jsonFile, runConnector } from "../helpers/connector.ts";
import { readTopics, type TestBroker, testBroker, uniqueName } from "../helpers/kafka.ts";

let broker: TestBroker;
let noauto: TestBroker;

beforeAll(async () => {
  [broker, noauto] = await Promise.all([testBroker("default"), testBroker("noauto")]);
}, 120_000);

const check = async (config: Record<string, unknown>) => {
  const result = await runConnector(["check", "--config", jsonFile("config.json", config)], "", 30_000);
  const status = connectionStatus(result.messages);
  expect(result.exitCode).toBe(status.status === "SUCCEEDED" ? 0 : 1);
  return status;
};

describe("check against a real broker", () => {
  it("succeeds without test_topic, having contacted the cluster", async () => {
    expect(await check({ bootstrap_servers: broker.bootstrap, topic_pattern: "x" })).toEqual({
      status: "SUCCEEDED",
    });
  });

  it("with test_topic, produces a test message and waits for its acknowledgement", async () => {
    const topic = uniqueName("check");
    const status = await check({
      bootstrap_servers: broker.bootstrap,
      topic_pattern: "x",
      test_topic: topic,
    });
    // It also asks whether streams that overwrite could delete records there.
    expect(status).toEqual({
      status: "SUCCEEDED",
      message: `This client may delete records of ${topic}, as streams that overwrite (Full Refresh Overwrite, truncate refreshes) need on their topics.`,
    });
    const landed = await readTopics(broker.bootstrap, [topic]);
    expect(landed).toHaveLength(1);
    const value = JSON.parse(landed[0]?.value ?? "");
    expect(value._airbyte_ab_id).toBe(landed[0]?.key);
    expect(value._airbyte_data).toEqual({ "test-key": "test-value" });
  });

  it("fails on a port where no broker listens, naming the cause, within max_block_ms", async () => {
    const started = Date.now();
    const status = await check({
      bootstrap_servers: "127.0.0.1:1",
      topic_pattern: "x",
      max_block_ms: "1500",
    });
    expect(status.status).toBe("FAILED");
    expect(status.message).toContain("connection refused");
    expect(status.message).toContain("max_block_ms (1500 ms)");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("fails on an unknown host, resolving it once when retries is 0", async () => {
    const status = await check({
      bootstrap_servers: "no-such-broker.invalid:9092",
      topic_pattern: "x",
      retries: 0,
      max_block_ms: "5000",
      request_timeout_ms: 2000,
      delivery_timeout_ms: 5000,
    });
    expect(status.status).toBe("FAILED");
    expect(status.message).toContain("no-such-broker.invalid:9092: unknown host");
  });

  it("fails when the test topic does not exist and the broker does not create topics", async () => {
    const topic = uniqueName("missing");
    const status = await check({
      bootstrap_servers: noauto.bootstrap,
      topic_pattern: "x",
      test_topic: topic,
    });
    expect(status.status).toBe("FAILED");
    expect(status.message).toContain(`topic ${topic} does not exist`);
    expect(status.message).toContain("auto.create.topics.enable=false");
  });

  it("fails on an invalid config naming the field, without a stack trace", async () => {
    const status = await check({ bootstrap_servers: broker.bootstrap, topic_pattern: "x", acks: "most" });
    expect(status.status).toBe("FAILED");
    expect(status.message).toContain("acks must be one of 0, 1, all");
    expect(status.message).not.toContain(" at ");
  });

  it("refuses a config it cannot use before connecting, without printing the JAAS secret", async () => {
    const status = await check({
      bootstrap_servers: broker.bootstrap,
      topic_pattern: "x",
      protocol: {
        security_protocol: "SASL_PLAINTEXT",
        sasl_mechanism: "SCRAM-SHA-256",
        sasl_jaas_config:
          'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="hunter2";',
      },
    });
    expect(status.status).toBe("FAILED");
    expect(status.message).toContain("does not match sasl_mechanism SCRAM-SHA-256");
    expect(JSON.stringify(status)).not.toContain("hunter2");
  });

  it("fails clearly when the config file is missing", async () => {
    const result = await runConnector(["check", "--config", "/nonexistent/config.json"]);
    expect(result.exitCode).toBe(1);
    const status = connectionStatus(result.messages);
    expect(status.status).toBe("FAILED");
    expect(status.message).toContain("Cannot read the config file /nonexistent/config.json (ENOENT)");
  });
});
