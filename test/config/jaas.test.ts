import { describe, expect, it } from "bun:test";
import { parseJaas } from "../../src/config/jaas.ts";

describe("parseJaas reads JAAS the way Kafka does", () => {
  it("reads the PLAIN login module", () => {
    const entry = parseJaas(
      'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cret";',
    );
    expect(entry.loginModule).toBe("org.apache.kafka.common.security.plain.PlainLoginModule");
    expect(entry.flag).toBe("required");
    expect(Object.fromEntries(entry.options)).toEqual({ username: "alice", password: "s3cret" });
  });

  it("handles escapes, single quotes, bare words, comments and line breaks", () => {
    const entry = parseJaas(`org.apache.kafka.common.security.scram.ScramLoginModule
      required // the SCRAM module
      username=bob_1 /* a bare word */
      password="p\\"a\\\\s;s=w'd"
      tokenauth='true';`);
    expect(Object.fromEntries(entry.options)).toEqual({
      username: "bob_1",
      password: "p\"a\\s;s=w'd",
      tokenauth: "true",
    });
  });

  it("reads the OAuthBearer module's unsecured options", () => {
    const entry = parseJaas(
      'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="svc" unsecuredLoginListClaim_scope=",read,write";',
    );
    expect(entry.options.get("unsecuredLoginListClaim_scope")).toBe(",read,write");
  });

  it.each([
    ["", "expected a login module class name"],
    ["org.Foo", "expected a control flag"],
    ["org.Foo mandatory;", "the control flag must be required, requisite, sufficient or optional"],
    ['org.Foo required username="a"', "the entry must end with ';'"],
    ['org.Foo required username "a";', "option username has no '=' after its name"],
    ["org.Foo required username=;", "option username has no value"],
    ['org.Foo required password="unclosed;', "a quoted value is not closed"],
    ['org.Foo required username="a"; org.Bar required;', "it holds more than one login module entry"],
    ["org.Foo required /* open", "a /* comment is not closed"],
    ['org.Foo required user@name="x";', "unexpected character at position 22"],
  ])("%p → %s", (text, problem) => {
    expect(() => parseJaas(text)).toThrow(`protocol.sasl_jaas_config cannot be parsed: ${problem}`);
  });

  it("never echoes the secret in an error", () => {
    try {
      parseJaas('org.Foo required password="hunter2-unclosed');
      throw new Error("expected a parse error");
    } catch (error) {
      expect((error as Error).message).not.toContain("hunter2");
    }
  });
});
