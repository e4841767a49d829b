/** check's registry step, against a fake registry on loopback HTTP. */
import { afterAll, describe, expect, it } from "bun:test";
import { checkRegistry } from "../../src/registry/check.ts";
import { configWith } from "../helpers/config.ts";

describe("checkRegistry", () => {
  let pings = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      if (new URL(request.url).pathname !== "/config") return new Response("not found", { status: 404 });
      pings++;
      return Response.json({ compatibilityLevel: "FULL" });
    },
  });
  afterAll(() => server.stop(true));
  const url = `http://127.0.0.1:${server.port}`;
  const registry = { schema_registry: { url } };

  it.each([
    [{ value_format: "avro" }, "value_format avro registers each stream's schema there."],
    [
      { key_format: "avro" }, // with json values: the registry is still needed for the keys
      "key_format avro registers each stream's key schema there.",
    ],
    [
      { value_format: "json_schema", key_format: "json_schema" },
      "value_format json_schema and key_format json_schema register each stream's schemas there.",
    ],
  ])("%p reaches the registry and says so", async (formats, said) => {
    const before = pings;
    const note = await checkRegistry(configWith({ ...registry, ...formats }));
    expect(note).toBe(`The Schema Registry at ${url} answered (global compatibility FULL); ${said}`);
    expect(pings).toBe(before + 1);
  });

  it("with no registry format, the registry is not contacted, even when configured", async () => {
    const before = pings;
    expect(await checkRegistry(configWith({ ...registry, key_format: "json" }))).toBeUndefined();
    expect(pings).toBe(before);
  });

  it("a registry that does not answer fails check", async () => {
    const config = configWith({ value_format: "avro", schema_registry: { url: "http://127.0.0.1:9" } });
    await expect(checkRegistry(config)).rejects.toThrow();
  });
});
