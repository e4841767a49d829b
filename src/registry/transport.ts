/**
 * HTTP to a Schema Registry over the runtime's `fetch`: basic auth, a private CA for https, and
 * several URLs tried in turn (a registry that cannot be reached, times out or answers 5xx gives way
 * to the next). An answer below 500 is returned as it is, for the caller to read. When none answers,
 * a transient_error names each URL and its cause — a config_error when a certificate was not
 * trusted, which waiting will not fix. Credentials never appear in a message.
 */
import { Buffer } from "node:buffer";
import { registryUrls, type SchemaRegistryConfig } from "../config/registry.ts";
import { ConnectorError } from "../errors.ts";

export interface RegistryAnswer {
  status: number;
  body: unknown;
  /** The URL that answered. */
  url: string;
}

export type RegistryRequest = (
  method: "GET" | "POST",
  path: string,
  body?: unknown,
) => Promise<RegistryAnswer>;

export const CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

export function createTransport(
  config: SchemaRegistryConfig,
  timeoutMs: number,
  fetchImpl: typeof fetch = fetch,
): RegistryRequest {
  const urls = registryUrls(config);
  const headers: Record<string, string> = { Accept: CONTENT_TYPE, "Content-Type": CONTENT_TYPE };
  if (config.username) {
    headers.Authorization = `Basic ${Buffer.from(`${config.username}:${config.password ?? ""}`).toString("base64")}`;
  }
  const tls = config.ca_certificate ? tlsOptions(config.ca_certificate) : {};
  return async (method, path, body) => {
    const causes: string[] = [];
    let untrusted = false;
    for (const base of urls) {
      const url = `${base}${path}`;
      try {
        const response = await fetchImpl(url, {
          method,
          headers,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(timeoutMs),
          ...tls,
        });
        const text = await response.text();
        if (response.status >= 500) {
          causes.push(`${base} answered HTTP ${response.status}`);
          continue;
        }
        return { status: response.status, body: parseBody(text), url: base };
      } catch (error) {
        untrusted ||= isCertificateError(error);
        causes.push(`${base}: ${networkCause(error, timeoutMs)}`);
      }
    }
    if (untrusted) {
      throw new ConnectorError(
        `Could not reach the Schema Registry (${causes.join("; ")}): its certificate is not trusted. Set schema_registry.ca_certificate to the PEM of the authority that signed it.`,
        "config_error",
      );
    }
    throw new ConnectorError(
      `Could not reach the Schema Registry (${causes.join("; ")}). Check schema_registry.url and that the registry is running.`,
      "transient_error",
    );
  };
}

// --- internal ---

/**
 * A private CA for https: Bun reads `tls.ca` from fetch's options; Deno takes an HTTP client made
 * with `caCerts`. Each runtime ignores the other's option.
 */
function tlsOptions(ca: string): Record<string, unknown> {
  const deno = (globalThis as { Deno?: { createHttpClient(options: { caCerts: string[] }): unknown } }).Deno;
  return deno ? { client: deno.createHttpClient({ caCerts: [ca] }) } : { tls: { ca } };
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** TLS verification failures (OpenSSL / BoringSSL / rustls codes and messages). */
function isCertificateError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  const text = `${typeof code === "string" ? code : ""} ${error instanceof Error ? error.message : ""}`;
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|certificate/i.test(text);
}

function networkCause(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `no answer within ${timeoutMs} ms (request_timeout_ms)`;
  }
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" && !message.includes(code) ? `${message} (${code})` : message;
}
