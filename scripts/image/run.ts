/** Runs a command to completion within a time bound; returns its stdout or throws with its stderr. */

export interface RunOptions {
  timeoutMs?: number;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

export async function run(argv: string[], options: RunOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = Bun.spawn(argv, {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    timeout: timeoutMs,
    killSignal: "SIGKILL",
    ...(options.env ? { env: options.env } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) {
    const why = child.signalCode ? `killed by ${child.signalCode} (bound ${timeoutMs} ms)` : `exit ${code}`;
    throw new Error(`${argv.join(" ")}: ${why}\n${stderr.trim()}`);
  }
  return stdout;
}
