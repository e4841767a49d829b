import { describe, expect, it } from "bun:test";
import type { RegistryClient } from "../../src/registry/client.ts";
import { subjectSchema } from "../../src/registry/subject-schema.ts";

describe("subjectSchema", () => {
  it("registers the schema once, as JSON text, and keeps the id", async () => {
    const asked: [string, string, string][] = [];
    const registry: RegistryClient = {
      schemaId: async (subject, type, schema) => {
        asked.push([subject, type, schema]);
        return 42;
      },
      ping: async () => ({ compatibility: "BACKWARD", url: "http://registry" }),
    };
    const schema = subjectSchema(registry, "users-value", "AVRO", {
      type: "record",
      name: "users",
      fields: [],
    });
    expect([schema.subject, schema.schemaId]).toEqual(["users-value", undefined]);
    await schema.register();
    await schema.register();
    expect(schema.schemaId).toBe(42);
    expect(asked).toEqual([["users-value", "AVRO", '{"type":"record","name":"users","fields":[]}']]);
  });

  it("a refused registration leaves no id, so a later one asks again", async () => {
    let calls = 0;
    const registry: RegistryClient = {
      schemaId: async () => {
        calls++;
        if (calls === 1) throw new Error("409 incompatible");
        return 7;
      },
      ping: async () => ({ compatibility: "BACKWARD", url: "http://registry" }),
    };
    const schema = subjectSchema(registry, "s", "JSON", {});
    await expect(schema.register()).rejects.toThrow("409 incompatible");
    expect(schema.schemaId).toBeUndefined();
    await schema.register();
    expect(schema.schemaId).toBe(7);
  });
});
