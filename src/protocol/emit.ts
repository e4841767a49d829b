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
  /** Calls `listener` once if the reader of our output goes away (EPIPE): nothing more can be said. */
  onClosed(listener: () => void): void;
}

/** Where messages go: a stream that may apply backpressure, and may be closed by its reader. */
export interface Sink {
  /** Resolves when the text is accepted (at once, or after backpressure); never rejects. */
  write(text: string): Promise<void> | undefined;
  onClosed(listener: () => void): void;
}

export function createEmitter(sink: Sink = stdoutSink()): Emitter {
  let secrets: string[] = [];
  const emitter: Emitter = {
    line: async (text) => {
      let safe = text;
      for (const secret of secrets) if (safe.includes(secret)) safe = safe.replaceAll(secret, REDACTED);
      await sink.write(`${safe}\n`);
    },
    onClosed: (listener) => sink.onClosed(listener),
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

/**
 * stdout with backpressure: a full pipe makes writers wait for one shared "drain". When the reader
 * closes the pipe (EPIPE), writes are dropped instead of thrown, and waiting writers are released.
 */
function stdoutSink(): Sink {
  const stdout = process.stdout;
  let closed = false;
  let drained: Promise<void> | undefined;
  const listeners: (() => void)[] = [];
  let release = () => {};
  const close = () => {
    if (closed) return;
    closed = true;
    release();
    for (const listener of listeners.splice(0)) listener();
  };
  stdout.on("error", close);
  return {
    write(text) {
      if (closed) return undefined;
      let accepted: boolean;
      try {
        accepted = stdout.write(text);
      } catch {
        close();
        return undefined;
      }
      if (accepted || closed) return undefined;
      drained ??= new Promise<void>((resolve) => {
        release = resolve;
        stdout.once("drain", resolve);
      }).finally(() => {
        drained = undefined;
      });
      return drained;
    },
    onClosed(listener) {
      if (closed) listener();
      else listeners.push(listener);
    },
  };
}

/** Waits until stdout has flushed what was written (bounded: a closed pipe never confirms). */
export function flushStdout(timeoutMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    try {
      process.stdout.write("", () => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}
