import { describe, expect, it } from "bun:test";
import { secretValues } from "../../src/config/redact.ts";
import { capturedEmitter } from "../helpers/fakes.ts";

const raw = {
  bootstrap_servers: "k:9092",
  topic_pattern: "t",
  client_id: "not-a-secret",
  protocol: {
    security_protocol: "SASL_SSL",
    sasl_mechanism: "PLAIN",
    sasl_jaas_config:
      'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="pa55-word";',
    ssl_client_key: "-----BEGIN PRIVATE KEY-----\nMIIkey\n-----END PRIVATE KEY-----",
    ssl_client_key_password: "key-pass",
    oauth_token: "tok-123",
    oauth_client_id: "client-not-secret",
    oauth_client_secret: "client-s3cret",
  },
};

describe("secretValues", () => {
  it("finds every field the spec marks airbyte_secret, and the password inside the JAAS string", () => {
    const secrets = secretValues(raw);
    expect(secrets).toContain(raw.protocol.sasl_jaas_config);
    expect(secrets).toContain("pa55-word");
    expect(secrets).toContain(raw.protocol.ssl_client_key);
    expect(secrets).toContain("key-pass");
    expect(secrets).toContain("tok-123");
    expect(secrets).toContain("client-s3cret");
    expect(secrets).not.toContain("client-not-secret");
    expect(secrets).not.toContain("alice");
    expect(secrets).not.toContain("not-a-secret");
  });

  it("copes with configs that are not valid", () => {
    expect(secretValues({ protocol: { sasl_jaas_config: 'x required password="unclosed' } })).toEqual([
      'x required password="unclosed',
    ]);
    expect(secretValues(null)).toEqual([]);
  });
});

describe("the emitter blanks secrets out of everything it writes", () => {
  it("in plain and JSON-escaped form", async () => {
    const { emit, lines } = capturedEmitter();
    emit.redact(secretValues(raw));
    await emit.log("ERROR", `failed with ${raw.protocol.sasl_jaas_config} and pa55-word and tok-123`);
    const written = lines.join("\n");
    expect(written).not.toContain("pa55-word");
    expect(written).not.toContain("tok-123");
    expect(written).not.toContain("PlainLoginModule required");
    expect(written).toContain("**********");
    expect(JSON.parse(lines[0] ?? "").type).toBe("LOG");
  });
});
