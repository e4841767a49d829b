/**
 * The cross-compiled linux-arm64 binary, run on this x64 machine under Debian's qemu-user-static
 * with Debian's arm64 glibc (scripts/image/sysroot.ts) and an empty environment: spec, and a write
 * whose records are read back. The first run fetches Bun's arm64 runtime (npm registry), the
 * qemu-user-static package and libc6:arm64 (Debian mirrors); later runs reuse them.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { ensureDebianPackages } from "../../scripts/image/deps.ts";
import { ensureForeignLibc } from "../../scripts/image/sysroot.ts";
import { ofType } from "../helpers/connector.ts";
import { type TestBroker, testBroker } from "../helpers/kafka.ts";
import { binaryFor } from "./binary.ts";
import { runProcess } from "./process.ts";
import { expectLanded, smallSync, writeSyncFiles } from "./sync.ts";

let broker: TestBroker;
/** `env -i qemu-aarch64-static -L <arm64 glibc> <binary>`. */
let command: string[];
let dir: string;

beforeAll(async () => {
  const [started, binary, sysroot] = await Promise.all([
    testBroker(),
    binaryFor("linux-arm64"),
    ensureDebianPackages(["qemu-user-static"]).then(() => ensureForeignLibc("arm64")),
  ]);
  broker = started;
  const qemu = Bun.which("qemu-aarch64-static");
  if (!qemu) throw new Error("qemu-aarch64-static is not on PATH after installing qemu-user-static");
  // ELF e_machine (bytes 18-19, little-endian) is 183 for AArch64: this really is the foreign binary.
  expect(Buffer.from(await Bun.file(binary).slice(0, 20).arrayBuffer()).readUInt16LE(18)).toBe(183);
  dir = mkdtempSync(join(tmpdir(), "dk-arm64-"));
  command = ["/usr/bin/env", "-i", qemu, "-L", sysroot, binary];
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the linux-arm64 binary under qemu", () => {
  it("prints the package version", () => {
    const child = Bun.spawnSync([...command, "--version"], { cwd: dir, timeout: 90_000 });
    expect(child.stdout.toString().trim()).toBe(pkg.version);
  }, 120_000);

  it("answers spec", async () => {
    const spec = await runProcess([...command, "spec"], { cwd: dir, timeoutMs: 90_000 });
    expect({ exitCode: spec.exitCode, stderr: spec.stderr }).toEqual({ exitCode: 0, stderr: "" });
    expect(ofType(spec.messages, "SPEC")).toHaveLength(1);
  }, 120_000);

  it("writes records (snappy, a WebAssembly codec) that read back", async () => {
    // Emulation on a busy machine is slow: give connections and requests room rather than flake.
    const sync = smallSync(broker.bootstrap, {
      compression_type: "snappy",
      socket_connection_setup_timeout_ms: "60000",
      request_timeout_ms: 60000,
    });
    const files = writeSyncFiles(dir, sync);
    const result = await runProcess(
      [...command, "write", "--config", files.config, "--catalog", files.catalog],
      {
        cwd: dir,
        stdin: sync.input,
        timeoutMs: 90_000,
      },
    );
    await expectLanded(broker.bootstrap, sync, result);
  }, 120_000);
});
