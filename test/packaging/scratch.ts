/**
 * Per-process scratch folders for the packaging tests, `.cache/packaging/<kind>-<pid>` (git-ignored).
 * `bun test` fires no exit event to clean up on, so each process first deletes the folders of test
 * processes that are gone; a folder is deleted only when nothing is mounted inside it.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { mountsUnder } from "../../scripts/image/rootfs.ts";

const SCRATCH = resolve(import.meta.dir, "../../.cache/packaging");

/** This process's `<kind>` folder, created empty-or-reused; stale ones of dead processes are removed first. */
export async function scratchDir(kind: string): Promise<string> {
  if (existsSync(SCRATCH)) {
    for (const name of readdirSync(SCRATCH)) {
      const pid = /^[a-z0-9]+-(\d+)$/.exec(name)?.[1];
      if (pid && Number(pid) !== process.pid && !existsSync(`/proc/${pid}`))
        await removeTree(join(SCRATCH, name));
    }
  }
  const dir = join(SCRATCH, `${kind}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Deletes `root`, but throws instead if anything is still mounted under it. */
export async function removeTree(root: string): Promise<void> {
  const live = await mountsUnder(root);
  if (live.length > 0) throw new Error(`not removing ${root}: still mounted: ${live.join(", ")}`);
  rmSync(root, { recursive: true, force: true });
}
