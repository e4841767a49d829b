/**
 * Binaries for the packaging tests, each target built at most once per test process (about a
 * second) and shared by the test files (the host one by the binary and image tests). Always built
 * from the current source, so a stale dist/ can never make a test pass. They live in this
 * process's scratch folder, which the next test run removes.
 */
import { join } from "node:path";
import { buildBinary, type Target } from "../../build.ts";
import { scratchDir } from "./scratch.ts";

const built = new Map<Target, Promise<string>>();

export function binaryFor(target: Target): Promise<string> {
  let binary = built.get(target);
  if (!binary) {
    binary = scratchDir("binaries").then((dir) =>
      buildBinary(target, join(dir, `destination-kafka-${target}`)),
    );
    built.set(target, binary);
  }
  return binary;
}

export const hostBinary = () => binaryFor("host");
