import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { lazyValidators, OPTION_MODULES } from "../../scripts/build/lazy-validators.ts";

const CLIENT = join(import.meta.dir, "../../node_modules/@platformatic/kafka/dist/clients");

/** Evaluates a changed module body with a counting ajv, returning its exports. */
function evaluate(source: string, ajv: unknown): Record<string, unknown> {
  const body = source.replace(/^import .*$/gm, "").replace(/^export const /gm, "exports.");
  const exports: Record<string, unknown> = {};
  new Function("ajv", "exports", `${body}`)(ajv, exports);
  return exports;
}

describe("lazy validators (build plugin)", () => {
  it("matches the client's option modules, and only them", () => {
    expect(OPTION_MODULES.test(join(CLIENT, "producer/options.js"))).toBe(true);
    expect(OPTION_MODULES.test(join(CLIENT, "producer/producer.js"))).toBe(false);
  });

  it("changes every compile in the installed client's option modules", () => {
    for (const client of ["admin", "base", "consumer", "producer"]) {
      const path = join(CLIENT, client, "options.js");
      const changed = lazyValidators(readFileSync(path, "utf8"), path);
      expect(changed).not.toMatch(/\bajv\.compile\(\s*[^s]/);
      expect(changed).toContain("__lazyCompile(");
    }
  });

  it("compiles on the first call, once, and passes the result and errors through", () => {
    const compiled: unknown[] = [];
    const ajv = {
      compile(schema: { ok: boolean }) {
        compiled.push(schema);
        const validate = (data: number) => {
          validate.errors = data > 0 ? null : [{ message: "not positive" }];
          return data > 0;
        };
        validate.errors = null as unknown;
        return validate;
      },
    };
    const source =
      'import { ajv } from "../../utils.js";\nexport const positive = ajv.compile({ ok: true });\n';
    const { positive } = evaluate(lazyValidators(source, "options.js"), ajv) as {
      positive: ((data: number) => boolean) & { errors: unknown };
    };
    expect(compiled).toHaveLength(0);
    expect(positive(1)).toBe(true);
    expect(positive.errors).toBeNull();
    expect(positive(-1)).toBe(false);
    expect(positive.errors).toEqual([{ message: "not positive" }]);
    expect(compiled).toHaveLength(1);
  });

  it("fails the build when a module no longer has what it changes", () => {
    expect(() => lazyValidators("export const x = 1;\n", "options.js")).toThrow("the client changed");
  });
});
