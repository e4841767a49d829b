import { describe, expect, it } from "bun:test";
import pkg from "../../package.json" with { type: "json" };
import { connectorCommand, runConnector } from "../helpers/connector.ts";

describe("the spec command", () => {
  it("prints exactly one SPEC message and exits 0", async () => {
    const result = await runConnector(["spec"]);
    expect(result.exitCode).toBe(0);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]?.type).toBe("SPEC");
    expect(result.stderr).toBe("");
  });

  it("--version prints the package version", async () => {
    const child = Bun.spawn(connectorCommand("--version"), { stdout: "pipe" });
    expect((await new Response(child.stdout).text()).trim()).toBe(pkg.version);
    expect(await child.exited).toBe(0);
  });
});
