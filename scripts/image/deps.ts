/**
 * The Debian packages the packaging tests need (busybox-static for the image's `sh`,
 * qemu-user-static to run the arm64 binary), installed with apt-get only when missing, so calling
 * it again is a quick no-op. Needs root and apt, as on CI's Debian 12.
 *   bun scripts/image/deps.ts busybox-static qemu-user-static
 */
import { run } from "./run.ts";

/** Ensures every package in `packages` is installed; throws saying which are missing and why. */
export async function ensureDebianPackages(packages: string[], timeoutMs = 300_000): Promise<void> {
  const missing: string[] = [];
  for (const name of packages) if (!(await installed(name))) missing.push(name);
  if (missing.length === 0) return;

  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1_000, deadline - Date.now());
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  // Wait for another apt/dpkg run (a parallel test process) instead of failing on its lock.
  const apt = ["apt-get", "-o", "DPkg::Lock::Timeout=120", "-y", "-q"];
  const install = () =>
    run([...apt, "install", "--no-install-recommends", ...missing], { env, timeoutMs: left() });
  try {
    await install();
  } catch {
    // Usually stale or absent package lists (a fresh machine): refresh them once and retry.
    try {
      await run([...apt, "update"], { env, timeoutMs: left() });
      await install();
    } catch (error) {
      throw new Error(
        `could not install ${missing.join(", ")} (needs root and apt-get): ${(error as Error).message}`,
      );
    }
  }
  for (const name of missing) {
    if (!(await installed(name))) throw new Error(`apt-get ran but ${name} is still not installed`);
  }
}

// --- internal ---

async function installed(name: string): Promise<boolean> {
  try {
    return /^Status: install ok installed$/m.test(await run(["dpkg-query", "--status", name]));
  } catch {
    return false;
  }
}

if (import.meta.main) {
  const packages = process.argv.slice(2);
  await ensureDebianPackages(packages);
  console.error(`installed: ${packages.join(", ")}`);
}
