/**
 * Runs one connector process however it is packaged (binary, chroot, Deno): argv as given, stdin
 * fed and closed, bounded in time, stdout checked to hold nothing but AirbyteMessages.
 */
import { parseMessages, type RunResult } from "../helpers/connector.ts";

export interface SpawnOptions {
  stdin?: string;
  cwd?: string;
  /** The whole environment; unset means the test's own. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export async function runProcess(argv: string[], options: SpawnOptions = {}): Promise<RunResult> {
  const child = Bun.spawn(argv, {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
    timeout: options.timeoutMs ?? 60_000,
    killSignal: "SIGKILL",
  });
  child.stdin.write(options.stdin ?? "");
  await child.stdin.end();
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (child.signalCode === "SIGKILL") throw new Error(`${argv.join(" ")} timed out; stderr: ${stderr}`);
  return { exitCode, messages: parseMessages(stdout), stderr };
}
