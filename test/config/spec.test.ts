import { describe, expect, it } from "bun:test";
import { specMessage } from "../../src/config/spec.ts";

const spec = specMessage().spec;
const schema = spec.connectionSpecification as {
  required: string[];
  properties: Record<string, Record<string, unknown>>;
};
const properties = schema.properties;

describe("spec", () => {
  it("declares incremental support, append and overwrite", () => {
    expect(spec.supportsIncremental).toBe(true);
    expect(spec.supported_destination_sync_modes).toEqual(["append", "overwrite"]);
  });

  it("requires exactly bootstrap_servers and topic_pattern", () => {
    expect([...schema.required].sort()).toEqual(["bootstrap_servers", "topic_pattern"]);
  });

  // The reference table of REFERENCE.md: name, JSON type, default.
  it.each([
    ["bootstrap_servers", "string", undefined],
    ["topic_pattern", "string", undefined],
    ["test_topic", "string", undefined],
    ["sync_producer", "boolean", false],
    ["client_id", "string", "airbyte-producer"],
    ["acks", "string", "1"],
    ["enable_idempotence", "boolean", false],
    ["compression_type", "string", "none"],
    ["batch_size", "integer", 16384],
    ["linger_ms", "string", "0"],
    ["max_in_flight_requests_per_connection", "integer", 5],
    ["client_dns_lookup", "string", "use_all_dns_ips"],
    ["buffer_memory", "string", "33554432"],
    ["max_request_size", "integer", 1048576],
    ["retries", "integer", 2147483647],
    ["socket_connection_setup_timeout_ms", "string", "10000"],
    ["socket_connection_setup_timeout_max_ms", "string", "30000"],
    ["max_block_ms", "string", "60000"],
    ["request_timeout_ms", "integer", 30000],
    ["delivery_timeout_ms", "integer", 120000],
    ["send_buffer_bytes", "integer", 131072],
    ["receive_buffer_bytes", "integer", 32768],
    ["transactional_id", "string", undefined],
    ["transaction_timeout_ms", "integer", 60000],
  ])("%s is a %s defaulting to %p", (name, type, fallback) => {
    const property = properties[name];
    expect(property?.type).toBe(type);
    expect(property?.default).toEqual(fallback);
    expect(typeof property?.title).toBe("string");
  });

  it("lists the reference enums", () => {
    expect(properties.acks?.enum).toEqual(["0", "1", "all"]);
    expect(properties.compression_type?.enum).toEqual(["none", "gzip", "snappy", "lz4", "zstd"]);
    expect(properties.client_dns_lookup?.enum).toEqual([
      "default",
      "use_all_dns_ips",
      "resolve_canonical_bootstrap_servers_only",
    ]);
  });

  it("offers protocol as a oneOf of PLAINTEXT, SASL_PLAINTEXT, SASL_SSL and SSL", () => {
    const options = properties.protocol?.oneOf as { properties: Record<string, Record<string, unknown>> }[];
    expect(options.map((option) => option.properties.security_protocol?.default)).toEqual([
      "PLAINTEXT",
      "SASL_PLAINTEXT",
      "SASL_SSL",
      "SSL",
    ]);
    expect(properties.protocol?.default).toEqual({ security_protocol: "PLAINTEXT" });
    for (const option of options.slice(1, 3)) {
      expect(option.properties.sasl_mechanism?.enum).toEqual([
        "PLAIN",
        "SCRAM-SHA-256",
        "SCRAM-SHA-512",
        "OAUTHBEARER",
        "GSSAPI",
      ]);
      expect(option.properties.sasl_jaas_config?.airbyte_secret).toBe(true);
      expect(option.properties.oauth_token?.airbyte_secret).toBe(true);
      expect(option.properties.oauth_client_secret?.airbyte_secret).toBe(true);
      for (const field of [
        "oauth_token_endpoint_url",
        "oauth_client_id",
        "oauth_scope",
        "oauth_ca_certificate",
      ])
        expect(option.properties[field]?.airbyte_secret).toBeUndefined();
    }
    for (const option of options.slice(2)) {
      expect(option.properties.ssl_client_key?.airbyte_secret).toBe(true);
      expect(option.properties.ssl_client_key_password?.airbyte_secret).toBe(true);
      expect(option.properties.ssl_ca_certificate?.airbyte_secret).toBeUndefined();
      expect(option.properties.ssl_endpoint_identification?.default).toBe(true);
    }
  });

  it("has no field that may be null in the UI (null means default only in configs)", () => {
    expect(JSON.stringify(spec)).not.toContain('"null"');
  });

  it("numbers every field's order as it stands in the schema source, in every object", () => {
    const orders: { at: string; orders: number[] }[] = [];
    const walk = (node: unknown, at: string) => {
      if (typeof node !== "object" || node === null) return;
      const { properties: inner } = node as { properties?: Record<string, { order?: number }> };
      if (inner) {
        const numbered = Object.values(inner).flatMap((field) =>
          field.order === undefined ? [] : [field.order],
        );
        orders.push({ at, orders: numbered });
      }
      for (const [key, value] of Object.entries(node)) walk(value, `${at}.${key}`);
    };
    walk(schema, "spec");
    expect(orders.length).toBeGreaterThanOrEqual(7); // the config, 4 protocols, create_topics, schema_registry
    for (const { at, orders: numbered } of orders) {
      expect({ at, orders: numbered }).toEqual({ at, orders: [...numbered].sort((a, b) => a - b) });
      expect(new Set(numbered).size).toBe(numbered.length);
    }
    expect(orders[0]?.orders.length).toBe(Object.keys(properties).length);
  });
});
