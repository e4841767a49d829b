/**
 * OAUTHBEARER tokens from an OIDC token endpoint, with the client credentials grant (RFC 6749
 * §4.4): a POST of `grant_type=client_credentials` (and `scope`), the client authenticated with
 * HTTP Basic (id and secret form-encoded first, §2.3.1). The provider it returns is what the
 * client library asks for a token at every login and re-authentication: the token is kept until
 * 80 % of its lifetime has passed (Java's sasl.login.refresh.window.factor), then a new one is
 * fetched, so a connection never presents an expired one. Concurrent logins share one fetch; a
 * failed refresh keeps handing out the current token while it is still valid.
 *
 * Failures are ConnectorErrors that name the endpoint (origin and path) and the cause — refused
 * credentials or scope are config errors, an endpoint that cannot be reached or answers 5xx is
 * transient — and never the secret, a token or the endpoint's answer.
 */
import { Buffer } from "node:buffer";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { ClientCredentials } from "../config/security.ts";
import { ConnectorError } from "../errors.ts";

/** What a token request got back: the status and the body's text. */
interface TokenAnswer {
  status: number;
  body: string;
}

export interface TokenOptions {
  /** Bound on each token request (request_timeout_ms). */
  timeoutMs: number;
  now?: () => number;
}

/** A token provider for the client library's `sasl.token`. */
export function clientCredentialsTokens(
  credentials: ClientCredentials,
  { timeoutMs, now = Date.now }: TokenOptions,
): () => Promise<string> {
  const endpoint = describe(credentials.tokenUrl);
  let current: { token: string; refreshAt: number; expiresAt: number } | undefined;
  let fetching: Promise<string> | undefined;

  const fetchToken = async (): Promise<string> => {
    const askedAt = now();
    const answer = await postForm(credentials, timeoutMs).catch((error: unknown) => {
      throw unreachable(endpoint, error, timeoutMs);
    });
    const { token, lifetimeMs } = tokenOf(answer, endpoint, askedAt);
    current = { token, refreshAt: askedAt + lifetimeMs * REFRESH_WINDOW, expiresAt: askedAt + lifetimeMs };
    return token;
  };

  return () => {
    if (current && now() < current.refreshAt) return Promise.resolve(current.token);
    fetching ??= fetchToken()
      .catch((error: unknown) => {
        if (current && now() < current.expiresAt) return current.token;
        throw error;
      })
      .finally(() => {
        fetching = undefined;
      });
    return fetching;
  };
}

// --- internal ---

/** The share of a token's lifetime after which a new one is fetched. */
const REFRESH_WINDOW = 0.8;

/** RFC 6749 §5.2 error codes, and what to check for each. */
const REFUSALS: Record<string, string> = {
  invalid_client: "refused the client credentials: check oauth_client_id and oauth_client_secret",
  unauthorized_client:
    "does not let this client use the client credentials grant: allow it for oauth_client_id",
  invalid_scope: "refused the scope: check oauth_scope",
  invalid_grant: "refused the grant: check oauth_client_id and oauth_client_secret",
  invalid_request: "refused the request as malformed (invalid_request)",
  unsupported_grant_type: "does not support the client credentials grant",
};

/** The endpoint as messages name it: origin and path, never a query (which could carry anything). */
function describe(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/** The application/x-www-form-urlencoded form of one value (RFC 6749 Appendix B). */
const formEncoded = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);

function postForm(credentials: ClientCredentials, timeoutMs: number): Promise<TokenAnswer> {
  const url = new URL(credentials.tokenUrl);
  const body = new URLSearchParams({
    grant_type: "client_credentials",
    ...(credentials.scope ? { scope: credentials.scope } : {}),
  }).toString();
  const basic = Buffer.from(
    `${formEncoded(credentials.clientId)}:${formEncoded(credentials.clientSecret)}`,
  ).toString("base64");
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => {
      clearTimeout(timer);
      reject(error);
    };
    const request = send(
      url,
      {
        method: "POST",
        headers: {
          Authorization: `Basic ${basic}`,
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/json",
          "Content-Length": Buffer.byteLength(body),
        },
        ...(credentials.ca ? { ca: credentials.ca } : {}),
      },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() });
        });
        response.on("error", fail);
      },
    );
    const timer = setTimeout(() => request.destroy(new TokenTimeout()), timeoutMs);
    request.on("error", fail);
    request.end(body);
  });
}

class TokenTimeout extends Error {}

/** The token and its lifetime from a 200 answer; a ConnectorError saying why for any other. */
function tokenOf(answer: TokenAnswer, endpoint: string, at: number): { token: string; lifetimeMs: number } {
  const json = parseJson(answer.body);
  if (answer.status === 200) {
    const token = json?.access_token;
    if (typeof token !== "string" || token === "") {
      throw new ConnectorError(
        `The OAuth token endpoint ${endpoint} answered without an access_token.`,
        "config_error",
      );
    }
    return { token, lifetimeMs: lifetimeMs(json?.expires_in, token, at) };
  }
  const code =
    typeof json?.error === "string" && /^[\x21-\x7e]{1,64}$/.test(json.error) ? json.error : undefined;
  if (answer.status >= 500) {
    return refuse(`The OAuth token endpoint ${endpoint} answered HTTP ${answer.status}.`, "transient_error");
  }
  const why = code ? (REFUSALS[code] ?? `refused the request (${code})`) : undefined;
  if (why)
    return refuse(`The OAuth token endpoint ${endpoint} ${why} (HTTP ${answer.status}).`, "config_error");
  return refuse(
    `The OAuth token endpoint ${endpoint} answered HTTP ${answer.status}: check oauth_token_endpoint_url.`,
    "config_error",
  );
}

function refuse(message: string, failureType: "config_error" | "transient_error"): never {
  throw new ConnectorError(message, failureType);
}

/** `expires_in` (seconds) if given, else the token's own `exp` claim if it is a JWT; else 0: not kept. */
function lifetimeMs(expiresIn: unknown, token: string, at: number): number {
  const seconds = typeof expiresIn === "string" ? Number(expiresIn) : expiresIn;
  if (typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0) return seconds * 1000;
  const exp = parseJson(Buffer.from(token.split(".")[1] ?? "", "base64url").toString())?.exp;
  return typeof exp === "number" ? Math.max(0, exp * 1000 - at) : 0;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** TLS verification failures, by Node.js's error codes. */
const CERTIFICATE_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

function unreachable(endpoint: string, error: unknown, timeoutMs: number): ConnectorError {
  if (error instanceof TokenTimeout) {
    return new ConnectorError(
      `The OAuth token endpoint ${endpoint} did not answer within request_timeout_ms (${timeoutMs} ms).`,
      "transient_error",
    );
  }
  const code = String((error as { code?: unknown }).code ?? "");
  if (CERTIFICATE_CODES.test(code)) {
    return new ConnectorError(
      `The TLS certificate of the OAuth token endpoint ${endpoint} is not trusted (${code}): set oauth_ca_certificate to the PEM of the authority that signed it.`,
      "config_error",
    );
  }
  const cause =
    code === "ECONNREFUSED"
      ? "connection refused"
      : code === "ENOTFOUND"
        ? "unknown host"
        : code || (error instanceof Error ? error.message : String(error));
  return new ConnectorError(
    `Could not reach the OAuth token endpoint ${endpoint}: ${cause}.`,
    code === "ENOTFOUND" ? "config_error" : "transient_error",
  );
}
