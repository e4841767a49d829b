/**
 * OAUTHBEARER with an OIDC identity provider, end to end: a token server this test runs on
 * 127.0.0.1 (scripts/kafka/token-server.ts: the client credentials grant over https, RS256 JWTs,
 * a JWKS) and a broker that validates tokens against that JWKS and makes sessions end when their
 * token expires (scripts/kafka/oidc.ts). The connector fetches tokens with oauth_client_id and
 * oauth_client_secret, trusting the endpoint's certificate through oauth_ca_certificate.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { stopBroker } from "../../scripts/kafka/broker.ts";
import { freeLoopbackPort } from "../../scripts/kafka/loopback.ts";
import { type OidcBroker, startOidcBroker } from "../../scripts/kafka/oidc.ts";
import { ensureTlsMaterial } from "../../scripts/kafka/tls.ts";
import { startTokenServer, type TokenServer } from "../../scripts/kafka/token-server.ts";
import { clientCredentialsTokens } from "../../src/kafka/oauth-token.ts";
import {
  connectionStatus,
  jsonFile,
  ofType,
  type RunResult,
  recordingRun,
  startConnector,
  traceError,
} from "../helpers/connector.ts";
import { readTopics, uniqueName } from "../helpers/kafka.ts";

const CLIENT_ID = "airbyte-sync";
const CLIENT_SECRET = `secret-${crypto.randomUUID()}`;
const WRONG_SECRET = `wrong-${crypto.randomUUID()}`;
const AUDIENCE = "kafka-cluster";

let server: TokenServer;
let broker: OidcBroker;
let ca = "";
/** Every stdout and stderr the connector produced in this file, checked for secrets at the end. */
const outputs: string[] = [];
const run = recordingRun(outputs);

beforeAll(async () => {
  const tls = await ensureTlsMaterial();
  ca = readFileSync(tls.ca, "utf8");
  server = startTokenServer({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    lifetimeSeconds: 300,
    audience: AUDIENCE,
    keystore: readFileSync(tls.serverKeystore, "utf8"),
  });
  // No leeway on expiry: a token is refused the moment it expires.
  broker = await startOidcBroker({
    jwksUrl: server.jwksUrl,
    issuer: server.issuer,
    audience: AUDIENCE,
    clockSkewSeconds: 0,
  });
}, 120_000);

afterAll(async () => {
  server?.stop();
  await stopBroker(broker?.name ?? "oidc");
});

const protocol = (overrides: Record<string, unknown> = {}) => ({
  security_protocol: "SASL_PLAINTEXT",
  sasl_mechanism: "OAUTHBEARER",
  oauth_token_endpoint_url: server.tokenUrl,
  oauth_client_id: CLIENT_ID,
  oauth_client_secret: CLIENT_SECRET,
  oauth_scope: "kafka.write",
  oauth_ca_certificate: ca,
  ...overrides,
});

const config = (
  topic: string,
  protocolConfig: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) =>
  jsonFile("config.json", {
    bootstrap_servers: broker.oauth,
    topic_pattern: topic,
    acks: "all",
    max_block_ms: "5000",
    ...extra,
    protocol: protocolConfig,
  });

const CATALOG = () =>
  jsonFile("catalog.json", { streams: [{ stream: { name: "s" }, destination_sync_mode: "append" }] });

/** Records `from` to `to - 1` (`data.i`), then a STATE saying `to`. */
function round(from: number, to: number): string {
  let text = "";
  for (let i = from; i < to; i++)
    text += `{"type":"RECORD","record":{"stream":"s","data":{"i":${i}},"emitted_at":1}}\n`;
  return `${text}{"type":"STATE","state":{"data":{"upTo":${to}}}}\n`;
}

const landed = async (topic: string) =>
  (await readTopics(broker.plaintext, [topic])).map((r) => JSON.parse(r.value)._airbyte_data.i as number);

/** A sync fed `rounds` rounds of 200 records, one every `everyMs`, so that it lasts that long. */
async function slowSync(
  topic: string,
  protocolConfig: Record<string, unknown>,
  rounds: number,
  everyMs: number,
) {
  const live = startConnector([
    "write",
    "--config",
    config(topic, protocolConfig, { delivery_timeout_ms: 8000, request_timeout_ms: 4000 }),
    "--catalog",
    CATALOG(),
  ]);
  for (let r = 0; r < rounds; r++) {
    live.write(round(r * 200, (r + 1) * 200));
    await Bun.sleep(everyMs);
  }
  await live.end();
  const result: RunResult = await live.finished(60_000);
  outputs.push(JSON.stringify(result.messages), result.stderr);
  return result;
}

describe("OAUTHBEARER with an OIDC token endpoint (client credentials)", () => {
  it("check SUCCEEDED and a write lands every record, with tokens from the endpoint over https", async () => {
    const before = server.issued.length;
    const check = await run(["check", "--config", config("unused", protocol())]);
    expect(connectionStatus(check.messages)).toEqual({ status: "SUCCEEDED" });
    const topic = uniqueName("oidc");
    const write = await run(
      ["write", "--config", config(topic, protocol()), "--catalog", CATALOG()],
      round(0, 100),
    );
    expect(ofType(write.messages, "TRACE")).toEqual([]);
    expect(write.exitCode).toBe(0);
    expect(ofType(write.messages, "STATE")).toHaveLength(1);
    expect(await landed(topic)).toEqual([...Array(100).keys()]);
    // One token per run: every connection of a run shares it.
    expect(server.issued.length - before).toBe(2);
    expect(server.scopes.at(-1)).toBe("kafka.write");
  }, 60_000);

  it("the broker takes only the provider's tokens: an unsigned one is refused", async () => {
    const unsigned = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify({ sub: CLIENT_ID, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 300 })).toString("base64url")}.`;
    const check = await run([
      "check",
      "--config",
      config("unused", {
        security_protocol: "SASL_PLAINTEXT",
        sasl_mechanism: "OAUTHBEARER",
        oauth_token: unsigned,
      }),
    ]);
    expect(connectionStatus(check.messages).message).toContain("refused the OAuth token");
  }, 30_000);

  it("a wrong client secret is a config_error at once, in check and in write", async () => {
    const refusedBefore = server.refused();
    const wrong = protocol({ oauth_client_secret: WRONG_SECRET });
    const started = performance.now();
    const check = await run(["check", "--config", config("unused", wrong)]);
    const status = connectionStatus(check.messages);
    expect(check.exitCode).toBe(1);
    expect(status.status).toBe("FAILED");
    expect(status.message).toContain(
      `The OAuth token endpoint ${server.tokenUrl} refused the client credentials: check oauth_client_id and oauth_client_secret (HTTP 401)`,
    );
    const write = await run(
      ["write", "--config", config(uniqueName("oidc"), wrong), "--catalog", CATALOG()],
      round(0, 10),
    );
    expect(write.exitCode).toBe(1);
    const error = traceError(write.messages);
    expect(error.failure_type).toBe("config_error");
    expect(error.message).toContain("refused the client credentials");
    expect(ofType(write.messages, "STATE")).toEqual([]);
    // Not retried until max_block_ms: refused credentials do not get better.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(server.refused() - refusedBefore).toBe(2);
  }, 30_000);

  it("a token endpoint that is down is a clear transient error, within max_block_ms", async () => {
    const down = `https://127.0.0.1:${await freeLoopbackPort()}/token`;
    const patience = { max_block_ms: "3000" };
    const check = await run([
      "check",
      "--config",
      config("unused", protocol({ oauth_token_endpoint_url: down }), patience),
    ]);
    expect(connectionStatus(check.messages).message).toContain(
      `Could not reach the OAuth token endpoint ${down}: connection refused`,
    );
    const started = performance.now();
    const write = await run(
      [
        "write",
        "--config",
        config(uniqueName("oidc"), protocol({ oauth_token_endpoint_url: down }), patience),
        "--catalog",
        CATALOG(),
      ],
      round(0, 10),
    );
    expect(write.exitCode).toBe(1);
    const error = traceError(write.messages);
    expect(error.failure_type).toBe("transient_error");
    expect(error.message).toContain(`Could not reach the OAuth token endpoint ${down}: connection refused`);
    expect(performance.now() - started).toBeLessThan(3_000 + 5_000);
  }, 30_000);

  describe("tokens that expire mid-sync (4 s lifetime, no clock skew, sessions end with their token)", () => {
    beforeAll(() => server.setLifetime(4));
    afterAll(() => server.setLifetime(300));

    it("the control: a fixed oauth_token that expires mid-sync fails it", async () => {
      const token = await fetchToken();
      const topic = uniqueName("oidcfixed");
      const result = await slowSync(
        topic,
        { security_protocol: "SASL_PLAINTEXT", sasl_mechanism: "OAUTHBEARER", oauth_token: token },
        12,
        1000,
      );
      expect(result.exitCode).toBe(1);
      expect(ofType(result.messages, "STATE").length).toBeLessThan(12);
      // The broker ends the session when the token expires; the error says what to do about it.
      expect(traceError(result.messages).message).toMatch(
        /refused the OAuth token \(invalid or expired\)|a fixed oauth_token has expired: give oauth_token_endpoint_url/,
      );
    }, 60_000);

    it("tokens from the endpoint are refreshed before they expire: the sync completes, every record once", async () => {
      const before = server.issued.length;
      const topic = uniqueName("oidcrefresh");
      const result = await slowSync(topic, protocol(), 12, 1000);
      expect(ofType(result.messages, "TRACE")).toEqual([]);
      expect(result.exitCode).toBe(0);
      expect(ofType(result.messages, "STATE")).toHaveLength(12);
      expect((await landed(topic)).sort((a, b) => a - b)).toEqual([...Array(2400).keys()]);
      // About 12 s of 4-second tokens, each replaced at 80 % of its life.
      expect(server.issued.length - before).toBeGreaterThanOrEqual(3);
      console.log(`[oidc] a 12 s sync with 4 s tokens used ${server.issued.length - before} tokens`);
    }, 60_000);
  });

  it("no output of any run holds the client secret, the wrong secret or any token handed out", () => {
    const everything = outputs.join("\n");
    expect(outputs.length).toBeGreaterThan(10);
    expect(server.issued.length).toBeGreaterThan(3);
    for (const secret of [CLIENT_SECRET, WRONG_SECRET, ...server.issued])
      expect(everything).not.toContain(secret);
    // Nor any token's signature alone.
    for (const token of server.issued) expect(everything).not.toContain(token.split(".")[2] ?? "");
  });
});

/** A token from the endpoint, as a client would fetch one (for the fixed-token control). */
async function fetchToken(): Promise<string> {
  return clientCredentialsTokens(
    {
      tokenUrl: server.tokenUrl,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      scope: undefined,
      ca: [ca],
    },
    { timeoutMs: 5_000 },
  )();
}
