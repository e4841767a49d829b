import { describe, expect, it } from "bun:test";
import { secretValues } from "../../src/config/redact.ts";
import { registryUrls } from "../../src/config/registry.ts";
import { configProblem, configWith } from "../helpers/config.ts";

describe("value_format and the schema registry", () => {
  it("defaults keep the reference JSON values, subjects after the topic", () => {
    const config = configWith();
    expect(config.value_format).toBe("json");
    expect(config.subject_name_strategy).toBe("topic");
    expect(config.schema_registry).toBeUndefined();
  });

  it.each([
    ["value_format", "avro"],
    ["value_format", "json_schema"],
    ["key_format", "avro"],
    ["key_format", "json_schema"],
  ])("%s %s without schema_registry is an error naming it", (field, format) => {
    expect(configProblem({ [field]: format })).toBe(
      "Invalid config: schema_registry is required when value_format or key_format is avro or json_schema.",
    );
  });

  it.each([
    [{ value_format: "xml" }, "value_format must be one of json, avro, json_schema"],
    [{ subject_name_strategy: "stream" }, "subject_name_strategy must be one of topic, record, topic_record"],
    [{ schema_registry: {} }, "schema_registry.url is required"],
    [
      { schema_registry: { url: "registry:8081" } },
      "schema_registry.url must be one or more comma-separated",
    ],
    [{ schema_registry: { url: "https://user:pw@registry" } }, "schema_registry.url must be one or more"],
  ])("%p → %s", (overrides, expected) => {
    expect(configProblem(overrides)).toContain(expected);
  });

  it("takes several URLs, tried in the given order, without trailing slashes", () => {
    const registry = configWith({
      value_format: "avro",
      schema_registry: { url: " https://a:8081/ , http://b/apis/ccompat/v7" },
    }).schema_registry;
    expect(registry && registryUrls(registry)).toEqual(["https://a:8081", "http://b/apis/ccompat/v7"]);
  });

  it("marks the password and the CA certificate as secrets", () => {
    const raw = {
      schema_registry: {
        url: "https://a",
        username: "api-key",
        password: "api-secret",
        ca_certificate: "-----PEM-----",
      },
    };
    expect(secretValues(raw).sort()).toEqual(["-----PEM-----", "api-secret"]);
  });
});
