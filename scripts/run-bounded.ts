/**
 * Runs a command to its end, bounded in time: SIGKILL at the deadline, stdout and stderr collected
 * whole. The exit code is the caller's to judge.
 */

export interface BoundedRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface BoundedRunOptions {
  timeoutMs: number;
  /** Written to the command's stdin, which is then closed; none: stdin is /dev/null. */
  stdin?: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
}

/** Runs `argv` and resolves once it exits (or was killed at `timeoutMs`). */
export async function runBounded(argv: string[], options: BoundedRunOptions): Promise<BoundedRun> {
  const child = Bun.spawn(argv, {
    stdin: options.stdin === undefined ? "ignore" : "pipe",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, ...options.env },
  });
  if (options.stdin !== undefined && child.stdin) {
    child.stdin.write(options.stdin);
    await child.stdin.end();
  }
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  return { exitCode, stdout, stderr };
}
