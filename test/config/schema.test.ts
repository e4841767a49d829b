import { describe, expect, it } from "bun:test";
import { parseConfig } from "../../src/config/load.ts";
import { configProblem, configWith } from "../helpers/config.ts";

describe("config defaults are the Java connector's", () => {
  const config = configWith();
  it.each([
    ["sync_producer", false],
    ["client_id", "airbyte-producer"],
    ["acks", "1"],
    ["enable_idempotence", false],
    ["compression_type", "none"],
    ["batch_size", 16384],
    ["linger_ms", 0],
    ["max_in_flight_requests_per_connection", 5],
    ["client_dns_lookup", "use_all_dns_ips"],
    ["buffer_memory", 33554432],
    ["max_request_size", 1048576],
    ["retries", 2147483647],
    ["socket_connection_setup_timeout_ms", 10000],
    ["socket_connection_setup_timeout_max_ms", 30000],
    ["max_block_ms", 60000],
    ["request_timeout_ms", 30000],
    ["delivery_timeout_ms", 120000],
    ["send_buffer_bytes", 131072],
    ["receive_buffer_bytes", 32768],
    ["transaction_timeout_ms", 60000],
    ["on_invalid_input", "fail"],
  ] as const)("%s defaults to %p", (field, expected) => {
    expect(config[field]).toEqual(expected);
  });

  it("protocol defaults to PLAINTEXT", () => {
    expect(config.protocol).toEqual({ security_protocol: "PLAINTEXT" });
  });
});

describe("numeric fields accept numbers and numeric strings", () => {
  it.each([
    ["linger_ms", "5", 5],
    ["linger_ms", 5, 5],
    ["buffer_memory", " 1024 ", 1024],
    ["batch_size", "0", 0],
    ["send_buffer_bytes", "-1", -1],
    ["max_block_ms", "60000", 60000],
  ])("%s: %p → %p", (field, given, expected) => {
    expect(configWith({ [field]: given })[field as "linger_ms"]).toBe(expected);
  });

  it("a null field is the same as an absent one", () => {
    expect(configWith({ linger_ms: null, acks: null, test_topic: null }).acks).toBe("1");
  });
});

describe("invalid configs name the field and why", () => {
  it.each([
    [{ bootstrap_servers: undefined }, "bootstrap_servers is required"],
    [{ bootstrap_servers: "" }, "bootstrap_servers must not be empty"],
    [
      { bootstrap_servers: "host-without-port" },
      "bootstrap_servers must be a comma-separated list of host:port",
    ],
    [{ bootstrap_servers: "a:9092,b:70000" }, "bootstrap_servers must be a comma-separated list"],
    [{ topic_pattern: "  " }, "topic_pattern must not be empty"],
    [{ linger_ms: "ten" }, "linger_ms must be a number"],
    [{ batch_size: 1.5 }, "batch_size must be a whole number"],
    [{ batch_size: -1 }, "batch_size must be at least 0"],
    [{ acks: "2" }, "acks must be one of 0, 1, all"],
    [{ compression_type: "brotli" }, "compression_type must be one of none, gzip, snappy, lz4, zstd"],
    [{ sync_producer: "yes" }, "sync_producer must be true or false"],
    [{ enable_idempotence: true }, 'acks must be "all" when enable_idempotence is true'],
    [
      { enable_idempotence: true, acks: "all", max_in_flight_requests_per_connection: 6 },
      "max_in_flight_requests_per_connection must be at most 5",
    ],
    [{ delivery_timeout_ms: 1000, request_timeout_ms: 2000 }, "delivery_timeout_ms must be at least"],
    [{ protocol: { security_protocol: "KERBEROS" } }, "protocol.security_protocol must be"],
    [
      { message_key: "fields" },
      'message_key_fields must list at least one field path when message_key is "fields"',
    ],
    [{ message_key: "fields", message_key_fields: [[]] }, "message_key_fields.0 must not be empty"],
    [{ message_key: "primary" }, "message_key must be one of uuid, primary_key, fields, none"],
  ])("%p", (overrides, expected) => {
    expect(configProblem(overrides)).toContain(expected);
  });

  it("reports several bad fields at once", () => {
    const problem = configProblem({ acks: "2", linger_ms: "x" });
    expect(problem).toContain("acks");
    expect(problem).toContain("linger_ms");
  });

  it("a config that is not an object is refused", () => {
    expect(() => parseConfig([1, 2])).toThrow("the config must be a JSON object");
  });
});

describe("transactional_id needs an idempotent producer with acks all, and says which field to change", () => {
  const needs = 'transactional_id needs enable_idempotence true and acks "all"';
  it.each([
    [{ transactional_id: "tx-1" }, needs],
    [{ transactional_id: "tx-1", acks: "all" }, needs],
    [{ transactional_id: "tx-1", enable_idempotence: true, acks: "1" }, 'acks must be "all"'],
  ])("%j is refused", (overrides, problem) => {
    expect(configProblem(overrides)).toStartWith(`Invalid config: ${problem}`);
  });

  it("is accepted with enable_idempotence and acks all, with the transaction timeout as given", () => {
    const config = configWith({
      transactional_id: "tx-1",
      enable_idempotence: true,
      acks: "all",
      transaction_timeout_ms: "5000",
    });
    expect(config.transactional_id).toBe("tx-1");
    expect(config.transaction_timeout_ms).toBe(5000);
  });

  it("an empty transactional_id means no transactions", () => {
    expect(configProblem({ transactional_id: "" })).toBeUndefined();
  });
});

describe("errors never echo secret values", () => {
  it("a JAAS config of the wrong type is named, not printed", () => {
    const problem = configProblem({
      protocol: {
        security_protocol: "SASL_SSL",
        sasl_mechanism: "NOPE",
        sasl_jaas_config: { password: "hunter2" },
      },
    });
    expect(problem).toContain("protocol.sasl_jaas_config");
    expect(problem).not.toContain("hunter2");
  });

  it("a bad value is never quoted in the message", () => {
    expect(configProblem({ client_dns_lookup: "s3cr3t-value" })).not.toContain("s3cr3t-value");
    expect(configProblem({ linger_ms: "s3cr3t-value" })).not.toContain("s3cr3t-value");
  });
});
