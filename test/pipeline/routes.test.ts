import { describe, expect, it } from "bun:test";
import { createRoutes, type Route } from "../../src/pipeline/routes.ts";
import type { CatalogStream } from "../../src/protocol/catalog.ts";
import type { RecordLine } from "../../src/protocol/parse.ts";
import type { RegistryClient } from "../../src/registry/client.ts";
import { configWith } from "../helpers/config.ts";

const entry = (name: string, namespace?: string, extra: Partial<CatalogStream> = {}): CatalogStream => ({
  stream: { name, namespace },
  destinationSyncMode: "append",
  primaryKey: [],
  jsonSchema: { type: "object", properties: { id: { type: "integer" } } },
  ...extra,
});
const catalog = [entry("users", "public", { primaryKey: [["id"]] }), entry("orders")];
const line = (data: Record<string, unknown>, name = "users", namespace: string | undefined = "public") => {
  const text = JSON.stringify(data);
  return {
    kind: "record",
    stream: { name, namespace },
    emittedAt: 1,
    dataBytes: new TextEncoder().encode(text),
    data,
  } satisfies RecordLine;
};
const registry: RegistryClient = {
  schemaId: async () => 7,
  ping: async () => ({ compatibility: "BACKWARD", url: "http://registry" }),
};

/** The route of `name`, failing the test when there is none. */
function routeOf(routes: ReturnType<typeof createRoutes>, name: string, namespace?: string): Route {
  const route = routes.of({ name, namespace });
  if (typeof route === "string") throw new Error(route);
  return route;
}

describe("routes: topics and identity", () => {
  it("gives each catalog stream its topic by the Java rule, and all() lists them in catalog order", () => {
    const routes = createRoutes(configWith(), catalog, undefined);
    expect(routes.all().map((route) => [route.label, route.topic, route.key])).toEqual([
      ["public.users", "public_users", routeOf(routes, "users", "public").key],
      ["orders", "_orders", routeOf(routes, "orders").key],
    ]);
    expect(routeOf(routes, "users", "public").key).not.toBe(routeOf(routes, "orders").key);
  });

  it.each([
    ["an unknown name", "nope", "public", "public.nope"],
    ["a known name in another namespace", "users", "private", "private.users"],
    ["a known name without its namespace", "users", undefined, "users"],
    ["a namespaced record of a stream the catalog has without one", "orders", "public", "public.orders"],
  ])("%s is not in the catalog: the reason names the stream", (_, name, namespace, label) => {
    const routes = createRoutes(configWith(), catalog, undefined);
    expect(routes.of({ name, namespace })).toBe(
      `it is a record of stream ${label}, which is not in the configured catalog`,
    );
  });

  it("a name that only spells namespace.name of a catalog stream is not that stream", () => {
    const routes = createRoutes(configWith(), [entry("public.users")], undefined);
    expect(typeof routes.of({ name: "users", namespace: "public" })).toBe("string");
    expect(routeOf(routes, "public.users").topic).toBe("_public_users");
  });

  it("without a catalog, a stream's route is made when it first appears, and kept", () => {
    const routes = createRoutes(configWith(), undefined, undefined);
    expect(routes.all()).toEqual([]);
    const first = routeOf(routes, "events", "app");
    expect(first.topic).toBe("app_events");
    expect(routeOf(routes, "events", "app")).toBe(first);
    expect(routes.all()).toEqual([first]);
  });

  it("without a catalog, a stream whose topic cannot work throws a config error when it appears", () => {
    const routes = createRoutes(configWith(), undefined, undefined);
    expect(() => routes.of({ name: "x".repeat(260), namespace: undefined })).toThrow(
      "Kafka allows at most 249",
    );
  });
});

describe("routes: configs that cannot work are refused before anything is sent", () => {
  const refusals: [string, Record<string, unknown>, CatalogStream[] | undefined, boolean, string][] = [
    ["a topic name over 249 characters", {}, [entry("x".repeat(260))], false, "Kafka allows at most 249"],
    [
      "message_key primary_key without a catalog",
      { message_key: "primary_key" },
      undefined,
      false,
      "message_key is primary_key, which needs the configured catalog",
    ],
    [
      "message_key primary_key on a stream without one",
      { message_key: "primary_key" },
      [entry("orders")],
      false,
      "stream orders has no primary key in the catalog",
    ],
    [
      "value_format avro without a catalog",
      { value_format: "avro", schema_registry: { url: "http://registry" } },
      undefined,
      true,
      "value_format is avro, which needs the configured catalog",
    ],
    [
      "key_format json_schema without a catalog",
      { key_format: "json_schema", schema_registry: { url: "http://registry" } },
      undefined,
      true,
      "key_format is json_schema, which needs the configured catalog",
    ],
    [
      "value_format json_schema without a registry client",
      { value_format: "json_schema", schema_registry: { url: "http://registry" } },
      catalog,
      false,
      "value_format is json_schema, which needs a Schema Registry client",
    ],
    [
      "streams sharing a topic under subject_name_strategy topic",
      { value_format: "avro", schema_registry: { url: "http://registry" }, topic_pattern: "all" },
      catalog,
      true,
      "Streams public.users and orders both write to topic all",
    ],
  ];

  it.each(refusals)("%s", (_, config, streams, withRegistry, message) => {
    expect(() => createRoutes(configWith(config), streams, withRegistry ? registry : undefined)).toThrow(
      message,
    );
  });

  it("streams may share a topic when no schema of theirs is registered (key_format avro, message_key none)", () => {
    const config = configWith({
      key_format: "avro",
      message_key: "none",
      schema_registry: { url: "http://registry" },
      topic_pattern: "all",
    });
    const routes = createRoutes(config, catalog, registry);
    expect(routes.all().map((route) => [route.topic, route.usesRegistry])).toEqual([
      ["all", false],
      ["all", false],
    ]);
  });
});

describe("routes: encoding a record", () => {
  it("message_key uuid: the id in the value is the key; totals count the record", () => {
    const route = routeOf(createRoutes(configWith(), catalog, undefined), "users", "public");
    const encoded = route.encode(line({ id: 1 }));
    if (typeof encoded === "string") throw new Error(encoded);
    expect(JSON.parse(String(encoded.value))._airbyte_ab_id).toBe(encoded.key?.toString());
    expect([route.records, route.bytes]).toEqual([1, encoded.size]);
    expect(route.pending()).toBeUndefined();
  });

  it.each([
    ["none", {}, undefined],
    ["fields, as a string", { message_key: "fields", message_key_fields: [["id"]] }, "42"],
    ["fields, as json", { message_key: "fields", message_key_fields: [["id"]], key_format: "json" }, "42"],
    ["primary_key", { message_key: "primary_key" }, "42"],
  ])("message_key %s", (_, config, key) => {
    const route = routeOf(
      createRoutes(configWith({ message_key: "none", ...config }), catalog.slice(0, 1), undefined),
      "users",
      "public",
    );
    const encoded = route.encode(line({ id: 42 }));
    if (typeof encoded === "string") throw new Error(encoded);
    expect(encoded.key?.toString()).toBe(key);
  });

  it("headers on: a catalog stream's generation_id goes in the airbyte_generation_id header", () => {
    const generations = [entry("users", "public", { generationId: 5 }), entry("orders")];
    const routes = createRoutes(configWith({ headers: true }), generations, undefined);
    const headerOf = (encoded: ReturnType<Route["encode"]>) => {
      if (typeof encoded === "string") throw new Error(encoded);
      const found = encoded.headers?.find(([name]) => name.toString() === "airbyte_generation_id");
      return found?.[1].toString();
    };
    expect(headerOf(routeOf(routes, "users", "public").encode(line({ id: 1 })))).toBe("5");
    expect(headerOf(routeOf(routes, "orders").encode(line({ id: 1 }, "orders", undefined)))).toBeUndefined();
  });

  it("message_layout airbyte_v2: the V2 value with the catalog's sync and generation, keyed by the raw id", () => {
    const v2 = [entry("users", "public", { generationId: 2, syncId: 9 })];
    const route = routeOf(
      createRoutes(configWith({ message_layout: "airbyte_v2" }), v2, undefined),
      "users",
      "public",
    );
    const encoded = route.encode(line({ id: 1 }));
    if (typeof encoded === "string") throw new Error(encoded);
    const value = JSON.parse(String(encoded.value));
    expect(value._airbyte_raw_id).toBe(encoded.key?.toString());
    expect(value).toMatchObject({ _airbyte_meta: { sync_id: 9, changes: [] }, _airbyte_generation_id: 2 });
  });

  it("cdc_deletes tombstone: a CDC delete is its row's key with a null value; other records are as ever", () => {
    const config = configWith({ message_key: "primary_key", cdc_deletes: "tombstone", headers: true });
    const route = routeOf(createRoutes(config, catalog.slice(0, 1), undefined), "users", "public");
    const deleted = route.encode(line({ id: 7, _ab_cdc_deleted_at: "2024-01-01T00:00:00Z" }));
    if (typeof deleted === "string") throw new Error(deleted);
    expect([deleted.key?.toString(), deleted.value]).toEqual(["7", null]);
    expect(deleted.headers?.map(([name]) => name.toString())).toContain("airbyte_stream");
    let headerBytes = 0;
    for (const [name, value] of deleted.headers ?? []) headerBytes += name.length + value.length + 10;
    expect(deleted.size).toBe(82 + 1 + headerBytes);
    for (const data of [{ id: 8, _ab_cdc_deleted_at: null }, { id: 9 }]) {
      const kept = route.encode(line(data));
      if (typeof kept === "string") throw new Error(kept);
      expect(JSON.parse(String(kept.value))._airbyte_data).toEqual(data);
    }
  });

  it("cdc_deletes tombstone with a key that is not the row's is a config error", () => {
    expect(() => createRoutes(configWith({ cdc_deletes: "tombstone" }), catalog, undefined)).toThrow(
      "cdc_deletes is tombstone, which needs message_key primary_key (or fields): a tombstone deletes its key, so it must carry the row's key, and stream public.users would be keyed by uuid.",
    );
  });

  it("a record without its key field is refused with the reason, counted nowhere", () => {
    const config = configWith({ message_key: "fields", message_key_fields: [["user", "id"]] });
    const route = routeOf(createRoutes(config, catalog, undefined), "users", "public");
    expect(route.encode(line({ user: {} }))).toBe(
      "the record of stream public.users has no message key: its key field user.id is missing or null",
    );
    expect(route.records).toBe(0);
  });

  it("a record over max_request_size is refused naming the stream, its size and the limit, never its content", () => {
    const route = routeOf(createRoutes(configWith({ max_request_size: 300 }), catalog, undefined), "orders");
    const reason = route.encode(line({ blob: "secret".repeat(100) }, "orders", undefined));
    expect(reason).toMatch(
      /^the record of stream orders is \d+ bytes once encoded, over max_request_size \(300 bytes\)$/,
    );
    expect(reason).not.toContain("secret");
    expect([route.records, route.bytes]).toEqual([0, 0]);
  });

  it("with a registry format, the schemas are registered before the first record, once", async () => {
    let registrations = 0;
    const counting: RegistryClient = {
      ...registry,
      schemaId: async () => {
        registrations++;
        return 9;
      },
    };
    const config = configWith({ value_format: "json_schema", schema_registry: { url: "http://registry" } });
    const route = routeOf(createRoutes(config, catalog, counting), "users", "public");
    expect(route.usesRegistry).toBe(true);
    await route.pending();
    expect(route.pending()).toBeUndefined();
    expect(registrations).toBe(1);
    const encoded = route.encode(line({ id: 1 }));
    if (typeof encoded === "string") throw new Error(encoded);
    expect([...(encoded.value ?? Buffer.alloc(0)).subarray(0, 5)]).toEqual([0, 0, 0, 0, 9]);
  });
});
