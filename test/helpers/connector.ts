/**
 * Runs the connector as Airbyte does: a separate process, config and catalog in files, messages on
 * stdin, AirbyteMessages on stdout. Every run is bounded in time and checks that stdout carries
 * nothing but AirbyteMessages.
 */

import { expect } from "bun:test";
import { connectorCommand } from "../../scripts/connector.ts";
import { runBounded } from "../../scripts/run-bounded.ts";

export { connectorCommand, jsonFile } from "../../scripts/connector.ts";

const MESSAGE_TYPES = new Set(["SPEC", "CONNECTION_STATUS", "STATE", "LOG", "TRACE"]);

/** The command line that runs the connector with `args`: from source (the default), or a compiled binary. */
export type Launcher = (...args: string[]) => string[];

export interface RunResult {
  exitCode: number;
  messages: Record<string, unknown>[];
  stderr: string;
}

export async function runConnector(
  args: string[],
  stdin = "",
  timeoutMs = 60_000,
  env: Record<string, string> = {},
  launch: Launcher = connectorCommand,
): Promise<RunResult> {
  const { exitCode, stdout, stderr } = await runBounded(launch(...args), { stdin, timeoutMs, env });
  return { exitCode, messages: parseMessages(stdout), stderr };
}

/** `runConnector` within 30 s, keeping each run's messages and stderr in `outputs`, to check for secrets. */
export const recordingRun =
  (outputs: string[]) =>
  async (args: string[], stdin = ""): Promise<RunResult> => {
    const result = await runConnector(args, stdin, 30_000);
    outputs.push(JSON.stringify(result.messages), result.stderr);
    return result;
  };

/** Parses stdout and asserts every line is an AirbyteMessage a destination may write. */
export function parseMessages(stdout: string): Record<string, unknown>[] {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const message = JSON.parse(line) as Record<string, unknown>;
      expect(MESSAGE_TYPES.has(message.type as string)).toBe(true);
      return message;
    });
}

export const ofType = (messages: Record<string, unknown>[], type: string) =>
  messages.filter((m) => m.type === type);

export const logText = (messages: Record<string, unknown>[]) =>
  ofType(messages, "LOG")
    .map((m) => (m.log as { level: string; message: string }).message)
    .join("\n");

export function traceError(messages: Record<string, unknown>[]) {
  const traces = ofType(messages, "TRACE");
  expect(traces).toHaveLength(1);
  return (traces[0] as { trace: { error: { message: string; failure_type: string } } }).trace.error;
}

export function connectionStatus(messages: Record<string, unknown>[]) {
  expect(messages).toHaveLength(1);
  return messages[0]?.connectionStatus as { status: string; message?: string };
}

export interface LiveConnector {
  write(text: string): void;
  end(): Promise<void>;
  /** Resolves with the first message (already seen or still to come) that matches, or rejects after timeoutMs. */
  waitFor(
    match: (message: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** SIGTERM / SIGINT ask it to stop; SIGKILL is a crash (kill -9). */
  signal(name: "SIGTERM" | "SIGINT" | "SIGKILL"): void;
  /** Waits for the exit (bounded) and returns everything it wrote. */
  finished(timeoutMs?: number): Promise<RunResult>;
}

/** Starts the connector with stdin left open, for tests that feed it and watch it as it runs. */
export function startConnector(args: string[], launch: Launcher = connectorCommand): LiveConnector {
  const child = Bun.spawn(launch(...args), { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  const messages: Record<string, unknown>[] = [];
  const listeners = new Set<() => void>();
  let buffered = "";
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stdout) {
      buffered += decoder.decode(chunk, { stream: true });
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      messages.push(...parseMessages(lines.join("\n")));
      for (const listener of listeners) listener();
    }
  })();
  const stderr = new Response(child.stderr).text();
  let crashed = false;
  /**
   * A pipe that breaks because the connector has exited (after a kill -9, or a failed sync that
   * stops reading) leaves input unread, which is what the test then checks; while it runs, a broken
   * pipe is a failure.
   */
  const unlessExited = async (error: unknown) => {
    if (crashed) return;
    const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(2_000).then(() => false)]);
    if (!exited) throw error;
  };
  return {
    write: (text) => {
      child.stdin.write(text);
      const flushed = child.stdin.flush();
      if (flushed instanceof Promise) flushed.catch(unlessExited);
    },
    end: async () => {
      try {
        await child.stdin.end();
      } catch (error) {
        await unlessExited(error);
      }
    },
    waitFor: (match, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const look = () => {
          const found = messages.find(match);
          if (!found) return false;
          listeners.delete(look);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          listeners.delete(look);
          reject(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(messages)}`));
        }, timeoutMs);
        if (!look()) listeners.add(look);
      }),
    signal: (name) => {
      crashed ||= name === "SIGKILL";
      child.kill(name);
    },
    finished: async (timeoutMs = 30_000) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const exitCode = await child.exited;
      clearTimeout(timer);
      await reading;
      return { exitCode, messages, stderr: await stderr };
    },
  };
}
