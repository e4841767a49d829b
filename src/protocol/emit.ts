/**
 * The only writer of stdout: one AirbyteMessage per line. Human-readable logs are LOG messages too,
 * because Airbyte reads nothing else from a connector's stdout.
 */
import process from "node:process";
import type { ConnectorError } from "../errors.ts";

const REDACTED = "**********";

export type LogLevel = "FATAL" | "ERROR" | "WARN" | "INFO" | "DEBUG" | "TRACE";

export interface Emitter {
  /** Writes one message line; resolves once the stream accepted it (backpressure). */
  line(text: string): Promise<void>;
  message(message: object): Promise<void>;
  log(level: LogLevel, text: string): Promise<void>;
  error(error: ConnectorError): Promise<void>;
  /** From now on, blanks these values (and their JSON-escaped forms) out of every line written. */
  redact(secrets: string[]): void;
}

export function createEmitter(write: (text: string) => boolean | Promise<void> = stdoutWrite): Emitter {
  let secrets: string[] = [];
  const emitter: Emitter = {
    line: async (text) => {
      let safe = text;
      for (const secret of secrets) if (safe.includes(secret)) safe = safe.replaceAll(secret, REDACTED);
      const accepted = write(`${safe}\n`);
      if (accepted instanceof Promise) await accepted;
      else if (!accepted) await new Promise<void>((resolve) => process.stdout.once("drain", resolve));
    },
    message: (message) => emitter.line(JSON.stringify(message)),
    log: (level, text) => emitter.message({ type: "LOG", log: { level, message: text } }),
    error: (error) => emitter.message(traceError(error)),
    redact: (values) => {
      const forms = values.flatMap((value) => [value, JSON.stringify(value).slice(1, -1)]);
      // Longest first, so a secret that contains another is blanked whole.
      secrets = [...new Set([...secrets, ...forms])]
        .filter((form) => form !== "")
        .sort((a, b) => b.length - a.length);
    },
  };
  return emitter;
}

export function traceError(error: ConnectorError, now = Date.now()) {
  return {
    type: "TRACE",
    trace: {
      type: "ERROR",
      emitted_at: now,
      error: {
        message: error.message,
        ...(error.internal === undefined ? {} : { internal_message: error.internal }),
        failure_type: error.failureType,
      },
    },
  };
}

// --- internal ---

function stdoutWrite(text: string): boolean {
  return process.stdout.write(text);
}
