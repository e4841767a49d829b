/**
 * Retries one client call under a deadline, keeping each attempt's cause so that a timeout can
 * still say what went wrong. Permanent causes (config errors) end it at once, except an unknown
 * topic: a broker that auto-creates topics answers "unknown" until the new topic has a leader.
 */
import { withDeadline } from "../deadline.ts";
import { ConnectorError } from "../errors.ts";
import { retryDelayMs } from "./client-options.ts";
import { classifyKafkaError, type ErrorContext } from "./errors.ts";

export interface AttemptOptions {
  context: ErrorContext;
  /** The deadline, and the setting that sets it (named in the timeout message). */
  ms: number;
  setting: string;
  retries: number;
}

/** How often an unknown topic is asked for again before it counts as missing (~1.5 s in all). */
const UNKNOWN_TOPIC_TRIES = 5;

export async function attempt<T>(options: AttemptOptions, call: () => Promise<T>): Promise<T> {
  const { context, ms } = options;
  const deadline = Date.now() + ms;
  const expired = new Error("deadline");
  let last: ConnectorError | undefined;
  for (let tries = 0; ; tries++) {
    const left = deadline - Date.now();
    if (left <= 0) throw timedOut(options, last);
    try {
      return await withDeadline(call(), left, () => expired);
    } catch (error) {
      if (error === expired) throw timedOut(options, last);
      last = classifyKafkaError(error, context);
      // An auto-created topic is not a failed request: it gets its own tries whatever `retries` says.
      const retryable = last.unknownTopic
        ? tries + 1 < UNKNOWN_TOPIC_TRIES
        : last.failureType !== "config_error" && tries < options.retries;
      if (!retryable) throw last;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(retryDelayMs(tries + 1), Math.max(0, left))),
      );
    }
  }
}

// --- internal ---

function timedOut(options: AttemptOptions, last: ConnectorError | undefined): ConnectorError {
  const cause = last ? ` Last error: ${last.message}` : "";
  return new ConnectorError(
    `Kafka at ${options.context.bootstrap} did not answer within ${options.setting} (${options.ms} ms) while ${options.context.action} (timeout).${cause}`,
    "transient_error",
  );
}
