/**
 * A foreign-architecture glibc to run the cross-built binary under qemu-user-static: Debian's
 * `libc6:<arch>` unpacked into `.cache/sysroot-<arch>/root`, for `qemu-<cpu>-static -L <root>`.
 * Uses a private apt state under .cache (the host's sources, its own package lists), so it
 * neither adds a dpkg architecture nor installs anything on the host. Idempotent.
 *   bun scripts/image/sysroot.ts arm64
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { run } from "./run.ts";

const CACHE = resolve(import.meta.dir, "../../.cache");

/** Returns the root of a sysroot holding `arch`'s glibc (the loader and libc, libm, libdl, libpthread). */
export async function ensureForeignLibc(arch = "arm64", timeoutMs = 300_000): Promise<string> {
  const home = join(CACHE, `sysroot-${arch}`);
  const root = join(home, "root");
  const marker = join(home, "complete");
  if (existsSync(marker)) return root;

  await rm(home, { recursive: true, force: true });
  const lists = join(home, "apt/lists");
  const cache = join(home, "apt/cache");
  const debs = join(home, "debs");
  await Promise.all([lists, cache, debs].map((dir) => mkdir(join(dir, "partial"), { recursive: true })));
  await writeFile(join(home, "apt/status"), "");
  const apt = [
    "apt-get",
    "-q",
    `-oAPT::Architecture=${arch}`,
    `-oAPT::Architectures::=${arch}`,
    `-oDir::State::Lists=${lists}`,
    `-oDir::Cache=${cache}`,
    `-oDir::State::status=${join(home, "apt/status")}`,
    "-oAPT::Sandbox::User=root",
  ];
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1_000, deadline - Date.now());
  await run([...apt, "update"], { timeoutMs: left() });
  await run([...apt, "download", `libc6:${arch}`], { cwd: debs, timeoutMs: left() });
  const [deb] = (await readdir(debs)).filter((name) => name.endsWith(".deb"));
  if (!deb) throw new Error(`apt-get download libc6:${arch} left no .deb in ${debs}`);
  await run(["dpkg-deb", "-x", join(debs, deb), root], { timeoutMs: left() });
  await rm(join(home, "apt"), { recursive: true, force: true });
  await rm(debs, { recursive: true, force: true });
  await writeFile(marker, `${deb}\n`);
  return root;
}

if (import.meta.main) console.log(await ensureForeignLibc(process.argv[2]));
