/**
 * `protocol` → the client's `sasl` and `tls` options. What the settings mean, and whether they can
 * work, is config/security.ts's to say (it throws the config errors); this file only maps them.
 */
import { Buffer } from "node:buffer";
import type { ConnectionOptions as TlsOptions } from "node:tls";
import { type SASLOptions, saslOAuthBearer } from "@platformatic/kafka";
import type { ProtocolConfig } from "../config/schema.ts";
import {
  type SaslSettings,
  securitySettings,
  type TlsSettings,
  type UnsecuredLogin,
} from "../config/security.ts";
import { clientCredentialsTokens } from "./oauth-token.ts";

export interface SecurityOptions {
  sasl?: SASLOptions;
  tls?: TlsOptions;
  /** Settings that weaken security, to be logged as WARN. */
  warnings: string[];
}

/**
 * The client options for `protocol`. `tokenTimeoutMs` bounds each request to an OIDC token
 * endpoint (request_timeout_ms).
 */
export function toSecurityOptions(
  protocol: ProtocolConfig,
  now: () => number = Date.now,
  tokenTimeoutMs = 30_000,
): SecurityOptions {
  const settings = securitySettings(protocol);
  const out: SecurityOptions = { warnings: settings.warnings };
  if (settings.tls) out.tls = tlsOptions(settings.tls);
  if (settings.sasl) out.sasl = saslOptions(settings.sasl, now, tokenTimeoutMs);
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
      return `If that listener requires TLS, use SASL_SSL; if it does not use SASL, use PLAINTEXT.${fixedTokenHint(protocol)}`;
    case "SASL_SSL":
      return `${mtlsHint(protocol)}${fixedTokenHint(protocol)}`;
    default:
      return mtlsHint(protocol);
  }
}

// --- internal ---

const mtlsHint = (protocol: Extract<ProtocolConfig, { ssl_endpoint_identification: boolean }>) =>
  protocol.ssl_client_certificate
    ? "If it requires client certificates (mTLS), check that it trusts the CA of ssl_client_certificate."
    : "If it requires client certificates (mTLS), set ssl_client_certificate and ssl_client_key.";

/** A broker that ends sessions with their token (KIP-368) closes a connection whose fixed token expired. */
const fixedTokenHint = (protocol: Extract<ProtocolConfig, { sasl_mechanism: string }>) =>
  protocol.sasl_mechanism === "OAUTHBEARER" && protocol.oauth_token
    ? " A broker also closes the connection once a fixed oauth_token has expired: give oauth_token_endpoint_url with client credentials instead, so tokens are refreshed."
    : "";

function saslOptions(sasl: SaslSettings, now: () => number, tokenTimeoutMs: number): SASLOptions {
  if (sasl.mechanism !== "OAUTHBEARER") return sasl;
  // Without it the client takes the broker's {"status":"invalid_token"} answer for a login.
  const authBytesValidator = saslOAuthBearer.jwtValidateAuthenticationBytes;
  if ("token" in sasl) return { mechanism: sasl.mechanism, token: sasl.token, authBytesValidator };
  if ("clientCredentials" in sasl) {
    const token = clientCredentialsTokens(sasl.clientCredentials, { timeoutMs: tokenTimeoutMs, now });
    return { mechanism: sasl.mechanism, token, authBytesValidator };
  }
  return {
    mechanism: sasl.mechanism,
    token: unsecuredToken(sasl.unsecured, now),
    authBytesValidator,
    ...extensionsOf(sasl.unsecured),
  };
}

/**
 * Kafka's OAuthBearerUnsecuredLoginCallbackHandler: an unsigned JWT (`alg: none`) built from the
 * `unsecuredLogin*` options, which a broker with the default unsecured validator accepts. A fresh
 * token is made for every authentication, so long syncs never present an expired one.
 */
function unsecuredToken({ claims, lifetimeSeconds }: UnsecuredLogin, now: () => number): () => string {
  return () => {
    const issuedAt = Math.floor(now() / 1000);
    return unsecuredJwt({ ...claims, iat: issuedAt, exp: issuedAt + lifetimeSeconds });
  };
}

function extensionsOf({ extensions }: UnsecuredLogin): Pick<SASLOptions, "oauthBearerExtensions"> {
  return Object.keys(extensions).length > 0 ? { oauthBearerExtensions: extensions } : {};
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

function tlsOptions(settings: TlsSettings): TlsOptions {
  const tls: TlsOptions = {};
  if (settings.ca) tls.ca = settings.ca;
  if (settings.cert) tls.cert = settings.cert;
  if (settings.key) tls.key = settings.key;
  if (settings.passphrase !== undefined) tls.passphrase = settings.passphrase;
  // Java's empty ssl.endpoint.identification.algorithm: the chain is still verified, the host name is not.
  if (!settings.checkHostname) tls.checkServerIdentity = () => undefined;
  return tls;
}
