/**
 * What happens to input that is not written. A line that cannot be written (not JSON, not an
 * AirbyteMessage, a stream not in the catalog, a record that does not fit) fails the sync, named by
 * its line number and the reason, never its content; under `on_invalid_input: skip` it is skipped
 * with a WARN, and under `dead_letter` it is written to the dead-letter topic (codec/dead-letter.ts)
 * with a WARN — a dead letter is sent like any record, so a STATE after it waits for it, and its
 * failure fails the sync. A skipped or dead-lettered record of a known stream is a rejected record
 * (`rejected`, for destinationStats.rejectedRecordCount). Messages of other types (TRACE, LOG,
 * CONTROL, unknown) are counted and ignored. The first failure is kept: from then on `write` reads
 * no further.
 */
import { encodeDeadLetter } from "../codec/dead-letter.ts";
import type { Config } from "../config/schema.ts";
import type { EncodedRecord } from "../contract/send.ts";
import { asConnectorError, ConnectorError, configError } from "../errors.ts";
import type { Emitter } from "../protocol/emit.ts";
import type { StreamId } from "../protocol/parse.ts";
import { checkedTopicFor } from "../topic/naming.ts";

/** A line that cannot be written, and what is known of it. */
export interface Refusal {
  lineNumber: number;
  /** Where the line was, when not stdin: `socket 2 message 7`. */
  place?: string | undefined;
  /** Why, as a clause that quotes nothing of the line. */
  reason: string;
  /** The line's bytes, when the reader held them. */
  line?: Uint8Array | undefined;
  /** The stream, when the line is a record of one. */
  stream?: StreamId | undefined;
}

export interface InputPolicyOptions {
  config: Pick<Config, "on_invalid_input" | "dead_letter_topic" | "topic_naming" | "max_request_size">;
  emit: Emitter;
  /** Sends a dead letter as a record; a promise means: wait before the next line. */
  deadLetter: (record: EncodedRecord) => Promise<void> | undefined;
  /** A record of `stream` was skipped or dead-lettered. */
  rejected: (stream: StreamId) => void;
  /** The catalog's streams and their topics, none of which may be the dead-letter topic. */
  streams: { label: string; topic: string }[];
}

export interface InputPolicy {
  /** `refusal`'s line cannot be written; a promise means: wait for the WARN (and the dead letter). */
  refuse(refusal: Refusal): Promise<void> | undefined;
  /** The sync cannot go on for a reason that is not one line's (the first one counts); nothing to wait for. */
  fail(error: unknown): undefined;
  /** A message of `type` that is neither RECORD nor STATE was read; nothing to wait for. */
  ignore(type: string): undefined;
  /** The dead-letter topic, with `dead_letter`. */
  readonly deadLetterTopic: string | undefined;
  readonly failure: ConnectorError | undefined;
  readonly skippedLines: number;
  readonly deadLetters: number;
  /** Messages ignored, by type. */
  readonly ignoredMessages: Map<string, number>;
}

/**
 * Throws a config error when dead_letter_topic is not a topic name Kafka takes, or is a stream's
 * topic (its records and the rejects would mix).
 */
export function createInputPolicy(options: InputPolicyOptions): InputPolicy {
  const { config, emit, deadLetter, rejected } = options;
  const mode = config.on_invalid_input;
  const deadLetterTopic =
    mode === "dead_letter"
      ? checkedTopicFor(config.dead_letter_topic ?? "", undefined, "", config.topic_naming)
      : undefined;
  const shared = options.streams.find(({ topic }) => topic === deadLetterTopic);
  if (shared) {
    throw configError(
      `dead_letter_topic is topic ${shared.topic}, which stream ${shared.label} writes to: give the dead letters a topic of their own.`,
    );
  }
  let failure: ConnectorError | undefined;
  let skippedLines = 0;
  let deadLetters = 0;
  const ignoredMessages = new Map<string, number>();
  return {
    refuse(refusal) {
      const { reason } = refusal;
      const where = refusal.place ?? `line ${refusal.lineNumber}`;
      if (mode === "fail") {
        failure ??= new ConnectorError(
          `Input ${where} cannot be written: ${reason}. No later STATE is echoed. Set on_invalid_input to "skip" (or "dead_letter") to go on without such lines.`,
          "system_error",
        );
        return undefined;
      }
      if (refusal.stream) rejected(refusal.stream);
      if (deadLetterTopic === undefined) {
        skippedLines++;
        return emit.log("WARN", `Skipped input ${where}: ${reason}.`);
      }
      deadLetters++;
      const sent = deadLetter(
        encodeDeadLetter({ ...refusal, topic: deadLetterTopic, maxBytes: config.max_request_size }),
      );
      const logged = emit.log(
        "WARN",
        `Input ${where} went to the dead-letter topic ${deadLetterTopic}: ${reason}.`,
      );
      return sent ? Promise.all([sent, logged]).then(() => undefined) : logged;
    },
    fail(error) {
      failure ??= asConnectorError(error, "Unexpected error");
      return undefined;
    },
    ignore(type) {
      ignoredMessages.set(type, (ignoredMessages.get(type) ?? 0) + 1);
      return undefined;
    },
    deadLetterTopic,
    get failure() {
      return failure;
    },
    get skippedLines() {
      return skippedLines;
    },
    get deadLetters() {
      return deadLetters;
    },
    ignoredMessages,
  };
}
