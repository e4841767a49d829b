/**
 * Runs a shell command inside an image root filesystem the way a container runtime would: chroot
 * as the image's user, with only the image's environment, in its WORKDIR, with /proc mounted (a
 * Bun binary aborts without it; the runtime provides it, the image does not). The mount lives only
 * for the one command and is undone in a `finally` (see scratch.ts for deleting trees safely).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../scripts/image/run.ts";
import type { RunResult } from "../helpers/connector.ts";
import { runProcess } from "./process.ts";

export interface ChrootRun {
  root: string;
  /** `user` or `user:group`, resolved inside the root filesystem (its /etc/passwd and /etc/group). */
  userspec: string;
  env: Record<string, string>;
  workdir: string;
  /** The `sh -c` script. */
  script: string;
  stdin?: string;
  timeoutMs?: number;
}

const CHROOT = Bun.which("chroot") ?? "/usr/sbin/chroot";

export async function inChroot(options: ChrootRun): Promise<RunResult> {
  const proc = join(options.root, "proc");
  mkdirSync(proc, { recursive: true });
  await run(["mount", "-t", "proc", "proc", proc], { timeoutMs: 10_000 });
  try {
    const env = Object.entries(options.env).map(([key, value]) => `${key}=${value}`);
    return await runProcess(
      [
        "/usr/bin/env",
        "-i",
        ...env,
        CHROOT,
        `--userspec=${options.userspec}`,
        options.root,
        "/bin/sh",
        "-c",
        `cd ${options.workdir} && ${options.script}`,
      ],
      { stdin: options.stdin ?? "", timeoutMs: options.timeoutMs ?? 60_000 },
    );
  } finally {
    await unmount(proc);
  }
}

// --- internal ---

async function unmount(point: string): Promise<void> {
  try {
    await run(["umount", point], { timeoutMs: 10_000 });
  } catch {
    // Still busy (a process left behind): detach it so nothing can reach the host's /proc through it.
    await run(["umount", "--lazy", point], { timeoutMs: 10_000 });
  }
}
