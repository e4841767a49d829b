import { afterAll, describe, expect, it } from "bun:test";
import type { SchemaRegistryConfig } from "../../src/config/registry.ts";
import { ConnectorError } from "../../src/errors.ts";
import { createRegistryClient } from "../../src/registry/client.ts";
import type { RegistryAnswer, RegistryRequest } from "../../src/registry/transport.ts";

const CONFIG: SchemaRegistryConfig = { url: "http://registry:8081" };

/** A request function answering from a table keyed by "METHOD path"; records what was asked. */
function scripted(answers: Record<string, Partial<RegistryAnswer>>) {
  const asked: string[] = [];
  const request: RegistryRequest = async (method, path) => {
    const key = `${method} ${path}`;
    asked.push(key);
    const answer = answers[key];
    if (!answer) return { status: 404, body: { error_code: 40401 }, url: CONFIG.url };
    return { status: 200, url: CONFIG.url, body: undefined, ...answer };
  };
  return { asked, request };
}

async function failure(work: Promise<unknown>): Promise<ConnectorError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

describe("the registry client", () => {
  it("finds a schema the subject already has, without registering it, and asks once", async () => {
    const { asked, request } = scripted({ "POST /subjects/t-value": { body: { id: 7, version: 1 } } });
    const client = createRegistryClient(CONFIG, 1000, request);
    expect(await client.schemaId("t-value", "AVRO", '"string"')).toBe(7);
    expect(await client.schemaId("t-value", "AVRO", '"string"')).toBe(7);
    expect(asked).toEqual(["POST /subjects/t-value"]);
  });

  it("registers a schema the subject does not have", async () => {
    const { asked, request } = scripted({ "POST /subjects/t%2Fx-value/versions": { body: { id: 12 } } });
    const client = createRegistryClient(CONFIG, 1000, request);
    expect(await client.schemaId("t/x-value", "JSON", "{}")).toBe(12);
    expect(asked).toEqual(["POST /subjects/t%2Fx-value", "POST /subjects/t%2Fx-value/versions"]);
  });

  it("turns an incompatible schema (409) into a config error naming the subject and its level", async () => {
    const { request } = scripted({
      "POST /subjects/s-value/versions": { status: 409, body: { error_code: 409 } },
      "GET /config/s-value?defaultToGlobal=true": { body: { compatibilityLevel: "FULL_TRANSITIVE" } },
    });
    const error = await failure(
      createRegistryClient(CONFIG, 1000, request).schemaId("s-value", "AVRO", "{}"),
    );
    expect(error.failureType).toBe("config_error");
    expect(error.message).toContain("subject s-value");
    expect(error.message).toContain("compatibility level FULL_TRANSITIVE");
  });

  it("falls back to the global level when the registry has no per-subject config", async () => {
    const { asked, request } = scripted({
      "POST /subjects/s-value/versions": { status: 409 },
      "GET /config": { body: { compatibilityLevel: "BACKWARD" } },
    });
    const error = await failure(
      createRegistryClient(CONFIG, 1000, request).schemaId("s-value", "AVRO", "{}"),
    );
    expect(error.message).toContain("compatibility level BACKWARD");
    expect(asked.slice(-2)).toEqual(["GET /config/s-value?defaultToGlobal=true", "GET /config"]);
  });

  it("reports refused credentials as a config error, and does not cache a failure", async () => {
    const answers: Record<string, Partial<RegistryAnswer>> = {
      "POST /subjects/s-value": { status: 401, body: { message: "Unauthorized", error_code: 40101 } },
    };
    const { request } = scripted(answers);
    const client = createRegistryClient(CONFIG, 1000, request);
    const error = await failure(client.schemaId("s-value", "AVRO", "{}"));
    expect(error.failureType).toBe("config_error");
    expect(error.message).toContain("refused the credentials");
    answers["POST /subjects/s-value"] = { body: { id: 3 } };
    expect(await client.schemaId("s-value", "AVRO", "{}")).toBe(3);
  });

  it("ping gives the global compatibility level and the URL that answered", async () => {
    const { request } = scripted({ "GET /config": { body: { compatibilityLevel: "BACKWARD" } } });
    expect(await createRegistryClient(CONFIG, 1000, request).ping()).toEqual({
      compatibility: "BACKWARD",
      url: CONFIG.url,
    });
  });
});

describe("the registry transport (real HTTP on loopback)", () => {
  const seen: { authorization: string | null; contentType: string | null; body: string }[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      seen.push({
        authorization: request.headers.get("authorization"),
        contentType: request.headers.get("content-type"),
        body: await request.text(),
      });
      return Response.json({ id: 42 });
    },
  });
  afterAll(() => server.stop(true));
  const live = `http://127.0.0.1:${server.port}`;
  /** A loopback port nothing listens on (the server's, once stopped, could be reused). */
  const dead = "http://127.0.0.1:9";

  it("tries the URLs in turn, with basic auth, and sends the schema as Confluent's API takes it", async () => {
    const client = createRegistryClient(
      { url: `${dead}, ${live}/`, username: "user", password: "pa55word" },
      2000,
    );
    expect(await client.schemaId("t-value", "JSON", '{"type":"object"}')).toBe(42);
    expect(seen[0]?.authorization).toBe(`Basic ${btoa("user:pa55word")}`);
    expect(seen[0]?.contentType).toBe("application/vnd.schemaregistry.v1+json");
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({ schema: '{"type":"object"}', schemaType: "JSON" });
  });

  it("fails with a transient error naming each URL when none answers, never the password", async () => {
    const client = createRegistryClient(
      { url: `${dead},http://127.0.0.1:7`, username: "u", password: "pa55word" },
      2000,
    );
    const error = await failure(client.ping());
    expect(error.failureType).toBe("transient_error");
    expect(error.message).toContain("http://127.0.0.1:9");
    expect(error.message).toContain("http://127.0.0.1:7");
    expect(error.message).not.toContain("pa55word");
  });
});
