import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { SecureBroker } from "../../scripts/kafka/secure.ts";
import { connectionStatus, jsonFile, ofType, recordingRun, traceError } from "../helpers/connector.ts";
import { readTopics, secureTestBroker, uniqueName } from "../helpers/kafka.ts";

let broker: SecureBroker;
/** Every stdout and stderr the connector produced in this file, checked for secrets at the end. */
const outputs: string[] = [];
const run = recordingRun(outputs);

beforeAll(async () => {
  broker = await secureTestBroker();
}, 180_000);

const jaas = (module: string, options: Record<string, string>) =>
  `org.apache.kafka.common.security.${module} required ${Object.entries(options)
    .map(([key, value]) => `${key}="${value}"`)
    .join(" ")};`;
const plainJaas = (username: string, password: string) =>
  jaas("plain.PlainLoginModule", { username, password });
const scramJaas = (username: string, password: string) =>
  jaas("scram.ScramLoginModule", { username, password });
const oauthJaas = (sub: string) =>
  jaas("oauthbearer.OAuthBearerLoginModule", { unsecuredLoginStringClaim_sub: sub });

/** Short timeouts: every failure case must end in seconds. */
const FAST = { retries: 0, max_block_ms: "5000", request_timeout_ms: 4000, delivery_timeout_ms: 8000 };

async function check(
  bootstrap: string,
  protocol: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  const config = { bootstrap_servers: bootstrap, topic_pattern: "x", ...FAST, ...extra, protocol };
  const result = await run(["check", "--config", jsonFile("config.json", config)]);
  return { status: connectionStatus(result.messages), exitCode: result.exitCode };
}

async function writeAndReadBack(bootstrap: string, protocol: Record<string, unknown>) {
  const topic = uniqueName("sec");
  const config = jsonFile("config.json", {
    bootstrap_servers: bootstrap,
    topic_pattern: topic,
    acks: "all",
    protocol,
  });
  const catalog = jsonFile("catalog.json", {
    streams: [{ stream: { name: "s" }, destination_sync_mode: "append" }],
  });
  let input = "";
  for (let i = 0; i < 20; i++)
    input += `{"type":"RECORD","record":{"stream":"s","data":{"i":${i}},"emitted_at":1}}\n`;
  input += '{"type":"STATE","state":{"data":{"done":true}}}\n';
  const result = await run(["write", "--config", config, "--catalog", catalog], input);
  expect(ofType(result.messages, "TRACE")).toEqual([]);
  expect(result.exitCode).toBe(0);
  expect(ofType(result.messages, "STATE")).toHaveLength(1);
  // Read back over the broker's PLAINTEXT listener: what landed, whatever door it came in by.
  const landed = await readTopics(broker.listeners.plaintext, [topic]);
  expect(landed.map((record) => JSON.parse(record.value)._airbyte_data.i)).toEqual([...Array(20).keys()]);
}

describe("every security protocol works end to end: check SUCCEEDED and a write read back", () => {
  const cases: [string, () => [string, Record<string, unknown>]][] = [
    [
      "SASL_PLAINTEXT PLAIN",
      () => [broker.listeners.saslPlaintext, sasl("SASL_PLAINTEXT", "PLAIN", plainJaas(...plain()))],
    ],
    [
      "SASL_PLAINTEXT SCRAM-SHA-256",
      () => [broker.listeners.saslPlaintext, sasl("SASL_PLAINTEXT", "SCRAM-SHA-256", scramJaas(...scram()))],
    ],
    [
      "SASL_PLAINTEXT SCRAM-SHA-512",
      () => [broker.listeners.saslPlaintext, sasl("SASL_PLAINTEXT", "SCRAM-SHA-512", scramJaas(...scram()))],
    ],
    [
      "SASL_PLAINTEXT OAUTHBEARER (unsecured JWT from JAAS)",
      () => [broker.listeners.saslPlaintext, sasl("SASL_PLAINTEXT", "OAUTHBEARER", oauthJaas("svc"))],
    ],
    ["SSL", () => [broker.listeners.ssl, { security_protocol: "SSL", ssl_ca_certificate: broker.pem.ca }]],
    ["SSL with a client certificate (mTLS)", () => [broker.listeners.mtls, mtls()]],
    [
      "SSL mTLS with an encrypted client key",
      () => [
        broker.listeners.mtls,
        {
          ...mtls(),
          ssl_client_key: broker.pem.clientKeyEncrypted,
          ssl_client_key_password: broker.pem.clientKeyPassword,
        },
      ],
    ],
    [
      "SASL_SSL PLAIN",
      () => [
        broker.listeners.saslSsl,
        { ...sasl("SASL_SSL", "PLAIN", plainJaas(...plain())), ssl_ca_certificate: broker.pem.ca },
      ],
    ],
    [
      "SASL_SSL SCRAM-SHA-512",
      () => [
        broker.listeners.saslSsl,
        { ...sasl("SASL_SSL", "SCRAM-SHA-512", scramJaas(...scram())), ssl_ca_certificate: broker.pem.ca },
      ],
    ],
    [
      "SASL_SSL OAUTHBEARER",
      () => [
        broker.listeners.saslSsl,
        { ...sasl("SASL_SSL", "OAUTHBEARER", oauthJaas("svc")), ssl_ca_certificate: broker.pem.ca },
      ],
    ],
  ];

  it.each(cases)(
    "%s",
    async (_label, setup) => {
      const [bootstrap, protocol] = setup();
      const { status, exitCode } = await check(bootstrap, protocol, { test_topic: uniqueName("chk") });
      expect(status.status).toBe("SUCCEEDED");
      expect(status.message).toStartWith("This client may delete records of chk_");
      expect(exitCode).toBe(0);
      await writeAndReadBack(bootstrap, protocol);
    },
    60_000,
  );
});

describe("security failures are clear, fast and non-zero", () => {
  const failures: [string, () => [string, Record<string, unknown>], string][] = [
    [
      "a wrong password",
      () => [
        broker.listeners.saslPlaintext,
        sasl("SASL_PLAINTEXT", "PLAIN", plainJaas(plain()[0], "wrong-Pa55word")),
      ],
      "authentication failed",
    ],
    [
      "an unknown user",
      () => [
        broker.listeners.saslPlaintext,
        sasl("SASL_PLAINTEXT", "SCRAM-SHA-256", scramJaas("nobody", "Nobody-Pa55")),
      ],
      "authentication failed",
    ],
    [
      "a mechanism the listener does not offer",
      () => [broker.listeners.saslScramOnly, sasl("SASL_PLAINTEXT", "PLAIN", plainJaas(...plain()))],
      "does not accept this sasl_mechanism",
    ],
    [
      "an untrusted CA",
      () => [broker.listeners.ssl, { security_protocol: "SSL", ssl_ca_certificate: broker.pem.otherCa }],
      "is not trusted (SELF_SIGNED_CERT_IN_CHAIN): set ssl_ca_certificate",
    ],
    [
      "the runtime's trust store against a private CA",
      () => [broker.listeners.ssl, { security_protocol: "SSL" }],
      "is not trusted",
    ],
    [
      "a host name mismatch",
      () => [broker.listeners.sslWrongHost, { security_protocol: "SSL", ssl_ca_certificate: broker.pem.ca }],
      "host name mismatch",
    ],
    [
      "mTLS without a client certificate",
      () => [broker.listeners.mtls, { security_protocol: "SSL", ssl_ca_certificate: broker.pem.ca }],
      "set ssl_client_certificate and ssl_client_key",
    ],
    [
      "a plaintext client against a TLS listener",
      () => [broker.listeners.ssl, { security_protocol: "PLAINTEXT" }],
      "requires TLS: use security_protocol SSL or SASL_SSL",
    ],
    [
      "a TLS client against a plaintext listener",
      () => [broker.listeners.plaintext, { security_protocol: "SSL", ssl_ca_certificate: broker.pem.ca }],
      "does not speak TLS",
    ],
    [
      "SASL without TLS against SASL_SSL",
      () => [broker.listeners.saslSsl, sasl("SASL_PLAINTEXT", "PLAIN", plainJaas(...plain()))],
      "may require TLS (use SASL_SSL)",
    ],
  ];

  it.each(failures)(
    "check FAILS on %s",
    async (_label, setup, expected) => {
      const [bootstrap, protocol] = setup();
      const started = Date.now();
      const { status, exitCode } = await check(bootstrap, protocol);
      expect(status.status).toBe("FAILED");
      expect(status.message).toContain(expected);
      expect(exitCode).toBe(1);
      expect(Date.now() - started).toBeLessThan(15_000);
    },
    30_000,
  );

  it.each(failures)(
    "write fails with a TRACE on %s",
    async (_label, setup, expected) => {
      const [bootstrap, protocol] = setup();
      const config = jsonFile("config.json", {
        bootstrap_servers: bootstrap,
        topic_pattern: "x",
        ...FAST,
        protocol,
      });
      const catalog = jsonFile("catalog.json", {
        streams: [{ stream: { name: "s" }, destination_sync_mode: "append" }],
      });
      const result = await run(
        ["write", "--config", config, "--catalog", catalog],
        '{"type":"RECORD","record":{"stream":"s","data":{},"emitted_at":1}}\n{"type":"STATE","state":{"data":{}}}\n',
      );
      expect(result.exitCode).toBe(1);
      expect(traceError(result.messages).message).toContain(expected);
      expect(ofType(result.messages, "STATE")).toEqual([]);
    },
    30_000,
  );

  it("an encrypted client key with a wrong password is a config error before connecting", async () => {
    const { status, exitCode } = await check(broker.listeners.mtls, {
      ...mtls(),
      ssl_client_key: broker.pem.clientKeyEncrypted,
      ssl_client_key_password: "not-the-Passphrase",
    });
    expect(status.message).toContain("ssl_client_key_password does not decrypt it");
    expect(exitCode).toBe(1);
  });

  it("GSSAPI is refused with a clear explanation", async () => {
    const { status } = await check(
      broker.listeners.saslPlaintext,
      sasl("SASL_PLAINTEXT", "GSSAPI", "x required;"),
    );
    expect(status.message).toContain("GSSAPI (Kerberos) is not supported");
  });
});

afterAll(() => {
  // No password, token, private key or JAAS string may appear in anything the connector wrote.
  const everything = outputs.join("\n");
  const secrets = [
    broker.users.plain.password,
    broker.users.scram.password,
    "wrong-Pa55word",
    "Nobody-Pa55",
    "not-the-Passphrase",
    broker.pem.clientKeyPassword,
    "PRIVATE KEY",
    "LoginModule required",
  ];
  for (const secret of secrets) expect(everything).not.toContain(secret);
});

// --- helpers ---

function plain(): [string, string] {
  return [broker.users.plain.username, broker.users.plain.password];
}

function scram(): [string, string] {
  return [broker.users.scram.username, broker.users.scram.password];
}

function sasl(securityProtocol: string, mechanism: string, jaasConfig: string): Record<string, unknown> {
  return { security_protocol: securityProtocol, sasl_mechanism: mechanism, sasl_jaas_config: jaasConfig };
}

function mtls(): Record<string, unknown> {
  return {
    security_protocol: "SSL",
    ssl_ca_certificate: broker.pem.ca,
    ssl_client_certificate: broker.pem.clientCert,
    ssl_client_key: broker.pem.clientKey,
  };
}
