/**
 * The registry transport over real HTTP and HTTPS on loopback: URLs in turn, basic auth, the
 * private CA, and what a registry that cannot be reached becomes.
 */
import { afterAll, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { ensureTlsMaterial } from "../../scripts/kafka/tls.ts";
import { createRegistryClient } from "../../src/registry/client.ts";
import { connectorFailure } from "../helpers/errors.ts";

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
    const error = await connectorFailure(client.ping());
    expect(error.failureType).toBe("transient_error");
    expect(error.message).toContain("http://127.0.0.1:9");
    expect(error.message).toContain("http://127.0.0.1:7");
    expect(error.message).not.toContain("pa55word");
  });
});

describe("the registry transport over https", async () => {
  const tls = await ensureTlsMaterial();
  const keystore = readFileSync(tls.serverKeystore, "utf8");
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: { cert: keystore, key: keystore },
    fetch: () => Response.json({ compatibilityLevel: "FULL" }),
  });
  afterAll(() => server.stop(true));
  const url = `https://127.0.0.1:${server.port}`;

  it("trusts the registry's private CA given as ca_certificate", async () => {
    const client = createRegistryClient({ url, ca_certificate: readFileSync(tls.ca, "utf8") }, 5000);
    expect(await client.ping()).toEqual({ compatibility: "FULL", url });
  });

  it.each([
    ["without ca_certificate", undefined],
    ["with another CA", tls.otherCa],
  ])("refuses an untrusted certificate %s, as a config error", async (_, caPath) => {
    const ca = caPath === undefined ? {} : { ca_certificate: readFileSync(caPath, "utf8") };
    const error = await connectorFailure(createRegistryClient({ url, ...ca }, 5000).ping());
    expect(error.failureType).toBe("config_error");
    expect(error.message).toContain("its certificate is not trusted");
  });
});
