/**
 * The connector as run from source (`bun src/main.ts`) and as shipped (the compiled binary, built
 * from this source once per test process, test/packaging/binary.ts), for tests that must hold for
 * both.
 */
import { beforeAll } from "bun:test";
import { hostBinary } from "../packaging/binary.ts";
import { connectorCommand, type Launcher } from "./connector.ts";

/** Builds the binary before the tests of the enclosing describe (or file); each entry is [label, launcher]. */
export function useLaunchers(): [string, () => Launcher][] {
  let binary: string | undefined;
  beforeAll(async () => {
    binary = await hostBinary();
  }, 60_000);
  return [
    ["bun src/main.ts", () => connectorCommand],
    [
      "the compiled binary",
      () => {
        const path = binary;
        if (!path) throw new Error("the binary was not built");
        return (...args) => [path, ...args];
      },
    ],
  ];
}
