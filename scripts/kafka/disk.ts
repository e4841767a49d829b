/**
 * Small filesystems for full-disk tests: a size-limited tmpfs at `.cache/disks/<name>`, to give a
 * broker as its `log.dirs`, which fills when the writes exceed its size, and which `resizeDisk`
 * grows in place (a remount keeps every file), as an operator freeing space would. Needs root.
 *
 * Each disk is described in `.cache/disks/<name>.json` with the pid of the process that mounted
 * it; `removeStaleDisks` (called by the next `mountDisk` and by the test runner at its end)
 * unmounts those whose process is gone. Unmount only once no broker uses it.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { mountsUnder } from "../image/rootfs.ts";
import { run } from "../image/run.ts";
import { isRunning } from "../jvm-process.ts";
import { CACHE_DIR } from "./paths.ts";

export interface SmallDisk {
  name: string;
  /** The mount point. */
  dir: string;
}

/** A fresh, empty tmpfs of `sizeMiB` MiB called `name` (a previous one of that name is unmounted first). */
export async function mountDisk(name: string, sizeMiB: number): Promise<SmallDisk> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`invalid disk name ${JSON.stringify(name)}`);
  if (process.getuid?.() !== 0) throw new Error("full-disk tests need root (mount)");
  await removeStaleDisks();
  const disk = { name, dir: join(DISKS_DIR, name) };
  await unmountDisk(disk);
  await mkdir(disk.dir, { recursive: true });
  await writeFile(descriptionFile(name), `${JSON.stringify({ ...disk, pid: process.pid })}\n`);
  await run(["mount", "-t", "tmpfs", "-o", `size=${sizeMiB}m,mode=0755`, `dk-${name}`, disk.dir]);
  return disk;
}

/** Grows (or shrinks) the mounted `disk` to `sizeMiB` MiB, keeping its files. */
export async function resizeDisk(disk: SmallDisk, sizeMiB: number): Promise<void> {
  await run(["mount", "-o", `remount,size=${sizeMiB}m`, disk.dir]);
}

/** Bytes used and free on `disk`. */
export async function diskUsage(disk: SmallDisk): Promise<{ usedBytes: number; freeBytes: number }> {
  const [, used = "0", free = "0"] =
    (await run(["df", "-B1", "--output=target,used,avail", disk.dir]))
      .trim()
      .split("\n")
      .at(-1)
      ?.trim()
      .split(/\s+/) ?? [];
  return { usedBytes: Number(used), freeBytes: Number(free) };
}

/** Unmounts `disk` (when mounted) and deletes its mount point and description. */
export async function unmountDisk(disk: SmallDisk): Promise<void> {
  if ((await mountsUnder(disk.dir)).length > 0) await run(["umount", disk.dir]);
  await rm(disk.dir, { recursive: true, force: true });
  await rm(descriptionFile(disk.name), { force: true });
}

/** Unmounts the disks whose mounting process has exited. */
export async function removeStaleDisks(): Promise<void> {
  if (!existsSync(DISKS_DIR)) return;
  for (const file of readdirSync(DISKS_DIR).filter((name) => name.endsWith(".json"))) {
    try {
      const described = JSON.parse(readFileSync(join(DISKS_DIR, file), "utf8")) as SmallDisk & {
        pid: number;
      };
      if (!isRunning(described.pid))
        await unmountDisk({ name: described.name, dir: join(DISKS_DIR, described.name) });
    } catch {
      await rm(join(DISKS_DIR, file), { force: true });
    }
  }
}

// --- internal ---

const DISKS_DIR = join(CACHE_DIR, "disks");

const descriptionFile = (name: string) => join(DISKS_DIR, `${name}.json`);
