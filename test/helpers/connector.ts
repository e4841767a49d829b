/**
 * Runs the connector as Airbyte does: a separate process, config and catalog in files, messages on
 * stdin, AirbyteMessages on stdout. Every run is bounded in time and checks that stdout carries
 * nothing but AirbyteMessages.
 */

import { expect } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const MAIN = resolve(import.meta.dir, "../../src/main.ts");
const MESSAGE_TYPES = new Set(["SPEC", "CONNECTION_STATUS", "STATE", "LOG", "TRACE"]);

export interface RunResult {
  exitCode: number;
  messages: Record<string, unknown>[];
  stderr: string;
}

/** Writes `value` as JSON to a new temp file and returns its path. */
export function jsonFile(name: string, value: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "dk-test-"));
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

/** The command line that runs the connector from source with the current Bun. */
export const connectorCommand = (...args: string[]) => [process.execPath, MAIN, ...args];

export async function runConnector(
  args: string[],
  stdin = "",
  timeoutMs = 60_000,
  env: Record<string, string> = {},
): Promise<RunResult> {
  const child = Bun.spawn(connectorCommand(...args), {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, ...env },
  });
  child.stdin.write(stdin);
  await child.stdin.end();
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  return { exitCode, messages: parseMessages(stdout), stderr };
}

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
  signal(name: "SIGTERM" | "SIGINT" | "SIGKILL"): void;
  /** Waits for the exit (bounded) and returns everything it wrote. */
  finished(timeoutMs?: number): Promise<RunResult>;
}

/** Starts the connector with stdin left open, for tests that feed it and watch it as it runs. */
export function startConnector(args: string[]): LiveConnector {
  const child = Bun.spawn(connectorCommand(...args), { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
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
  return {
    write: (text) => {
      child.stdin.write(text);
      child.stdin.flush();
    },
    end: async () => {
      await child.stdin.end();
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
    signal: (name) => child.kill(name),
    finished: async (timeoutMs = 30_000) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const exitCode = await child.exited;
      clearTimeout(timer);
      await reading;
      return { exitCode, messages, stderr: await stderr };
    },
  };
}
