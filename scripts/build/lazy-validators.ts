/**
 * A build-time change to @platformatic/kafka's option modules: each `ajv.compile(schema)` runs on
 * the validator's first call instead of at import. The client compiles some fifty JSON-schema
 * validators when it is imported (admin, consumer, producer), which cost the binary about 30 MB
 * of resident memory and a third of a second at every start; a sync uses a handful of them.
 *
 * The client calls a validator as a function and then reads its `errors`; the lazy one does the
 * same. The change is checked, never silent: a module that no longer has the expected calls fails
 * the build, so a new client version is looked at rather than shipped half-changed.
 */
import type { BunPlugin } from "bun";

/** The option modules, as paths inside the installed package. */
export const OPTION_MODULES = /@platformatic[\\/]kafka[\\/]dist[\\/]clients[\\/][a-z]+[\\/]options\.js$/;

const COMPILE_CALL = /\bajv\.compile\(/g;

/** `ajv.compile(x)` → a validator that compiles `x` on first use. */
const LAZY_COMPILE = `const __lazyCompile = (schema) => {
  let compiled;
  const validate = (data) => {
    compiled ??= ajv.compile(schema);
    const valid = compiled(data);
    validate.errors = compiled.errors;
    return valid;
  };
  validate.errors = null;
  return validate;
};
`;

/** The module's source with every validator compiled lazily; throws when it has none to change. */
export function lazyValidators(source: string, path: string): string {
  const calls = source.match(COMPILE_CALL)?.length ?? 0;
  if (calls === 0 || !/\bimport\s*\{[^}]*\bajv\b[^}]*\}\s*from/.test(source)) {
    throw new Error(
      `${path}: no ajv.compile() calls on an imported ajv; the client changed, review build.ts`,
    );
  }
  return LAZY_COMPILE + source.replace(COMPILE_CALL, "__lazyCompile(");
}

export const lazyValidatorsPlugin: BunPlugin = {
  name: "compile @platformatic/kafka validators on first use",
  setup(build) {
    build.onLoad({ filter: OPTION_MODULES }, async ({ path }) => ({
      contents: lazyValidators(await Bun.file(path).text(), path),
      loader: "js",
    }));
  },
};
