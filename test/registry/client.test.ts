import { describe, expect, it } from "bun:test";
import type { SchemaRegistryConfig } from "../../src/config/registry.ts";
import { createRegistryClient } from "../../src/registry/client.ts";
import type { RegistryAnswer, RegistryRequest } from "../../src/registry/transport.ts";
import { connectorFailure } from "../helpers/errors.ts";

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
    const error = await connectorFailure(
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
    const error = await connectorFailure(
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
    const error = await connectorFailure(client.schemaId("s-value", "AVRO", "{}"));
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
