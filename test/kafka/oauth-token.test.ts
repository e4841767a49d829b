/**
 * The client credentials token provider against a real local HTTP(S) endpoint (Bun.serve on
 * 127.0.0.1) whose answers each test chooses; the clock is the test's. TLS uses the harness's
 * throwaway material (openssl, made once into .cache/secure/tls).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { ensureTlsMaterial } from "../../scripts/kafka/tls.ts";
import type { ClientCredentials } from "../../src/config/security.ts";
import { ConnectorError } from "../../src/errors.ts";
import { clientCredentialsTokens } from "../../src/kafka/oauth-token.ts";

interface Asked {
  authorization: string | null;
  contentType: string | null;
  form: Record<string, string>;
}

/** What the endpoint answers next, and what it was asked. */
let answer: () => Response | Promise<Response> = () => Response.json({ access_token: "t", expires_in: 60 });
const asked: Asked[] = [];

const serve = (tls?: { cert: string; key: string }) =>
  Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    ...(tls ? { tls } : {}),
    fetch: async (request) => {
      asked.push({
        authorization: request.headers.get("authorization"),
        contentType: request.headers.get("content-type"),
        form: Object.fromEntries(new URLSearchParams(await request.text())),
      });
      return answer();
    },
  });

let plain: ReturnType<typeof serve>;
let secure: ReturnType<typeof serve>;
let ca = "";
let otherCa = "";

beforeAll(async () => {
  const material = await ensureTlsMaterial();
  const keystore = readFileSync(material.serverKeystore, "utf8");
  ca = readFileSync(material.ca, "utf8");
  otherCa = readFileSync(material.otherCa, "utf8");
  plain = serve();
  secure = serve({ cert: keystore, key: keystore });
}, 30_000);

afterAll(() => {
  plain.stop(true);
  secure.stop(true);
});

afterEach(() => {
  asked.length = 0;
  answer = () => Response.json({ access_token: "t", expires_in: 60 });
});

const SECRET = "hunter2:s&cret";

const credentials = (overrides: Partial<ClientCredentials> = {}): ClientCredentials => ({
  tokenUrl: `http://127.0.0.1:${plain.port}/oauth2/token?tenant=x`,
  clientId: "air byte",
  clientSecret: SECRET,
  scope: "kafka.write kafka.describe",
  ca: undefined,
  ...overrides,
});

/** A clock the test moves. */
function clock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** The error the provider rejects with. */
async function failure(provider: () => Promise<string>): Promise<ConnectorError> {
  const error = await provider().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

describe("asking for a token", () => {
  it("POSTs the client credentials grant with the scope, the client in HTTP Basic, form-encoded first", async () => {
    answer = () => Response.json({ access_token: "eyJ.token", token_type: "Bearer", expires_in: 300 });
    expect(await clientCredentialsTokens(credentials(), { timeoutMs: 5_000 })()).toBe("eyJ.token");
    expect(asked).toHaveLength(1);
    expect(asked[0]?.form).toEqual({ grant_type: "client_credentials", scope: "kafka.write kafka.describe" });
    expect(asked[0]?.contentType).toBe("application/x-www-form-urlencoded");
    const basic = Buffer.from(asked[0]?.authorization?.replace(/^Basic /, "") ?? "", "base64").toString();
    expect(basic).toBe("air+byte:hunter2%3As%26cret");
  });

  it("asks for no scope when none is set", async () => {
    await clientCredentialsTokens(credentials({ scope: undefined }), { timeoutMs: 5_000 })();
    expect(asked[0]?.form).toEqual({ grant_type: "client_credentials" });
  });

  it("over https, trusting oauth_ca_certificate", async () => {
    const url = `https://127.0.0.1:${secure.port}/token`;
    expect(
      await clientCredentialsTokens(credentials({ tokenUrl: url, ca: [ca] }), { timeoutMs: 5_000 })(),
    ).toBe("t");
  });
});

describe("keeping and refreshing the token", () => {
  it("hands out the same token until 80 % of expires_in has passed, then fetches a new one", async () => {
    let issued = 0;
    answer = () => Response.json({ access_token: `token-${++issued}`, expires_in: 100 });
    const time = clock();
    const provider = clientCredentialsTokens(credentials(), { timeoutMs: 5_000, now: time.now });
    expect(await provider()).toBe("token-1");
    time.advance(79_000);
    expect(await provider()).toBe("token-1");
    time.advance(1_000);
    expect(await provider()).toBe("token-2");
    expect(asked).toHaveLength(2);
  });

  it("takes the lifetime from the token's exp claim when expires_in is missing", async () => {
    const time = clock();
    const exp = Math.floor(time.now() / 1000) + 100;
    const jwt = `e30.${Buffer.from(JSON.stringify({ exp })).toString("base64url")}.sig`;
    answer = () => Response.json({ access_token: jwt });
    const provider = clientCredentialsTokens(credentials(), { timeoutMs: 5_000, now: time.now });
    await provider();
    time.advance(79_000);
    await provider();
    expect(asked).toHaveLength(1);
    time.advance(1_000);
    await provider();
    expect(asked).toHaveLength(2);
  });

  it("asks again for every login when the lifetime is unknown", async () => {
    answer = () => Response.json({ access_token: "opaque" });
    const provider = clientCredentialsTokens(credentials(), { timeoutMs: 5_000 });
    await provider();
    await provider();
    expect(asked).toHaveLength(2);
  });

  it("logins at the same time share one request", async () => {
    const provider = clientCredentialsTokens(credentials(), { timeoutMs: 5_000 });
    expect(await Promise.all([provider(), provider(), provider()])).toEqual(["t", "t", "t"]);
    expect(asked).toHaveLength(1);
  });

  it("a refresh that fails keeps the current token while it is valid, then fails", async () => {
    const time = clock();
    const provider = clientCredentialsTokens(credentials(), { timeoutMs: 5_000, now: time.now });
    expect(await provider()).toBe("t");
    answer = () => new Response("", { status: 503 });
    time.advance(50_000); // past the refresh point, before expiry
    expect(await provider()).toBe("t");
    time.advance(10_000); // expired
    expect((await failure(provider)).failureType).toBe("transient_error");
  });
});

describe("failures name the endpoint and the cause, never the secret or a token", () => {
  const where = () => `http://127.0.0.1:${plain.port}/oauth2/token`;

  it.each<[string, () => Response, string, string]>([
    [
      "refused credentials",
      () => Response.json({ error: "invalid_client", error_description: `bad ${SECRET}` }, { status: 401 }),
      "config_error",
      "refused the client credentials: check oauth_client_id and oauth_client_secret (HTTP 401)",
    ],
    [
      "a refused scope",
      () => Response.json({ error: "invalid_scope" }, { status: 400 }),
      "config_error",
      "refused the scope: check oauth_scope (HTTP 400)",
    ],
    [
      "an unknown path",
      () => new Response("not found", { status: 404 }),
      "config_error",
      "answered HTTP 404: check oauth_token_endpoint_url",
    ],
    ["a server error", () => new Response("boom", { status: 502 }), "transient_error", "answered HTTP 502"],
    [
      "a 200 without an access_token",
      () => Response.json({ token: "x" }),
      "config_error",
      "answered without an access_token",
    ],
  ])("%s", async (_, respond, failureType, text) => {
    answer = respond;
    const error = await failure(clientCredentialsTokens(credentials(), { timeoutMs: 5_000 }));
    expect(error.failureType).toBe(failureType as ConnectorError["failureType"]);
    expect(error.message).toBe(`The OAuth token endpoint ${where()} ${text}.`);
    expect(error.message).not.toContain("hunter2");
    expect(error.message).not.toContain("tenant");
  });

  it("an endpoint that refuses connections is a transient error", async () => {
    const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const url = `http://127.0.0.1:${closed.port}/token`;
    closed.stop(true);
    const error = await failure(
      clientCredentialsTokens(credentials({ tokenUrl: url }), { timeoutMs: 5_000 }),
    );
    expect(error.failureType).toBe("transient_error");
    expect(error.message).toBe(`Could not reach the OAuth token endpoint ${url}: connection refused.`);
  });

  it("an endpoint that does not answer in time is a transient error naming request_timeout_ms", async () => {
    answer = () => Bun.sleep(2_000).then(() => Response.json({ access_token: "late" }));
    const error = await failure(clientCredentialsTokens(credentials(), { timeoutMs: 300 }));
    expect(error.failureType).toBe("transient_error");
    expect(error.message).toContain("did not answer within request_timeout_ms (300 ms)");
  });

  it.each([
    ["no CA given", undefined],
    ["another CA", () => [otherCa]],
  ])(
    "an https certificate not trusted (%s) is a config error pointing at oauth_ca_certificate",
    async (_, trusted) => {
      const url = `https://127.0.0.1:${secure.port}/token`;
      const error = await failure(
        clientCredentialsTokens(credentials({ tokenUrl: url, ca: trusted?.() }), { timeoutMs: 5_000 }),
      );
      expect(error.failureType).toBe("config_error");
      expect(error.message).toContain("is not trusted");
      expect(error.message).toContain("set oauth_ca_certificate");
    },
  );
});
