/**
 * Compiles the connector into one standalone executable: `bun build.ts` → dist/destination-kafka.
 *
 * @platformatic/wasm-utils reads `native.wasm` from disk when imported, which a compiled binary
 * cannot do (`ENOENT /$bunfs/dist/native.wasm`); its `/bundled` entry carries the same module
 * inlined, so the build resolves the package to that entry. The binary reads no `.env` or
 * bunfig.toml at run time.
 */
import { resolve } from "node:path";
import type { BunPlugin } from "bun";

const OUTFILE = resolve(import.meta.dir, "dist/destination-kafka");

const inlineWasm: BunPlugin = {
  name: "inline @platformatic/wasm-utils",
  setup(build) {
    build.onResolve({ filter: /^@platformatic\/wasm-utils$/ }, () => ({
      path: Bun.resolveSync("@platformatic/wasm-utils/bundled", import.meta.dir),
    }));
  },
};

const result = await Bun.build({
  entrypoints: [resolve(import.meta.dir, "src/main.ts")],
  compile: { outfile: OUTFILE, autoloadDotenv: false, autoloadBunfig: false },
  minify: true,
  plugins: [inlineWasm],
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
console.error(`built ${OUTFILE}`);
