/**
 * test/ mirrors src/: every src file has a test file of the same path (`x.ts` → `x.test.ts`, or an
 * aspect of it, `x.<aspect>.test.ts`), or a line below says where it is tested and why not there.
 */
import { describe, expect, it } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT, tsFilesUnder } from "./helpers/source-files.ts";

/** src files without a mirror test, and why. */
const NO_MIRROR: Record<string, string> = {
  "src/main.ts": "runs as the connector process: test/commands/spec.test.ts and every integration test",
  "src/commands/check.ts": "a command run as a process against brokers: test/integration/check.test.ts",
  "src/commands/write.ts": "a command run as a process against brokers: test/integration/write.test.ts",
  "src/contract/send.ts": "types only",
  "src/config/protocol.ts": "part of the schema: test/config/schema.test.ts, spec.test.ts, security.test.ts",
  "src/codec/registry-keys.ts": "through the codec that combines it: test/codec/registry-record.test.ts",
  "src/codec/registry-values.ts": "through the codec that combines it: test/codec/registry-record.test.ts",
  "src/formats/avro-codec.ts": "encodes what avro-value.ts fits: test/formats/avro-round-trip.test.ts",
  "src/formats/avro-shape.ts": "the shapes behind the Avro schema: test/formats/avro-schema.test.ts",
  "src/formats/well-known-types.ts":
    "a table, read by test/formats/avro-schema.test.ts and json-schema-value.test.ts",
  "src/protocol/json-bytes.ts": "constants only",
  "src/kafka/check.ts":
    "check against brokers: test/integration/check.test.ts, security, authorization, compat",
  "src/kafka/sender.ts":
    "write's edge against brokers: test/integration/write.test.ts, faults, transactions, compat",
  "src/kafka/client.ts": "wiring of the tested parts, run against brokers by every integration test",
  "src/kafka/compress-worker.ts": "the worker behind test/kafka/compressor.test.ts",
  "src/protocol/socket-worker.ts": "the worker behind test/protocol/socket-workers.test.ts",
  "src/kafka/wire/clock.ts": "the system clock; the tests drive a fake (test/helpers/fake-wire.ts)",
  "src/kafka/wire/pool-wire.ts":
    "the one IO adapter, over real connections: every integration test and the compat matrix",
  "src/protocol/json-spans.ts":
    "the spans parse.ts splices: test/protocol/parse.test.ts, record-scan.property.test.ts",
  "src/protocol/json-syntax.ts": "the record fast path's checker: test/protocol/record-scan.property.test.ts",
};

/** The test files of `source` (a path relative to the root): `x.test.ts` and `x.*.test.ts`. */
function mirrorsOf(source: string): string[] {
  const base = join(ROOT, source.replace(/^src\//, "test/").replace(/\.ts$/, ""));
  const dir = join(base, "..");
  if (!existsSync(dir)) return [];
  const name = base.slice(dir.length + 1);
  return readdirSync(dir).filter(
    (file) => file === `${name}.test.ts` || (file.startsWith(`${name}.`) && file.endsWith(".test.ts")),
  );
}

describe("test/ mirrors src/", () => {
  const files = tsFilesUnder(join(ROOT, "src")).map((path) => relative(ROOT, path));

  it.each(files.map((file) => [file]))("%s has a mirror test or a reason", (file) => {
    // Exactly one of the two: a file that gains a test loses its excuse.
    expect({ file, mirrored: mirrorsOf(file).length > 0 }).toEqual({ file, mirrored: !(file in NO_MIRROR) });
  });

  it("every reason is for a file that exists", () => {
    expect(Object.keys(NO_MIRROR).filter((file) => !existsSync(join(ROOT, file)))).toEqual([]);
  });
});
