import { describe, expect, it } from "bun:test";
import type { ProtocolConfig } from "../../src/config/schema.ts";
import { closedConnectionHint, toSecurityOptions } from "../../src/kafka/security.ts";
import { configProblem, configWith } from "../helpers/config.ts";

const protocolOf = (protocol: Record<string, unknown>): ProtocolConfig => configWith({ protocol }).protocol;
const jaas = (module: string, options: string) =>
  `org.apache.kafka.common.security.${module} required ${options};`;
const PLAIN = (options: string) => jaas("plain.PlainLoginModule", options);
const SCRAM = (options: string) => jaas("scram.ScramLoginModule", options);
const OAUTH = (options: string) => jaas("oauthbearer.OAuthBearerLoginModule", options);

const decode = (part: string | undefined) => JSON.parse(Buffer.from(part ?? "", "base64url").toString());

describe("SASL options from the Java connector's JAAS configs", () => {
  it.each([
    ["PLAIN", PLAIN('username="alice" password="pw-1"')],
    ["SCRAM-SHA-256", SCRAM('username="alice" password="pw-1"')],
    ["SCRAM-SHA-512", SCRAM('username="alice" password="pw-1"')],
  ])("%s takes username and password from the JAAS string", (mechanism, jaasConfig) => {
    const { sasl, tls } = toSecurityOptions(
      protocolOf({
        security_protocol: "SASL_PLAINTEXT",
        sasl_mechanism: mechanism,
        sasl_jaas_config: jaasConfig,
      }),
    );
    expect(sasl).toEqual({ mechanism: mechanism as "PLAIN", username: "alice", password: "pw-1" });
    expect(tls).toBeUndefined();
  });

  it("SASL_SSL adds TLS with the runtime's trust store when no CA is given", () => {
    const { sasl, tls, warnings } = toSecurityOptions(
      protocolOf({
        security_protocol: "SASL_SSL",
        sasl_mechanism: "PLAIN",
        sasl_jaas_config: PLAIN('username="a" password="b"'),
      }),
    );
    expect(sasl?.mechanism).toBe("PLAIN");
    expect(tls).toEqual({});
    expect(warnings).toEqual([]);
  });

  it("OAUTHBEARER builds Kafka's unsecured JWT from the JAAS options, fresh for every login", () => {
    let now = 1_700_000_000_000;
    const { sasl } = toSecurityOptions(
      protocolOf({
        security_protocol: "SASL_PLAINTEXT",
        sasl_mechanism: "OAUTHBEARER",
        sasl_jaas_config: OAUTH(
          'unsecuredLoginStringClaim_sub="svc" unsecuredLoginListClaim_scope=",read,write" unsecuredLoginNumberClaim_n="7" unsecuredLoginLifetimeSeconds="60" unsecuredLoginExtension_traceId="abc"',
        ),
      }),
      () => now,
    );
    expect(sasl?.oauthBearerExtensions).toEqual({ traceId: "abc" });
    const provider = sasl?.token as () => string;
    const [header, payload, signature] = provider().split(".");
    expect(decode(header)).toEqual({ alg: "none" });
    const { jti, ...claims } = decode(payload);
    expect(claims).toEqual({
      sub: "svc",
      scope: ["read", "write"],
      n: 7,
      iat: 1_700_000_000,
      exp: 1_700_000_060,
    });
    expect(typeof jti).toBe("string");
    expect(signature).toBe("");
    // Kafka 4.1 decodes unsecured tokens with the standard Base64 alphabet: no '-' or '_' may appear.
    expect(provider()).not.toMatch(/[-_]/);
    expect(sasl?.authBytesValidator).toBeFunction();
    now += 30_000;
    expect(decode(provider().split(".")[1]).iat).toBe(1_700_000_030);
  });

  it("OAUTHBEARER with a token endpoint asks a provider for each login", () => {
    const { sasl } = toSecurityOptions(
      protocolOf({
        security_protocol: "SASL_SSL",
        sasl_mechanism: "OAUTHBEARER",
        oauth_token_endpoint_url: "https://idp.example.com/token",
        oauth_client_id: "airbyte",
        oauth_client_secret: "s3cret",
      }),
    );
    expect(sasl?.mechanism).toBe("OAUTHBEARER");
    expect(sasl?.token).toBeFunction();
    expect(sasl?.authBytesValidator).toBeFunction();
  });

  it("OAUTHBEARER takes a token given directly", () => {
    const { sasl } = toSecurityOptions(
      protocolOf({
        security_protocol: "SASL_SSL",
        sasl_mechanism: "OAUTHBEARER",
        oauth_token: "eyJ.token.x",
      }),
    );
    expect(sasl).toMatchObject({ mechanism: "OAUTHBEARER", token: "eyJ.token.x" });
    expect(sasl?.authBytesValidator).toBeFunction();
  });
});

describe("security configs that cannot work are config errors that name the problem", () => {
  const sasl = (mechanism: string, extra: Record<string, unknown>) => ({
    protocol: { security_protocol: "SASL_PLAINTEXT", sasl_mechanism: mechanism, ...extra },
  });

  it.each([
    [sasl("GSSAPI", { sasl_jaas_config: "x required;" }), "GSSAPI (Kerberos) is not supported"],
    [sasl("PLAIN", {}), "protocol.sasl_jaas_config is required for PLAIN"],
    [
      sasl("OAUTHBEARER", {}),
      "OAUTHBEARER needs oauth_token_endpoint_url (with oauth_client_id and oauth_client_secret), oauth_token or sasl_jaas_config",
    ],
    [
      sasl("PLAIN", { sasl_jaas_config: SCRAM('username="a" password="hunter2"') }),
      "uses the login module ScramLoginModule, which does not match sasl_mechanism PLAIN",
    ],
    [
      sasl("SCRAM-SHA-256", { sasl_jaas_config: SCRAM('password="hunter2"') }),
      "protocol.sasl_jaas_config has no username",
    ],
    [sasl("PLAIN", { sasl_jaas_config: PLAIN('username="a"') }), "protocol.sasl_jaas_config has no password"],
    [
      sasl("PLAIN", { sasl_jaas_config: 'PlainLoginModule required password="hunter2' }),
      "cannot be parsed: a quoted value is not closed",
    ],
    [
      sasl("OAUTHBEARER", { sasl_jaas_config: OAUTH('clientId="c" clientSecret="hunter2"') }),
      "give them in oauth_client_id and oauth_client_secret, with oauth_token_endpoint_url",
    ],
    [
      sasl("OAUTHBEARER", { sasl_jaas_config: OAUTH('unsecuredLoginStringClaim_scope="x"') }),
      "needs unsecuredLoginStringClaim_sub",
    ],
    [
      sasl("OAUTHBEARER", {
        sasl_jaas_config: OAUTH('unsecuredLoginStringClaim_sub="s" unsecuredLoginNumberClaim_exp="1"'),
      }),
      "the exp claim is set by the login module",
    ],
    [
      sasl("OAUTHBEARER", {
        oauth_token: "hunter2-token",
        sasl_jaas_config: OAUTH('unsecuredLoginStringClaim_sub="s"'),
      }),
      "set one of oauth_token, oauth_token_endpoint_url or sasl_jaas_config, not oauth_token and sasl_jaas_config",
    ],
    [
      { protocol: { security_protocol: "SSL", ssl_ca_certificate: "hunter2" } },
      "protocol.ssl_ca_certificate holds no PEM certificate",
    ],
    [
      {
        protocol: {
          security_protocol: "SSL",
          ssl_ca_certificate: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
        },
      },
      "certificate 1 of 1 cannot be parsed",
    ],
    [
      { protocol: { security_protocol: "SSL", ssl_client_key: "hunter2-key" } },
      "ssl_client_certificate and ssl_client_key go together",
    ],
  ])("%p", (overrides, problem) => {
    const message = configProblem(overrides);
    expect(message).toContain(problem);
    expect(message).not.toContain("hunter2");
  });
});

describe("what to suggest when a broker closes the connection without saying why", () => {
  const hint = (protocol: Record<string, unknown>) => closedConnectionHint(protocolOf(protocol));
  const oauth = { sasl_mechanism: "OAUTHBEARER", oauth_token: "eyJ.token.x" };

  it.each([
    [{ security_protocol: "PLAINTEXT" }, "If that listener requires SASL or TLS"],
    [{ security_protocol: "SSL" }, "set ssl_client_certificate and ssl_client_key"],
    [{ security_protocol: "SASL_SSL", ...oauth }, "set ssl_client_certificate and ssl_client_key"],
    [{ security_protocol: "SASL_PLAINTEXT", ...oauth }, "If that listener requires TLS, use SASL_SSL"],
  ])("%o: %s", (protocol, text) => {
    expect(hint(protocol)).toContain(text);
  });

  it("with a fixed oauth_token, that it may have expired, and what refreshes tokens", () => {
    for (const security_protocol of ["SASL_PLAINTEXT", "SASL_SSL"]) {
      expect(hint({ security_protocol, ...oauth })).toContain(
        "a fixed oauth_token has expired: give oauth_token_endpoint_url",
      );
    }
    expect(
      hint({
        security_protocol: "SASL_PLAINTEXT",
        sasl_mechanism: "PLAIN",
        sasl_jaas_config:
          'org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="b";',
      }),
    ).not.toContain("oauth_token");
  });
});
