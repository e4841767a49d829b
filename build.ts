/**
 * Compiles the connector into standalone executables (minified, with JavaScriptCore bytecode):
 *   bun build.ts                         every target below
 *   bun build.ts --target host           this machine only → dist/destination-kafka (fast, for tests)
 *   bun build.ts --target linux-arm64    one target; --outfile PATH to put it elsewhere
 *
 * @platformatic/wasm-utils reads `native.wasm` from disk when imported, which a compiled binary
 * cannot do (`ENOENT /$bunfs/dist/native.wasm`); its `/bundled` entry carries the same module
 * inlined, so the build resolves the package to that entry. The client's option validators are
 * compiled on first use rather than at start (scripts/build/lazy-validators.ts). The binaries read no `.env` or
 * bunfig.toml at run time. Cross targets need Bun's runtime for that target: Bun downloads it once
 * (from the npm registry) into ~/.bun/install/cache, and builds offline after that.
 */
import { resolve } from "node:path";
import type { Build, BunPlugin } from "bun";
import { lazyValidatorsPlugin } from "./scripts/build/lazy-validators.ts";

/** The targets a full build produces, and where each lands. */
export const TARGETS = {
  "linux-x64": { bun: "bun-linux-x64", outfile: "dist/destination-kafka" },
  "linux-arm64": { bun: "bun-linux-arm64", outfile: "dist/destination-kafka-linux-arm64" },
  "linux-x64-musl": { bun: "bun-linux-x64-musl", outfile: "dist/destination-kafka-linux-x64-musl" },
} as const satisfies Record<string, { bun: Build.CompileTarget; outfile: string }>;

export type Target = keyof typeof TARGETS | "host";

const ROOT = import.meta.dir;

const inlineWasm: BunPlugin = {
  name: "inline @platformatic/wasm-utils",
  setup(build) {
    build.onResolve({ filter: /^@platformatic\/wasm-utils$/ }, () => ({
      path: Bun.resolveSync("@platformatic/wasm-utils/bundled", ROOT),
    }));
  },
};

/** Compiles one target and returns the absolute path of the executable. */
export async function buildBinary(target: Target, outfile?: string): Promise<string> {
  const out = resolve(
    ROOT,
    outfile ?? (target === "host" ? TARGETS["linux-x64"].outfile : TARGETS[target].outfile),
  );
  const result = await Bun.build({
    // The compression and socket workers are entrypoints of their own, which `new Worker(new URL(...))`
    // finds inside the executable (src/kafka/compressor.ts, src/protocol/socket-workers.ts); the
    // wasm plugin applies to them as well.
    entrypoints: [
      resolve(ROOT, "src/main.ts"),
      resolve(ROOT, "src/kafka/compress-worker.ts"),
      resolve(ROOT, "src/protocol/socket-worker.ts"),
    ],
    compile: {
      ...(target === "host" ? {} : { target: TARGETS[target].bun }),
      outfile: out,
      autoloadDotenv: false,
      autoloadBunfig: false,
    },
    // Bytecode starts `spec` ~3x faster; it needs ESM output for main.ts's top-level await.
    bytecode: true,
    format: "esm",
    minify: true,
    plugins: [inlineWasm, lazyValidatorsPlugin],
  });
  if (!result.success) {
    throw new AggregateError(result.logs, `building ${target} failed:\n${result.logs.join("\n")}`);
  }
  return out;
}

if (import.meta.main) {
  const { values } = (await import("node:util")).parseArgs({
    options: { target: { type: "string" }, outfile: { type: "string" } },
  });
  const requested = values.target;
  if (requested !== undefined && requested !== "host" && !(requested in TARGETS)) {
    console.error(`unknown --target ${requested}; one of: host, ${Object.keys(TARGETS).join(", ")}`);
    process.exit(2);
  }
  if (values.outfile !== undefined && requested === undefined) {
    console.error("--outfile needs --target");
    process.exit(2);
  }
  const targets = requested === undefined ? (Object.keys(TARGETS) as Target[]) : [requested as Target];
  for (const target of targets) {
    const out = await buildBinary(target, values.outfile);
    console.error(`built ${target}: ${out} (${(Bun.file(out).size / 2 ** 20).toFixed(1)} MiB)`);
  }
}
