/**
 * A small OIDC identity provider for tests, on 127.0.0.1: a token endpoint for the client
 * credentials grant (one client, HTTP Basic, form-encoded as RFC 6749 §2.3.1 says; over https when
 * given a keystore) and, on a second, plain-http port, the JWKS that a broker validates its tokens
 * against. Tokens are RS256 JWTs signed with node:crypto, with `iss`, `aud`, `sub` (the client id),
 * `scope`, `iat`, `exp` and `jti`. It records every token it hands out, so tests can count
 * refreshes and check that none leaks into any output. Starts no JVM.
 */
import { generateKeyPairSync, type KeyObject, randomUUID, sign } from "node:crypto";

export interface TokenServerOptions {
  clientId: string;
  clientSecret: string;
  /** How long each token is valid, in seconds (`expires_in` and `exp`). */
  lifetimeSeconds: number;
  /** The `aud` of every token. */
  audience: string;
  /** PEM private key and certificate chain (one text) to serve the token endpoint over https. */
  keystore?: string;
}

export interface TokenServer {
  /** POST here with grant_type=client_credentials. */
  tokenUrl: string;
  /** The signing keys, as a JWK set. */
  jwksUrl: string;
  /** The `iss` of every token. */
  issuer: string;
  /** Every token handed out, in order. */
  issued: string[];
  /** Token requests refused (wrong client, secret or grant). */
  refused(): number;
  /** The scopes asked for, one entry per token request that got a token. */
  scopes: (string | null)[];
  /** Sets the lifetime of the tokens handed out from now on. */
  setLifetime(seconds: number): void;
  stop(): void;
}

export function startTokenServer(options: TokenServerOptions): TokenServer {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomUUID();
  const jwks = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request) =>
      new URL(request.url).pathname === "/jwks"
        ? Response.json({ keys: [{ ...publicKey.export({ format: "jwk" }), kid, use: "sig", alg: "RS256" }] })
        : new Response("not found", { status: 404 }),
  });
  const issuer = `http://127.0.0.1:${jwks.port}`;
  const issued: string[] = [];
  const scopes: (string | null)[] = [];
  let refused = 0;
  let lifetimeSeconds = options.lifetimeSeconds;
  const expected = `Basic ${Buffer.from(`${formEncoded(options.clientId)}:${formEncoded(options.clientSecret)}`).toString("base64")}`;
  const tokens = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    ...(options.keystore ? { tls: { cert: options.keystore, key: options.keystore } } : {}),
    fetch: async (request) => {
      if (request.method !== "POST" || new URL(request.url).pathname !== "/token")
        return new Response("not found", { status: 404 });
      const form = new URLSearchParams(await request.text());
      if (request.headers.get("authorization") !== expected) {
        refused++;
        return Response.json({ error: "invalid_client" }, { status: 401 });
      }
      if (form.get("grant_type") !== "client_credentials") {
        refused++;
        return Response.json({ error: "unsupported_grant_type" }, { status: 400 });
      }
      const scope = form.get("scope");
      const claims = {
        iss: issuer,
        aud: options.audience,
        sub: options.clientId,
        ...(scope ? { scope } : {}),
      };
      const token = signedJwt(privateKey, kid, claims, lifetimeSeconds);
      issued.push(token);
      scopes.push(scope);
      return Response.json({ access_token: token, token_type: "Bearer", expires_in: lifetimeSeconds });
    },
  });
  return {
    tokenUrl: `${options.keystore ? "https" : "http"}://127.0.0.1:${tokens.port}/token`,
    jwksUrl: `${issuer}/jwks`,
    issuer,
    issued,
    refused: () => refused,
    scopes,
    setLifetime: (seconds) => {
      lifetimeSeconds = seconds;
    },
    stop: () => {
      tokens.stop(true);
      jwks.stop(true);
    },
  };
}

// --- internal ---

const formEncoded = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);

function signedJwt(
  key: KeyObject,
  kid: string,
  claims: Record<string, string>,
  lifetimeSeconds: number,
): string {
  const iat = Math.floor(Date.now() / 1000);
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const signingInput = `${part({ alg: "RS256", typ: "JWT", kid })}.${part({ ...claims, iat, exp: iat + lifetimeSeconds, jti: randomUUID() })}`;
  return `${signingInput}.${sign("sha256", Buffer.from(signingInput), key).toString("base64url")}`;
}
