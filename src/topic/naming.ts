/**
 * Topic names, exactly as the Java connector builds them: `topic_pattern` with `{namespace}` and
 * `{stream}` replaced (a missing namespace becomes empty), then Airbyte's
 * `Names.toAlphanumericAndUnderscore`: Unicode NFKD, combining marks removed, whitespace runs → `_`,
 * every other character that is not an ASCII letter, digit or `_` → `_`. The `kafka` naming (ours,
 * opt-in) applies the same steps but also keeps `.` and `-`, the other characters Kafka allows.
 */
import { configError } from "../errors.ts";

/** Kafka refuses longer topic names (`Topic.MAX_NAME_LENGTH`). */
export const MAX_TOPIC_LENGTH = 249;

/** The `topic_naming` choices: the Java connector's rule, or Kafka's own legal characters. */
export const TOPIC_NAMINGS = ["airbyte", "kafka"] as const;

export type TopicNaming = (typeof TOPIC_NAMINGS)[number];

export function topicFor(
  pattern: string,
  namespace: string | undefined,
  stream: string,
  naming: TopicNaming = "airbyte",
): string {
  // Replacer functions: a name is taken literally, even if it holds `$&` or `$$`.
  const filled = pattern
    .replaceAll("{namespace}", () => namespace ?? "")
    .replaceAll("{stream}", () => stream);
  return sanitize(filled, naming === "kafka" ? NOT_KAFKA_LEGAL : NOT_ALPHANUMERIC_OR_UNDERSCORE);
}

/** Like `topicFor`, but refuses a name Kafka would refuse, as a config error naming the stream. */
export function checkedTopicFor(
  pattern: string,
  namespace: string | undefined,
  stream: string,
  naming: TopicNaming = "airbyte",
): string {
  const topic = topicFor(pattern, namespace, stream, naming);
  const label = namespace === undefined ? stream : `${namespace}.${stream}`;
  if (topic === "") throw configError(`topic_pattern gives an empty topic name for stream ${label}.`);
  if (topic === "." || topic === "..") {
    throw configError(
      `topic_pattern gives the topic name "${topic}" for stream ${label}, which Kafka refuses.`,
    );
  }
  if (topic.length > MAX_TOPIC_LENGTH) {
    throw configError(
      `topic_pattern gives a topic name of ${topic.length} characters for stream ${label}; Kafka allows at most ${MAX_TOPIC_LENGTH}.`,
    );
  }
  return topic;
}

// --- internal ---

// Java's `\s` (without UNICODE_CHARACTER_CLASS) is ASCII whitespace only.
// biome-ignore lint/suspicious/noControlCharactersInRegex: \x0B (vertical tab) is part of Java's \s.
const JAVA_WHITESPACE = /[ \t\n\x0B\f\r]+/g;
const COMBINING_MARKS = /\p{M}/gu;
const NOT_ALPHANUMERIC_OR_UNDERSCORE = /[^A-Za-z0-9_]/gu;
const NOT_KAFKA_LEGAL = /[^A-Za-z0-9._-]/gu;

function sanitize(name: string, illegal: RegExp): string {
  return name
    .normalize("NFKD")
    .replace(COMBINING_MARKS, "")
    .replace(JAVA_WHITESPACE, "_")
    .replace(illegal, "_");
}
