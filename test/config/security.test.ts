/**
 * Security settings as the config validates them, with no Kafka client loaded: what a protocol
 * yields, and what it refuses. The PEM cases use the harness's throwaway TLS material (openssl,
 * made once into .cache/secure/tls).
 */
import { beforeAll, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { ensureTlsMaterial, type TlsMaterial } from "../../scripts/kafka/tls.ts";
import type { ProtocolConfig } from "../../src/config/schema.ts";
import { securitySettings } from "../../src/config/security.ts";
import { configWith } from "../helpers/config.ts";

const protocolOf = (protocol: Record<string, unknown>): ProtocolConfig => configWith({ protocol }).protocol;
const OAUTH = (options: string) =>
  `org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required ${options};`;
const oauth = (options: string) =>
  protocolOf({
    security_protocol: "SASL_PLAINTEXT",
    sasl_mechanism: "OAUTHBEARER",
    sasl_jaas_config: OAUTH(options),
  });

let pem: { ca: string; otherCa: string; cert: string; key: string; encryptedKey: string; password: string };
beforeAll(async () => {
  const material: TlsMaterial = await ensureTlsMaterial();
  const read = (path: string) => readFileSync(path, "utf8");
  pem = {
    ca: read(material.ca),
    otherCa: read(material.otherCa),
    cert: read(material.clientCert),
    key: read(material.clientKey),
    encryptedKey: read(material.clientKeyEncrypted),
    password: material.clientKeyPassword,
  };
}, 30_000);

describe("security settings: what each protocol yields", () => {
  it("PLAINTEXT needs nothing", () => {
    expect(securitySettings(protocolOf({ security_protocol: "PLAINTEXT" }))).toEqual({
      sasl: undefined,
      tls: undefined,
      warnings: [],
    });
  });

  it("OAUTHBEARER's unsecured login: string, number and list claims, extensions, lifetime, principal claim", () => {
    const { sasl } = securitySettings(
      oauth(
        'unsecuredLoginPrincipalClaimName="who" unsecuredLoginStringClaim_who="svc" unsecuredLoginNumberClaim_n="7" unsecuredLoginListClaim_scope="|a|b" unsecuredLoginExtension_trace="t1"',
      ),
    );
    expect(sasl).toEqual({
      mechanism: "OAUTHBEARER",
      unsecured: {
        claims: { who: "svc", n: 7, scope: ["a", "b"] },
        lifetimeSeconds: 3600,
        extensions: { trace: "t1" },
      },
    });
  });

  it("SSL with a CA bundle and an encrypted client key: each certificate, the chain, the key and its password", () => {
    const { tls, warnings } = securitySettings(
      protocolOf({
        security_protocol: "SSL",
        ssl_ca_certificate: `${pem.ca}\n${pem.otherCa}`,
        ssl_client_certificate: pem.cert,
        ssl_client_key: pem.encryptedKey,
        ssl_client_key_password: pem.password,
      }),
    );
    expect(tls?.ca).toEqual([pem.ca.trim(), pem.otherCa.trim()]);
    expect(tls?.cert).toBe(pem.cert.trim());
    expect([tls?.key, tls?.passphrase, tls?.checkHostname]).toEqual([
      pem.encryptedKey.trim(),
      pem.password,
      true,
    ]);
    expect(warnings).toEqual([]);
  });

  it("OAUTHBEARER with a token endpoint: client credentials, scope and the endpoint's CA", () => {
    const { sasl, warnings } = securitySettings(
      protocolOf({
        security_protocol: "SASL_SSL",
        sasl_mechanism: "OAUTHBEARER",
        oauth_token_endpoint_url: "https://idp.example.com/oauth2/token",
        oauth_client_id: "airbyte",
        oauth_client_secret: "hunter2-secret",
        oauth_scope: "kafka.write kafka.describe",
        oauth_ca_certificate: pem.ca,
      }),
    );
    expect(sasl).toEqual({
      mechanism: "OAUTHBEARER",
      clientCredentials: {
        tokenUrl: "https://idp.example.com/oauth2/token",
        clientId: "airbyte",
        clientSecret: "hunter2-secret",
        scope: "kafka.write kafka.describe",
        ca: [pem.ca.trim()],
      },
    });
    expect(warnings).toEqual([]);
  });

  it("a token endpoint over http is said as a WARN; no scope and no CA are none", () => {
    const { sasl, warnings } = securitySettings(
      protocolOf({
        security_protocol: "SASL_PLAINTEXT",
        sasl_mechanism: "OAUTHBEARER",
        oauth_token_endpoint_url: "http://127.0.0.1:8080/token",
        oauth_client_id: "airbyte",
        oauth_client_secret: "hunter2-secret",
      }),
    );
    expect(sasl).toMatchObject({ clientCredentials: { scope: undefined, ca: undefined } });
    expect(warnings).toEqual([expect.stringContaining("oauth_token_endpoint_url uses http")]);
  });

  it("ssl_endpoint_identification false is said as a WARN", () => {
    const { tls, warnings } = securitySettings(
      protocolOf({ security_protocol: "SSL", ssl_endpoint_identification: false }),
    );
    expect(tls).toEqual({
      ca: undefined,
      cert: undefined,
      key: undefined,
      passphrase: undefined,
      checkHostname: false,
    });
    expect(warnings).toEqual([expect.stringContaining("ssl_endpoint_identification is off")]);
  });
});

describe("security settings: what cannot work is a config error naming the field, never a credential", () => {
  it.each([
    [
      "a lifetime that is not positive",
      () => oauth('unsecuredLoginStringClaim_sub="s" unsecuredLoginLifetimeSeconds="0"'),
      "unsecuredLoginLifetimeSeconds must be a positive number",
    ],
    [
      "a number claim that is not a number",
      () => oauth('unsecuredLoginStringClaim_sub="s" unsecuredLoginNumberClaim_n="hunter2"'),
      "claim n is not a number",
    ],
    [
      "an encrypted key without its password",
      () =>
        protocolOf({
          security_protocol: "SSL",
          ssl_client_certificate: pem.cert,
          ssl_client_key: pem.encryptedKey,
        }),
      "it is encrypted and ssl_client_key_password is missing",
    ],
    [
      "a key its password does not open",
      () =>
        protocolOf({
          security_protocol: "SSL",
          ssl_client_certificate: pem.cert,
          ssl_client_key: pem.encryptedKey,
          ssl_client_key_password: "hunter2",
        }),
      "ssl_client_key_password does not decrypt it",
    ],
    [
      "a client certificate that is not PEM",
      () =>
        protocolOf({
          security_protocol: "SASL_SSL",
          sasl_mechanism: "PLAIN",
          sasl_jaas_config: "x",
          ssl_client_certificate: "hunter2",
          ssl_client_key: pem.key,
        }),
      "protocol.ssl_client_certificate holds no PEM certificate",
    ],
    ...(
      [
        [
          "a token endpoint that is not an http(s) URL",
          { oauth_token_endpoint_url: "ftp://idp/token" },
          "oauth_token_endpoint_url must be an http:// or https:// URL",
        ],
        [
          "credentials in the token endpoint's URL",
          { oauth_token_endpoint_url: "https://airbyte:hunter2@idp/token" },
          "must not hold credentials",
        ],
        [
          "a token endpoint without a client secret",
          { oauth_token_endpoint_url: "https://idp/token", oauth_client_secret: null },
          "oauth_client_id and oauth_client_secret are required",
        ],
        [
          "a token endpoint beside a token",
          { oauth_token: "hunter2-token" },
          "not oauth_token and oauth_token_endpoint_url",
        ],
        [
          "an endpoint CA that is not PEM",
          { oauth_ca_certificate: "hunter2" },
          "protocol.oauth_ca_certificate holds no PEM certificate",
        ],
      ] as const
    ).map(
      ([label, fields, problem]) =>
        [
          label,
          () =>
            protocolOf({
              security_protocol: "SASL_SSL",
              sasl_mechanism: "OAUTHBEARER",
              oauth_token_endpoint_url: "https://idp/token",
              oauth_client_id: "airbyte",
              oauth_client_secret: "hunter2-secret",
              ...fields,
            }),
          problem,
        ] as const,
    ),
  ])("%s", (_, protocol, problem) => {
    let message = "";
    try {
      securitySettings(protocol());
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(problem);
    expect(message).not.toContain("hunter2");
  });
});
