/**
 * The secured broker of the harness (scripts/kafka/secure.ts), exercised with
 * @platformatic/kafka: every listener and SASL mechanism round-trips a message,
 * and every misconfiguration a user can make fails fast with a pinned error
 * chain (class, code, message), which is what the connector maps to messages.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import {
  type ConnectionOptions,
  Consumer,
  Producer,
  saslOAuthBearer,
  stringDeserializers,
  stringSerializers,
} from "@platformatic/kafka";
import { listenerSecurityProperties, storageFormatArguments } from "../../scripts/kafka/properties.ts";
import { ensureSecureBroker, type SecureBroker, unsecuredJwt } from "../../scripts/kafka/secure.ts";

type Security = Pick<ConnectionOptions, "tls" | "sasl">;

/** One link of an error's cause chain, as the connector would see it. */
interface Link {
  name: string;
  code?: string;
  apiId?: string;
  message: string;
}

const START_TIMEOUT_MS = 120_000;
const ROUND_TRIP_TIMEOUT_MS = 30_000;
/** Client `timeout` / `connectTimeout` for the failure cases. */
const CLIENT_TIMEOUT_MS = 4_000;
/** Every failure must surface within this (client timeout plus slack). */
const FAILURE_BOUND_MS = 6_000;
const FAILURE_TEST_TIMEOUT_MS = 15_000;

let broker: SecureBroker;

beforeAll(async () => {
  broker = await ensureSecureBroker();
}, START_TIMEOUT_MS);

describe("the secure broker", () => {
  test("is reused while it runs with the same material", async () => {
    const started = Date.now();
    const again = await ensureSecureBroker();
    expect(again.listeners).toEqual(broker.listeners);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test("serves every listener on loopback with its own port", () => {
    const addresses = Object.values(broker.listeners);
    expect(addresses).toHaveLength(7);
    for (const address of addresses) expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(new Set(addresses).size).toBe(addresses.length);
    expect(broker.pem.ca).toContain("BEGIN CERTIFICATE");
    expect(broker.pem.clientKey).toContain("BEGIN PRIVATE KEY");
    expect(broker.pem.clientKeyEncrypted).toContain("BEGIN ENCRYPTED PRIVATE KEY");
  });
});

describe("round trip (produce one message, read it back) over", () => {
  const saslCases: [string, (b: SecureBroker) => Security["sasl"]][] = [
    ["PLAIN", (b) => ({ mechanism: "PLAIN", ...b.users.plain })],
    ["SCRAM-SHA-256", (b) => ({ mechanism: "SCRAM-SHA-256", ...b.users.scram })],
    ["SCRAM-SHA-512", (b) => ({ mechanism: "SCRAM-SHA-512", ...b.users.scram })],
    [
      "OAUTHBEARER",
      () => ({
        mechanism: "OAUTHBEARER",
        token: unsecuredJwt({ sub: "oauth-client", scope: "kafka" }),
        authBytesValidator: saslOAuthBearer.jwtValidateAuthenticationBytes,
      }),
    ],
  ];

  for (const [mechanism, sasl] of saslCases) {
    test(
      `SASL_PLAINTEXT with ${mechanism}`,
      () => expectRoundTrip(broker.listeners.saslPlaintext, { sasl: sasl(broker) }),
      ROUND_TRIP_TIMEOUT_MS,
    );
    test(
      `SASL_SSL with ${mechanism}`,
      () => expectRoundTrip(broker.listeners.saslSsl, { sasl: sasl(broker), tls: { ca: broker.pem.ca } }),
      ROUND_TRIP_TIMEOUT_MS,
    );
  }

  test(
    "SASL_PLAINTEXT with SCRAM-SHA-512 on the SCRAM-only listener",
    () =>
      expectRoundTrip(broker.listeners.saslScramOnly, {
        sasl: { mechanism: "SCRAM-SHA-512", ...broker.users.scram },
      }),
    ROUND_TRIP_TIMEOUT_MS,
  );

  test(
    "SSL trusting the harness CA",
    () => expectRoundTrip(broker.listeners.ssl, { tls: { ca: broker.pem.ca } }),
    ROUND_TRIP_TIMEOUT_MS,
  );

  test(
    "SSL with servername localhost",
    () => expectRoundTrip(broker.listeners.ssl, { tls: { ca: broker.pem.ca, servername: "localhost" } }),
    ROUND_TRIP_TIMEOUT_MS,
  );

  test(
    "SSL to the wrong-host listener when the client asks for that host name",
    () =>
      expectRoundTrip(broker.listeners.sslWrongHost, {
        tls: { ca: broker.pem.ca, servername: "wrong.example" },
      }),
    ROUND_TRIP_TIMEOUT_MS,
  );

  test(
    "mTLS with the client certificate",
    () =>
      expectRoundTrip(broker.listeners.mtls, {
        tls: { ca: broker.pem.ca, cert: broker.pem.clientCert, key: broker.pem.clientKey },
      }),
    ROUND_TRIP_TIMEOUT_MS,
  );

  test(
    "mTLS with the encrypted client key and its passphrase",
    () =>
      expectRoundTrip(broker.listeners.mtls, {
        tls: {
          ca: broker.pem.ca,
          cert: broker.pem.clientCert,
          key: broker.pem.clientKeyEncrypted,
          passphrase: broker.pem.clientKeyPassword,
        },
      }),
    ROUND_TRIP_TIMEOUT_MS,
  );
});

/** The chain every failed connection attempt is wrapped in (retries: 0). */
const connectionFailed = (address: string): Link[] => [
  { name: "MultipleErrors", code: "PLT_KFK_MULTIPLE", message: "Cannot connect to any broker." },
  { name: "NetworkError", code: "PLT_KFK_NETWORK", message: `Connection to ${address} failed.` },
];

const saslAuthenticationFailed: Link[] = [
  { name: "AuthenticationError", code: "PLT_KFK_AUTHENTICATION", message: "SASL authentication failed." },
  {
    name: "ResponseError",
    code: "PLT_KFK_RESPONSE",
    message: "Received response with error while executing API SaslAuthenticate(v2)",
  },
  {
    name: "ProtocolError",
    code: "PLT_KFK_PROTOCOL",
    apiId: "SASL_AUTHENTICATION_FAILED",
    message: "SASL authentication failed.",
  },
];

const mechanismNotEnabled: Link[] = [
  {
    name: "AuthenticationError",
    code: "PLT_KFK_AUTHENTICATION",
    message: "Cannot find a suitable SASL mechanism.",
  },
  {
    name: "ResponseError",
    code: "PLT_KFK_RESPONSE",
    message: "Received response with error while executing API SaslHandshake(v1)",
  },
  {
    name: "ProtocolError",
    code: "PLT_KFK_PROTOCOL",
    apiId: "UNSUPPORTED_SASL_MECHANISM",
    message: "The broker does not support the requested SASL mechanism.",
  },
];

describe("failures are fast and recognisable:", () => {
  const failureTest = (name: string, run: () => Promise<void>): void => {
    test(name, run, FAILURE_TEST_TIMEOUT_MS);
  };

  for (const mechanism of ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const) {
    const user = (b: SecureBroker) => (mechanism === "PLAIN" ? b.users.plain : b.users.scram);
    failureTest(`${mechanism} with a wrong password`, async () => {
      const address = broker.listeners.saslPlaintext;
      const sasl = { mechanism, username: user(broker).username, password: "wrong-password" };
      expect(await failureOf(address, { sasl })).toEqual([
        ...connectionFailed(address),
        ...saslAuthenticationFailed,
      ]);
    });
    failureTest(`${mechanism} with an unknown user`, async () => {
      const address = broker.listeners.saslPlaintext;
      const sasl = { mechanism, username: "nobody", password: user(broker).password };
      expect(await failureOf(address, { sasl })).toEqual([
        ...connectionFailed(address),
        ...saslAuthenticationFailed,
      ]);
    });
  }

  failureTest("SASL_SSL with a wrong password (same chain as without TLS)", async () => {
    const address = broker.listeners.saslSsl;
    const sasl = {
      mechanism: "SCRAM-SHA-512" as const,
      username: broker.users.scram.username,
      password: "x",
    };
    expect(await failureOf(address, { sasl, tls: { ca: broker.pem.ca } })).toEqual([
      ...connectionFailed(address),
      ...saslAuthenticationFailed,
    ]);
  });

  for (const mechanism of ["PLAIN", "OAUTHBEARER"] as const) {
    failureTest(`${mechanism} on a listener that enables only SCRAM`, async () => {
      const address = broker.listeners.saslScramOnly;
      const sasl =
        mechanism === "PLAIN"
          ? { mechanism, ...broker.users.plain }
          : { mechanism, token: unsecuredJwt({ sub: "oauth-client" }) };
      expect(await failureOf(address, { sasl })).toEqual([
        ...connectionFailed(address),
        ...mechanismNotEnabled,
      ]);
    });
  }

  failureTest("GSSAPI, which no listener enables", async () => {
    const address = broker.listeners.saslPlaintext;
    const sasl = { mechanism: "GSSAPI" as const, username: "someone", password: "x" };
    expect(await failureOf(address, { sasl })).toEqual([
      ...connectionFailed(address),
      ...mechanismNotEnabled,
    ]);
  });

  failureTest("OAUTHBEARER with an expired token (with pk's authBytesValidator)", async () => {
    const address = broker.listeners.saslPlaintext;
    const token = unsecuredJwt({ sub: "oauth-client", lifetimeSeconds: 60 }, Date.now() - 3_600_000);
    const sasl = {
      mechanism: "OAUTHBEARER" as const,
      token,
      authBytesValidator: saslOAuthBearer.jwtValidateAuthenticationBytes,
    };
    expect(await failureOf(address, { sasl })).toEqual([
      ...connectionFailed(address),
      { name: "AuthenticationError", code: "PLT_KFK_AUTHENTICATION", message: "SASL authentication failed." },
      {
        name: "AuthenticationError",
        code: "PLT_KFK_AUTHENTICATION",
        message: "Invalid SASL/OAUTHBEARER token.",
      },
    ]);
  });

  failureTest(
    "OAUTHBEARER with a rejected token and no authBytesValidator: the next request fails",
    async () => {
      // Without a validator pk takes the broker's {"status":"invalid_token"} challenge for success and
      // sends ApiVersions, which the broker refuses mid-authentication.
      const address = broker.listeners.saslPlaintext;
      const sasl = { mechanism: "OAUTHBEARER" as const, token: "not-a-jwt" };
      expect(await failureOf(address, { sasl })).toEqual([
        {
          name: "ResponseError",
          code: "PLT_KFK_RESPONSE",
          message: "Received response with error while executing API ApiVersions(v3)",
        },
        {
          name: "ProtocolError",
          code: "PLT_KFK_PROTOCOL",
          apiId: "ILLEGAL_SASL_STATE",
          message: "Request is not valid given the current SASL state.",
        },
      ]);
    },
  );

  failureTest("OAUTHBEARER: Kafka 4.1.1 refuses unsecured JWT segments with '-' or '_'", async () => {
    // OAuthBearerUnsecuredJws decodes with java.util.Base64.getDecoder(), not the URL decoder.
    const address = broker.listeners.saslPlaintext;
    const header = Buffer.from('{"alg":"none"}').toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    const payload = Buffer.from(JSON.stringify({ sub: "a??>", iat: now, exp: now + 600 })).toString(
      "base64url",
    );
    expect(payload).toMatch(/[-_]/);
    const sasl = {
      mechanism: "OAUTHBEARER" as const,
      token: `${header}.${payload}.`,
      authBytesValidator: saslOAuthBearer.jwtValidateAuthenticationBytes,
    };
    const chain = await failureOf(address, { sasl });
    expect(chain.at(-1)).toEqual({
      name: "AuthenticationError",
      code: "PLT_KFK_AUTHENTICATION",
      message: "Invalid SASL/OAUTHBEARER token.",
    });
  });

  failureTest("SSL when the client trusts another CA", async () => {
    const address = broker.listeners.ssl;
    expect(await failureOf(address, { tls: { ca: broker.pem.otherCa } })).toEqual([
      ...connectionFailed(address),
      {
        name: "Error",
        code: "SELF_SIGNED_CERT_IN_CHAIN",
        message: "self signed certificate in certificate chain",
      },
    ]);
  });

  failureTest("SSL when the client trusts only the system CAs", async () => {
    const address = broker.listeners.ssl;
    expect(await failureOf(address, { tls: {} })).toEqual([
      ...connectionFailed(address),
      {
        name: "Error",
        code: "SELF_SIGNED_CERT_IN_CHAIN",
        message: "self signed certificate in certificate chain",
      },
    ]);
  });

  failureTest("SSL hostname mismatch (certificate for wrong.example, client dials 127.0.0.1)", async () => {
    const address = broker.listeners.sslWrongHost;
    expect(await failureOf(address, { tls: { ca: broker.pem.ca } })).toEqual([
      ...connectionFailed(address),
      {
        name: "Error",
        code: "ERR_TLS_CERT_ALTNAME_INVALID",
        message:
          "Hostname/IP does not match certificate's altnames: IP: 127.0.0.1 is not in the cert's list: ",
      },
    ]);
  });

  failureTest("SSL hostname mismatch with servername localhost", async () => {
    const address = broker.listeners.sslWrongHost;
    expect(await failureOf(address, { tls: { ca: broker.pem.ca, servername: "localhost" } })).toEqual([
      ...connectionFailed(address),
      {
        name: "Error",
        code: "ERR_TLS_CERT_ALTNAME_INVALID",
        message:
          "Hostname/IP does not match certificate's altnames: Host: localhost. is not in the cert's altnames: DNS:wrong.example",
      },
    ]);
  });

  failureTest("an IP address as TLS servername: send() throws synchronously, before connecting", async () => {
    const address = broker.listeners.ssl;
    const chain = await synchronousFailureOf(address, {
      tls: { ca: broker.pem.ca, servername: "127.0.0.1" },
    });
    expect(chain).toHaveLength(1);
    expect(chain[0]).toMatchObject({ name: "TypeError", code: "ERR_INVALID_ARG_VALUE" });
    expect(chain[0]?.message).toContain("Setting the TLS ServerName to an IP address is not permitted");
  });

  failureTest("mTLS without a client certificate", async () => {
    const address = broker.listeners.mtls;
    expect(await failureOf(address, { tls: { ca: broker.pem.ca } })).toEqual([
      { name: "NetworkError", code: "PLT_KFK_NETWORK", message: "Connection closed" },
    ]);
  });

  failureTest("mTLS with the encrypted key and a wrong passphrase: send() throws synchronously", async () => {
    const address = broker.listeners.mtls;
    const tls = {
      ca: broker.pem.ca,
      cert: broker.pem.clientCert,
      key: broker.pem.clientKeyEncrypted,
      passphrase: "wrong-passphrase",
    };
    const chain = await synchronousFailureOf(address, { tls });
    expect(chain).toHaveLength(1);
    expect(chain[0]).toMatchObject({ name: "Error", code: "ERR_OSSL_BAD_DECRYPT" });
    expect(chain[0]?.message).toContain("BAD_DECRYPT");
  });

  failureTest("a plaintext client against an SSL listener", async () => {
    expect(await failureOf(broker.listeners.ssl, {})).toEqual([
      { name: "UserError", code: "PLT_KFK_USER", message: "Broker requires TLS." },
    ]);
  });

  failureTest("a SASL client without TLS against the SASL_SSL listener", async () => {
    const address = broker.listeners.saslSsl;
    expect(await failureOf(address, { sasl: { mechanism: "PLAIN", ...broker.users.plain } })).toEqual([
      ...connectionFailed(address),
      {
        name: "AuthenticationError",
        code: "PLT_KFK_AUTHENTICATION",
        message: "Cannot find a suitable SASL mechanism.",
      },
      { name: "NetworkError", code: "PLT_KFK_NETWORK", message: "Connection closed" },
    ]);
  });

  failureTest("a TLS client against the PLAINTEXT listener", async () => {
    const address = broker.listeners.plaintext;
    expect(await failureOf(address, { tls: { ca: broker.pem.ca } })).toEqual([
      ...connectionFailed(address),
      {
        name: "UserError",
        code: "PLT_KFK_USER",
        message: "TLS handshake failed. Please verify the broker supports TLS.",
      },
      {
        name: "Error",
        code: "ECONNRESET",
        message: "Client network socket disconnected before secure TLS connection was established",
      },
    ]);
  });

  failureTest("a client without SASL against a SASL listener", async () => {
    expect(await failureOf(broker.listeners.saslPlaintext, {})).toEqual([
      { name: "NetworkError", code: "PLT_KFK_NETWORK", message: "Connection closed" },
    ]);
  });
});

describe("listener properties (pure)", () => {
  test("a SASL_SSL listener gets per-listener mechanisms, JAAS configs and a PEM keystore", () => {
    const props = listenerSecurityProperties({
      name: "SASL_SSL",
      protocol: "SASL_SSL",
      port: 1,
      sasl: { mechanisms: ["PLAIN", "SCRAM-SHA-256", "OAUTHBEARER"], plainUsers: { alice: 'p"w' } },
      tls: { keystoreFile: "/k.pem", clientAuth: "none" },
    });
    expect(props).toEqual({
      "listener.name.sasl_ssl.sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256,OAUTHBEARER",
      "listener.name.sasl_ssl.plain.sasl.jaas.config":
        'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="p\\"w";',
      "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config":
        "org.apache.kafka.common.security.scram.ScramLoginModule required;",
      "listener.name.sasl_ssl.oauthbearer.sasl.jaas.config":
        'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="broker";',
      "listener.name.sasl_ssl.ssl.keystore.type": "PEM",
      "listener.name.sasl_ssl.ssl.keystore.location": "/k.pem",
      "listener.name.sasl_ssl.ssl.client.auth": "none",
    });
  });

  test("OAUTHBEARER with JWT validation: KIP-768's validator, the JWKS, issuer, audience and skew", () => {
    const jwtValidation = { jwksUrl: "http://127.0.0.1:1/jwks", issuer: "http://idp", audience: "kafka" };
    const props = listenerSecurityProperties({
      name: "SASL_OIDC",
      protocol: "SASL_PLAINTEXT",
      port: 1,
      sasl: { mechanisms: ["OAUTHBEARER"], jwtValidation: { ...jwtValidation, clockSkewSeconds: 0 } },
    });
    expect(props).toMatchObject({
      "listener.name.sasl_oidc.oauthbearer.sasl.server.callback.handler.class":
        "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler",
      "listener.name.sasl_oidc.oauthbearer.sasl.oauthbearer.jwks.endpoint.url": "http://127.0.0.1:1/jwks",
      "listener.name.sasl_oidc.oauthbearer.sasl.oauthbearer.expected.issuer": "http://idp",
      "listener.name.sasl_oidc.oauthbearer.sasl.oauthbearer.expected.audience": "kafka",
      "listener.name.sasl_oidc.oauthbearer.sasl.oauthbearer.clock.skew.seconds": "0",
    });
    expect(() =>
      listenerSecurityProperties({
        name: "P",
        protocol: "SASL_PLAINTEXT",
        port: 1,
        sasl: { mechanisms: ["PLAIN"], plainUsers: { a: "b" }, jwtValidation },
      }),
    ).toThrow("JWT validation needs OAUTHBEARER");
  });

  test("an mTLS listener needs a truststore; settings must fit the protocol", () => {
    const tls = { keystoreFile: "/k.pem", clientAuth: "required" } as const;
    expect(() => listenerSecurityProperties({ name: "M", protocol: "SSL", port: 1, tls })).toThrow(
      "needs a truststore",
    );
    expect(() => listenerSecurityProperties({ name: "S", protocol: "SSL", port: 1 })).toThrow(
      "TLS settings are required",
    );
    expect(() =>
      listenerSecurityProperties({
        name: "P",
        protocol: "PLAINTEXT",
        port: 1,
        sasl: { mechanisms: ["PLAIN"] },
      }),
    ).toThrow("SASL settings are not allowed");
    expect(listenerSecurityProperties({ name: "PLAINTEXT", protocol: "PLAINTEXT", port: 1 })).toEqual({});
  });

  test("SCRAM users become StorageTool --add-scram arguments", () => {
    const cluster = {
      clusterId: "x",
      nodes: [],
      scramCredentials: [{ mechanism: "SCRAM-SHA-512" as const, username: "bob", password: "s3cret" }],
    };
    expect(storageFormatArguments(cluster)).toEqual([
      "--add-scram",
      "SCRAM-SHA-512=[name=bob,password=s3cret]",
    ]);
    cluster.scramCredentials[0] = { mechanism: "SCRAM-SHA-512", username: "bob", password: "a,b" };
    expect(() => storageFormatArguments(cluster)).toThrow("must match");
  });
});

// --- internal ---

function clientOptions(address: string, security: Security, timeoutMs: number) {
  return {
    clientId: "harness-secure-test",
    bootstrapBrokers: [address],
    connectTimeout: timeoutMs,
    timeout: timeoutMs,
    ...security,
  };
}

/** Produces one message to a new topic over `address`, then reads it back over the same listener. */
async function expectRoundTrip(address: string, security: Security): Promise<void> {
  const topic = `secure-${randomUUID()}`;
  const value = `hello ${topic}`;
  const producer = new Producer({
    ...clientOptions(address, security, 10_000),
    serializers: stringSerializers,
    autocreateTopics: true,
    retries: 3,
    retryDelay: 250,
  });
  const consumer = new Consumer({
    ...clientOptions(address, security, 10_000),
    groupId: `secure-${randomUUID()}`,
    deserializers: stringDeserializers,
    retries: 3,
    retryDelay: 250,
  });
  try {
    const sent = await producer.send({ messages: [{ topic, key: "k", value }] });
    expect(sent.offsets?.[0]?.offset).toBe(0n);
    const stream = await consumer.consume({ topics: [topic], mode: "earliest", maxWaitTime: 200 });
    try {
      const first = await within(20_000, `read back from ${topic}`, async () => {
        for await (const message of stream) return message.value;
        return undefined;
      });
      expect(first).toBe(value);
    } finally {
      await stream.close();
    }
  } finally {
    await Promise.allSettled([producer.close(), consumer.close(true)]);
  }
}

/**
 * Sends one message with `retries: 0` and short timeouts, asserts that it fails
 * within FAILURE_BOUND_MS, and returns the error's cause chain.
 */
async function failureOf(address: string, security: Security): Promise<Link[]> {
  const producer = new Producer({
    ...clientOptions(address, security, CLIENT_TIMEOUT_MS),
    serializers: stringSerializers,
    autocreateTopics: true,
    retries: 0,
  });
  const started = Date.now();
  try {
    const outcome = await within(FAILURE_BOUND_MS, `a failure on ${address}`, () =>
      producer.send({ messages: [{ topic: `secure-fail-${randomUUID()}`, value: "x" }] }).then(
        () => null,
        (error: unknown) => error,
      ),
    );
    if (outcome === null) throw new Error(`sending over ${address} unexpectedly succeeded`);
    expect(Date.now() - started).toBeLessThan(FAILURE_BOUND_MS);
    return causeChain(outcome);
  } finally {
    await within(5_000, "producer close", () => producer.close()).catch(() => undefined);
  }
}

/**
 * For options node:tls refuses while building the socket: pk's `send()` then
 * throws synchronously instead of returning a rejected promise (seen with
 * @platformatic/kafka 2.12.1 on Bun). Returns the thrown error's chain.
 */
async function synchronousFailureOf(address: string, security: Security): Promise<Link[]> {
  const producer = new Producer({
    ...clientOptions(address, security, CLIENT_TIMEOUT_MS),
    serializers: stringSerializers,
    retries: 0,
  });
  try {
    let thrown: unknown = null;
    try {
      const pending = producer.send({ messages: [{ topic: `secure-fail-${randomUUID()}`, value: "x" }] });
      await within(FAILURE_BOUND_MS, `a failure on ${address}`, () => pending).catch(() => undefined);
    } catch (error) {
      thrown = error;
    }
    if (thrown === null) throw new Error(`send() over ${address} did not throw synchronously`);
    return causeChain(thrown);
  } finally {
    await within(5_000, "producer close", () => producer.close()).catch(() => undefined);
  }
}

/** The error and its causes, outermost first; a MultipleErrors contributes its only error. */
function causeChain(error: unknown): Link[] {
  const chain: Link[] = [];
  let current: unknown = error;
  while (current instanceof Error && chain.length < 10) {
    const e = current as Error & { code?: unknown; apiId?: unknown; errors?: unknown };
    chain.push({
      name: e.constructor.name,
      ...(typeof e.code === "string" ? { code: e.code } : {}),
      ...(typeof e.apiId === "string" ? { apiId: e.apiId } : {}),
      message: e.message,
    });
    if (Array.isArray(e.errors)) {
      if (e.errors.length !== 1) throw new Error(`expected one inner error, got ${e.errors.length}`);
      current = e.errors[0];
    } else {
      current = e.cause;
    }
  }
  return chain;
}

async function within<T>(ms: number, what: string, work: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no outcome within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
