/**
 * What `protocol` asks for, checked once, before anything connects: SASL credentials read from a
 * JAAS string as Kafka's own login modules read it (or, for OAUTHBEARER, a token given directly, or
 * an OIDC token endpoint with client credentials), and TLS material as PEM that parses. `check` and `write` refuse the same configs in the same
 * words, and no message quotes a credential. kafka/security.ts maps the result to client options.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { configError } from "../errors.ts";
import { type JaasEntry, parseJaas } from "./jaas.ts";
import type { ProtocolConfig } from "./schema.ts";

export type SaslSettings =
  | { mechanism: "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512"; username: string; password: string }
  /** A bearer token given in `oauth_token`. */
  | { mechanism: "OAUTHBEARER"; token: string }
  /** Kafka's unsecured JWT, from the `unsecuredLogin*` options of OAuthBearerLoginModule. */
  | { mechanism: "OAUTHBEARER"; unsecured: UnsecuredLogin }
  /** Tokens from an OIDC token endpoint, with the client credentials grant. */
  | { mechanism: "OAUTHBEARER"; clientCredentials: ClientCredentials };

/** Where and as whom to ask for tokens (RFC 6749 §4.4, the client credentials grant). */
export interface ClientCredentials {
  /** The token endpoint, an http(s) URL without credentials in it. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes to ask for; undefined: none. */
  scope: string | undefined;
  /** PEM certificates trusted for the endpoint's https; undefined: the runtime's built-in ones. */
  ca: string[] | undefined;
}

export interface UnsecuredLogin {
  /** The token's claims but `iat` and `exp`, which each login sets. */
  claims: Record<string, unknown>;
  lifetimeSeconds: number;
  extensions: Record<string, string>;
}

export interface TlsSettings {
  /** PEM certificates of the trusted CAs; undefined: the runtime's built-in ones. */
  ca: string[] | undefined;
  /** The client certificate chain and key (mTLS), or neither. */
  cert: string | undefined;
  key: string | undefined;
  passphrase: string | undefined;
  /** False: the brokers' certificates are not checked against their host names. */
  checkHostname: boolean;
}

export interface SecuritySettings {
  sasl: SaslSettings | undefined;
  tls: TlsSettings | undefined;
  /** Settings that weaken security, to be logged as WARN. */
  warnings: string[];
}

/** Throws a config error naming the problem, never a credential, when `protocol` cannot work. */
export function securitySettings(protocol: ProtocolConfig): SecuritySettings {
  const warnings: string[] = [];
  const kind = protocol.security_protocol;
  const tls = kind === "SSL" || kind === "SASL_SSL" ? tlsSettings(protocol, warnings) : undefined;
  const sasl =
    kind === "SASL_PLAINTEXT" || kind === "SASL_SSL" ? saslSettings(protocol, warnings) : undefined;
  return { sasl, tls, warnings };
}

// --- internal ---

type SaslProtocol = Extract<ProtocolConfig, { sasl_mechanism: string }>;
type TlsProtocol = Extract<ProtocolConfig, { ssl_endpoint_identification: boolean }>;

const LOGIN_MODULES = {
  PLAIN: "org.apache.kafka.common.security.plain.PlainLoginModule",
  SCRAM: "org.apache.kafka.common.security.scram.ScramLoginModule",
  OAUTHBEARER: "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule",
} as const;

function saslSettings(protocol: SaslProtocol, warnings: string[]): SaslSettings {
  const mechanism = protocol.sasl_mechanism;
  if (mechanism === "GSSAPI") {
    throw configError(
      "protocol.sasl_mechanism GSSAPI (Kerberos) is not supported: this connector has no Kerberos client. Use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER.",
    );
  }
  if (mechanism === "OAUTHBEARER") {
    const given = OAUTH_SOURCES.filter((field) => protocol[field]);
    if (given.length > 1) {
      throw configError(
        `protocol: for OAUTHBEARER set one of oauth_token, oauth_token_endpoint_url or sasl_jaas_config, not ${given.join(" and ")}.`,
      );
    }
    if (protocol.oauth_token) return { mechanism, token: protocol.oauth_token };
    if (protocol.oauth_token_endpoint_url)
      return { mechanism, clientCredentials: clientCredentials(protocol, warnings) };
  }
  if (!protocol.sasl_jaas_config) {
    throw configError(
      mechanism === "OAUTHBEARER"
        ? "protocol: OAUTHBEARER needs oauth_token_endpoint_url (with oauth_client_id and oauth_client_secret), oauth_token or sasl_jaas_config."
        : `protocol.sasl_jaas_config is required for ${mechanism}.`,
    );
  }
  const entry = parseJaas(protocol.sasl_jaas_config);
  if (mechanism === "PLAIN" || mechanism === "SCRAM-SHA-256" || mechanism === "SCRAM-SHA-512") {
    expectModule(entry, mechanism === "PLAIN" ? LOGIN_MODULES.PLAIN : LOGIN_MODULES.SCRAM, mechanism);
    return { mechanism, username: option(entry, "username"), password: option(entry, "password") };
  }
  expectModule(entry, LOGIN_MODULES.OAUTHBEARER, mechanism);
  return { mechanism, unsecured: unsecuredLogin(entry) };
}

/** The fields that each give OAUTHBEARER its token: exactly one may be set. */
const OAUTH_SOURCES = ["oauth_token", "oauth_token_endpoint_url", "sasl_jaas_config"] as const;

/** The client credentials grant's settings: an http(s) URL without credentials, an id and a secret. */
function clientCredentials(protocol: SaslProtocol, warnings: string[]): ClientCredentials {
  const url = parseUrl(protocol.oauth_token_endpoint_url ?? "");
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw configError("protocol.oauth_token_endpoint_url must be an http:// or https:// URL.");
  }
  if (url.username || url.password) {
    throw configError(
      "protocol.oauth_token_endpoint_url must not hold credentials: give them in oauth_client_id and oauth_client_secret.",
    );
  }
  if (!protocol.oauth_client_id || !protocol.oauth_client_secret) {
    throw configError(
      "protocol.oauth_client_id and oauth_client_secret are required with oauth_token_endpoint_url.",
    );
  }
  if (url.protocol === "http:") {
    warnings.push(
      "oauth_token_endpoint_url uses http: the client secret and the tokens it returns travel unencrypted.",
    );
  }
  return {
    tokenUrl: url.href,
    clientId: protocol.oauth_client_id,
    clientSecret: protocol.oauth_client_secret,
    scope: protocol.oauth_scope || undefined,
    ca: protocol.oauth_ca_certificate
      ? certificates(protocol.oauth_ca_certificate, "oauth_ca_certificate")
      : undefined,
  };
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
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
 * The options of Kafka's OAuthBearerUnsecuredLoginCallbackHandler: `unsecuredLogin*` claims (string,
 * number, list), extensions, the principal claim and the token lifetime. OIDC client credentials
 * in the JAAS string are refused: they go in the oauth_* fields, beside the token endpoint, which a
 * JAAS string cannot name.
 */
function unsecuredLogin(entry: JaasEntry): UnsecuredLogin {
  if (entry.options.has("clientId") || entry.options.has("clientSecret")) {
    throw configError(
      "protocol.sasl_jaas_config asks for OAuth client credentials (clientId/clientSecret): give them in oauth_client_id and oauth_client_secret, with oauth_token_endpoint_url (and oauth_scope), instead of sasl_jaas_config.",
    );
  }
  const claims: Record<string, unknown> = {};
  const extensions: Record<string, string> = {};
  const principalClaim = entry.options.get("unsecuredLoginPrincipalClaimName") ?? "sub";
  const lifetimeSeconds = Number(entry.options.get("unsecuredLoginLifetimeSeconds") ?? "3600");
  if (!Number.isFinite(lifetimeSeconds) || lifetimeSeconds <= 0) {
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
  return { claims, lifetimeSeconds, extensions };
}

function tlsSettings(protocol: TlsProtocol, warnings: string[]): TlsSettings {
  const ca = protocol.ssl_ca_certificate
    ? certificates(protocol.ssl_ca_certificate, "ssl_ca_certificate")
    : undefined;
  const cert = protocol.ssl_client_certificate;
  const key = protocol.ssl_client_key;
  if (Boolean(cert) !== Boolean(key)) {
    throw configError(
      "protocol: ssl_client_certificate and ssl_client_key go together (set both for mTLS, or neither).",
    );
  }
  const client =
    cert && key ? clientPair(cert, key, protocol.ssl_client_key_password || undefined) : undefined;
  if (!protocol.ssl_endpoint_identification) {
    warnings.push(
      "ssl_endpoint_identification is off: the brokers' certificates are not checked against their host names, which allows man-in-the-middle attacks.",
    );
  }
  return {
    ca,
    cert: client?.cert,
    key: client?.key,
    passphrase: client?.passphrase,
    checkHostname: protocol.ssl_endpoint_identification,
  };
}

/** The client certificate chain and a key its password (if any) opens. */
function clientPair(cert: string, key: string, passphrase: string | undefined) {
  const chain = certificates(cert, "ssl_client_certificate").join("\n");
  try {
    createPrivateKey({ key, format: "pem", ...(passphrase === undefined ? {} : { passphrase }) });
  } catch {
    throw configError(
      passphrase === undefined
        ? "protocol.ssl_client_key is not a PEM private key, or it is encrypted and ssl_client_key_password is missing."
        : "protocol.ssl_client_key is not a PEM private key, or ssl_client_key_password does not decrypt it.",
    );
  }
  return { cert: chain, key, passphrase };
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
