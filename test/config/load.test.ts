import { describe, expect, it } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfigFrom, loadJsonFile, parseConfig } from "../../src/config/load.ts";
import { minimalConfig } from "../helpers/config.ts";

const dir = mkdtempSync(join(tmpdir(), "dk-load-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** The config_error `work` throws, as its message. */
async function configError(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (error) {
    expect((error as { failureType?: string }).failureType).toBe("config_error");
    return (error as Error).message;
  }
  throw new Error("no config error");
}

describe("loadJsonFile", () => {
  it.each([
    ["not valid JSON", `{"streams":[{"stream":{"name":"users"}`],
    ["empty", ""],
  ])("a file that is %s is a config error naming the file, not its content", async (_, text) => {
    const path = file("broken.json", text);
    const message = await configError(() => loadJsonFile(path, "catalog"));
    expect(message).toBe(`The catalog file ${path} is not valid JSON.`);
  });

  it("a file that cannot be read is a config error with the reason", async () => {
    const message = await configError(() => loadJsonFile(join(dir, "missing.json"), "config"));
    expect(message).toBe(`Cannot read the config file ${join(dir, "missing.json")} (ENOENT).`);
  });
});

describe("parseConfig", () => {
  it("accepts unknown fields, top-level and inside protocol (Airbyte adds its own)", () => {
    const config = parseConfig({
      ...minimalConfig,
      some_future_option: { nested: [1, 2, 3] },
      _airbyte_internal: "x",
      protocol: { security_protocol: "PLAINTEXT", future_protocol_field: true },
    });
    expect(config.protocol.security_protocol).toBe("PLAINTEXT");
  });

  it.each([
    ["an array", []],
    ["a string", "x"],
    ["null", null],
  ])("a config that is %s is refused", (_, raw) => {
    expect(() => parseConfig(raw)).toThrow("Invalid config: the config must be a JSON object.");
  });

  it("checks the security settings too, as the client will read them", () => {
    expect(() =>
      parseConfig({
        ...minimalConfig,
        protocol: { security_protocol: "SASL_PLAINTEXT", sasl_mechanism: "PLAIN" },
      }),
    ).toThrow("protocol.sasl_jaas_config is required for PLAIN");
  });
});

describe("loadConfigFrom", () => {
  const jaas =
    'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="hunter2-pw";';
  const secretConfig = {
    ...minimalConfig,
    protocol: { security_protocol: "SASL_PLAINTEXT", sasl_jaas_config: jaas },
  };

  it("reads a file, handing its secrets to redact before validating", async () => {
    const redacted: string[] = [];
    const config = await loadConfigFrom(
      { config: file("config.json", JSON.stringify(secretConfig)) },
      (secrets) => redacted.push(...secrets),
    );
    expect(config.bootstrap_servers).toBe(minimalConfig.bootstrap_servers);
    expect(redacted).toContain("hunter2-pw");
  });

  it("reads an environment variable; secrets are redacted even when the config is then refused", async () => {
    const redacted: string[] = [];
    const env = { KAFKA: JSON.stringify({ ...secretConfig, acks: "2" }) };
    const message = await configError(() =>
      loadConfigFrom({ configEnv: "KAFKA" }, (secrets) => redacted.push(...secrets), env),
    );
    expect(message).toContain("acks");
    expect(message).not.toContain("hunter2");
    expect(redacted).toContain("hunter2-pw");
  });

  it.each<[string, { config?: string; configEnv?: string }, Record<string, string>, string]>([
    [
      "both sources",
      { config: "a.json", configEnv: "B" },
      {},
      "Give either --config FILE or --config-env NAME, not both.",
    ],
    ["neither source", {}, {}, "The config is missing: give --config FILE or --config-env NAME."],
    [
      "an unset variable",
      { configEnv: "NOPE" },
      {},
      "The environment variable NOPE (--config-env) is not set.",
    ],
    [
      "a blank variable",
      { configEnv: "BLANK" },
      { BLANK: "  " },
      "The environment variable BLANK (--config-env) is not set.",
    ],
    [
      "a variable that is not JSON",
      { configEnv: "BAD" },
      { BAD: "{" },
      "The environment variable BAD (--config-env) is not valid JSON.",
    ],
  ])("%s is a config error", async (_, source, env, message) => {
    expect(await configError(() => loadConfigFrom(source, () => {}, env))).toBe(message);
  });
});
