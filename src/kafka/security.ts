/**
 * `protocol` → the client's `sasl` and `tls` options. SASL credentials come from a JAAS string as
 * Kafka's own login modules read it (or, for OAUTHBEARER, a token given directly); TLS material is
 * PEM. Everything is checked here, once, so `check` and `write` refuse the same configs in the same
 * words — and no message quotes a credential.
 */
import { Buffer } from "node:buffer";
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { ConnectionOptions as TlsOptions } from "node:tls";
import { type SASLOptions, saslOAuthBearer } from "@platformatic/kafka";
import { type JaasEntry, parseJaas } from "../config/jaas.ts";
import type { ProtocolConfig } from "../config/schema.ts";
import { configError } from "../errors.ts";

export interface SecurityOptions {
  sasl?: SASLOptions;
  tls?: TlsOptions;
  /** Settings that weaken security, to be logged as WARN. */
  warnings: string[];
}

export function toSecurityOptions(protocol: ProtocolConfig, now: () => number = Date.now): SecurityOptions {
  const warnings: string[] = [];
  const out: SecurityOptions = { warnings };
  if (protocol.security_protocol === "SSL" || protocol.security_protocol === "SASL_SSL") {
    out.tls = tlsOptions(protocol, warnings);
  }
  if (protocol.security_protocol === "SASL_PLAINTEXT" || protocol.security_protocol === "SASL_SSL") {
    out.sasl = saslOptions(protocol, now);
  }
  return out;
}

/**
 * What to suggest when a broker closes the connection without saying why: during connection that
 * is how a listener answers a client that lacks what it requires.
 */
export function closedConnectionHint(protocol: ProtocolConfig): string {
  switch (protocol.security_protocol) {
    case "PLAINTEXT":
      return "If that listener requires SASL or TLS, set protocol accordingly.";
    case "SASL_PLAINTEXT":
      return "If that listener requires TLS, use SASL_SSL; if it does not use SASL, use PLAINTEXT.";
    default:
      return protocol.ssl_client_certificate
        ? "If it requires client certificates (mTLS), check that it trusts the CA of ssl_client_certificate."
        : "If it requires client certificates (mTLS), set ssl_client_certificate and ssl_client_key.";
  }
}

// --- internal ---

type SaslProtocol = Extract<ProtocolConfig, { sasl_mechanism: string }>;
type TlsProtocol = Extract<ProtocolConfig, { ssl_endpoint_identification: boolean }>;

const LOGIN_MODULES = {
  PLAIN: "org.apache.kafka.common.security.plain.PlainLoginModule",
  SCRAM: "org.apache.kafka.common.security.scram.ScramLoginModule",
  OAUTHBEARER: "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule",
} as const;

function saslOptions(protocol: SaslProtocol, now: () => number): SASLOptions {
  const mechanism = protocol.sasl_mechanism;
  if (mechanism === "GSSAPI") {
    throw configError(
      "protocol.sasl_mechanism GSSAPI (Kerberos) is not supported: this connector has no Kerberos client. Use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER.",
    );
  }
  const token = "oauth_token" in protocol ? protocol.oauth_token : undefined;
  if (mechanism === "OAUTHBEARER" && token) {
    if (protocol.sasl_jaas_config) {
      throw configError("protocol: set either oauth_token or sasl_jaas_config for OAUTHBEARER, not both.");
    }
    return { mechanism, token, authBytesValidator: saslOAuthBearer.jwtValidateAuthenticationBytes };
  }
  if (!protocol.sasl_jaas_config) {
    throw configError(
      mechanism === "OAUTHBEARER"
        ? "protocol.sasl_jaas_config (or oauth_token) is required for OAUTHBEARER."
        : `protocol.sasl_jaas_config is required for ${mechanism}.`,
    );
  }
  const entry = parseJaas(protocol.sasl_jaas_config);
  if (mechanism === "PLAIN" || mechanism === "SCRAM-SHA-256" || mechanism === "SCRAM-SHA-512") {
    expectModule(entry, mechanism === "PLAIN" ? LOGIN_MODULES.PLAIN : LOGIN_MODULES.SCRAM, mechanism);
    return { mechanism, username: option(entry, "username"), password: option(entry, "password") };
  }
  expectModule(entry, LOGIN_MODULES.OAUTHBEARER, mechanism);
  return unsecuredOauth(entry, now);
}

function expectModule(entry: JaasEntry, expected: string, mechanism: string): void {
  if (entry.loginModule !== expected) {
    const short = entry.loginModule.split(".").pop();
    throw configError(
      `protocol.sasl_jaas_config uses the login module ${short}, which does not match sasl_mechanism ${mechanism} (it needs ${expected.split(".").pop()}).`,
    );
  }
}

function option(entry: JaasEntry, key: string): string {
  const value = entry.options.get(key);
  if (value === undefined || value === "") throw configError(`protocol.sasl_jaas_config has no ${key}.`);
  return value;
}

/**
 * Kafka's OAuthBearerUnsecuredLoginCallbackHandler: an unsigned JWT (`alg: none`) built from the
 * `unsecuredLogin*` options, which a broker with the default unsecured validator accepts. A fresh
 * token is made for every authentication, so long syncs never present an expired one.
 */
function unsecuredOauth(entry: JaasEntry, now: () => number): SASLOptions {
  if (entry.options.has("clientId") || entry.options.has("clientSecret")) {
    throw configError(
      "protocol.sasl_jaas_config asks for OAuth client credentials (clientId/clientSecret); OIDC token endpoints are not supported. Give a token in oauth_token, or use the unsecuredLogin options.",
    );
  }
  const claims: Record<string, unknown> = {};
  const extensions: Record<string, string> = {};
  const principalClaim = entry.options.get("unsecuredLoginPrincipalClaimName") ?? "sub";
  const lifetime = Number(entry.options.get("unsecuredLoginLifetimeSeconds") ?? "3600");
  if (!Number.isFinite(lifetime) || lifetime <= 0) {
    throw configError("protocol.sasl_jaas_config: unsecuredLoginLifetimeSeconds must be a positive number.");
  }
  for (const [key, value] of entry.options) {
    const [, kind, name] =
      /^unsecuredLogin(StringClaim|NumberClaim|ListClaim|Extension)_(.+)$/.exec(key) ?? [];
    if (!kind || !name) continue;
    if (kind === "Extension") extensions[name] = value;
    else if (name === "iat" || name === "exp") {
      throw configError(
        `protocol.sasl_jaas_config: the ${name} claim is set by the login module, not by an option.`,
      );
    } else if (kind === "StringClaim") claims[name] = value;
    else if (kind === "NumberClaim") {
      const number = Number(value);
      if (!Number.isFinite(number))
        throw configError(`protocol.sasl_jaas_config: claim ${name} is not a number.`);
      claims[name] = number;
    } else claims[name] = value.length > 1 ? value.slice(1).split(value.charAt(0)) : [];
  }
  if (typeof claims[principalClaim] !== "string" || claims[principalClaim] === "") {
    throw configError(
      `protocol.sasl_jaas_config needs unsecuredLoginStringClaim_${principalClaim} (the principal) for OAUTHBEARER.`,
    );
  }
  const token = () => {
    const issuedAt = Math.floor(now() / 1000);
    return unsecuredJwt({ ...claims, iat: issuedAt, exp: issuedAt + lifetime });
  };
  return {
    mechanism: "OAUTHBEARER",
    token,
    // Without it the client takes the broker's {"status":"invalid_token"} answer for a login.
    authBytesValidator: saslOAuthBearer.jwtValidateAuthenticationBytes,
    ...(Object.keys(extensions).length > 0 ? { oauthBearerExtensions: extensions } : {}),
  };
}

/**
 * An unsigned JWT. Kafka 4.1's unsecured validator decodes the segments with Java's standard Base64
 * decoder, not the URL-safe one, so a segment holding `-` or `_` is refused: a leading `jti` claim
 * of varying length and content is tried until neither appears (a few tries on average).
 */
function unsecuredJwt(claims: Record<string, unknown>): string {
  const header = Buffer.from('{"alg":"none"}').toString("base64url");
  let payload = "";
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const jti = attempt.toString(36).padStart((attempt % 3) + 1, "0");
    payload = Buffer.from(JSON.stringify({ jti, ...claims })).toString("base64url");
    if (!/[-_]/.test(payload)) break;
  }
  return `${header}.${payload}.`;
}

function tlsOptions(protocol: TlsProtocol, warnings: string[]): TlsOptions {
  const tls: TlsOptions = {};
  if (protocol.ssl_ca_certificate) {
    tls.ca = certificates(protocol.ssl_ca_certificate, "ssl_ca_certificate");
  }
  const cert = protocol.ssl_client_certificate;
  const key = protocol.ssl_client_key;
  if (Boolean(cert) !== Boolean(key)) {
    throw configError(
      "protocol: ssl_client_certificate and ssl_client_key go together (set both for mTLS, or neither).",
    );
  }
  if (cert && key) {
    tls.cert = certificates(cert, "ssl_client_certificate").join("\n");
    const passphrase = protocol.ssl_client_key_password || undefined;
    try {
      createPrivateKey({ key, format: "pem", ...(passphrase === undefined ? {} : { passphrase }) });
    } catch {
      throw configError(
        passphrase === undefined
          ? "protocol.ssl_client_key is not a PEM private key, or it is encrypted and ssl_client_key_password is missing."
          : "protocol.ssl_client_key is not a PEM private key, or ssl_client_key_password does not decrypt it.",
      );
    }
    tls.key = key;
    if (passphrase !== undefined) tls.passphrase = passphrase;
  }
  if (!protocol.ssl_endpoint_identification) {
    // Java's empty ssl.endpoint.identification.algorithm: the chain is still verified, the host name is not.
    tls.checkServerIdentity = () => undefined;
    warnings.push(
      "ssl_endpoint_identification is off: the brokers' certificates are not checked against their host names, which allows man-in-the-middle attacks.",
    );
  }
  return tls;
}

/** The PEM certificates in `text`, each checked to parse. */
function certificates(text: string, field: string): string[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0)
    throw configError(`protocol.${field} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
  blocks.forEach((block, index) => {
    try {
      new X509Certificate(block);
    } catch {
      throw configError(`protocol.${field}: certificate ${index + 1} of ${blocks.length} cannot be parsed.`);
    }
  });
  return blocks;
}
