/**
 * Client errors → ConnectorError, in one table. Total: an error it cannot classify becomes a
 * system_error carrying the client's own message (which names no secret and no record content).
 */
import { ProtocolError, TimeoutError, UnsupportedApiError } from "@platformatic/kafka";
import { ConnectorError, UNKNOWN_TOPIC } from "../errors.ts";

/** What the connector was doing, for the message: "sending records to topic x", "checking". */
export interface ErrorContext {
  action: string;
  topic?: string | undefined;
  bootstrap: string;
}

export function classifyKafkaError(error: unknown, context: ErrorContext): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const all = flatten(error);
  const where = context.topic === undefined ? "" : ` (topic ${context.topic})`;
  const prefix = `Kafka error while ${context.action}${where}`;

  const protocol = all.find((e): e is ProtocolError => e instanceof ProtocolError);
  const apiId = protocol?.apiId as string | undefined;
  if (apiId !== undefined) {
    const known = PROTOCOL_CAUSES[apiId];
    if (known) return new ConnectorError(`${prefix}: ${known.text(context)}`, known.failureType, apiId);
    return new ConnectorError(
      `${prefix}: the broker answered ${apiId}.`,
      protocol?.canRetry ? "transient_error" : "system_error",
      apiId,
    );
  }

  const unknownTopic = all.find((e) => /^Unknown topic /.test(e.message));
  if (unknownTopic) {
    return new ConnectorError(
      `${prefix}: ${PROTOCOL_CAUSES.UNKNOWN_TOPIC_OR_PARTITION?.text(context)}`,
      "config_error",
      UNKNOWN_TOPIC,
    );
  }
  if (all.some((e) => e instanceof UnsupportedApiError)) {
    return new ConnectorError(
      `${prefix}: the broker at ${context.bootstrap} is older than this client supports (it needs Apache Kafka 3.5 or later).`,
      "config_error",
    );
  }
  const code = all
    .map((e) => (e as NodeJS.ErrnoException).code)
    .find((c) => c !== undefined && SOCKET_CAUSES[c]);
  if (code !== undefined) {
    const cause = SOCKET_CAUSES[code];
    if (cause) return new ConnectorError(`${prefix}: ${cause.text(context)}`, cause.failureType, code);
  }
  if (all.some((e) => e instanceof TimeoutError || /timed? ?out/i.test(e.message))) {
    return new ConnectorError(
      `${prefix}: the brokers at ${context.bootstrap} did not answer in time (timeout).`,
      "transient_error",
    );
  }
  const first = all.find((e) => e.message !== "") ?? all[0];
  return new ConnectorError(`${prefix}: ${first?.message ?? String(error)}`, "system_error");
}

// --- internal ---

interface Cause {
  text: (context: ErrorContext) => string;
  failureType: ConnectorError["failureType"];
}

const topicName = (context: ErrorContext) =>
  context.topic === undefined ? "the topic" : `topic ${context.topic}`;

const PROTOCOL_CAUSES: Record<string, Cause> = {
  UNKNOWN_TOPIC_OR_PARTITION: {
    text: (c) =>
      `${topicName(c)} does not exist and the broker does not create topics automatically (auto.create.topics.enable=false). Create the topic first.`,
    failureType: "config_error",
  },
  TOPIC_AUTHORIZATION_FAILED: {
    text: (c) => `not authorized to write to ${topicName(c)}.`,
    failureType: "config_error",
  },
  CLUSTER_AUTHORIZATION_FAILED: { text: () => "not authorized on the cluster.", failureType: "config_error" },
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: {
    text: () => "not authorized to use the transactional id.",
    failureType: "config_error",
  },
  MESSAGE_TOO_LARGE: {
    text: (c) =>
      `the broker refused a batch as too large for ${topicName(c)} (its max.message.bytes is smaller than the batch); lower max_request_size or raise the topic's max.message.bytes.`,
    failureType: "config_error",
  },
  RECORD_LIST_TOO_LARGE: {
    text: (c) => `the broker refused a request as too large for ${topicName(c)}; lower max_request_size.`,
    failureType: "config_error",
  },
  INVALID_TOPIC_EXCEPTION: {
    text: (c) => `the broker refused ${topicName(c)} as an invalid topic name.`,
    failureType: "config_error",
  },
  POLICY_VIOLATION: { text: (c) => `a broker policy refused ${topicName(c)}.`, failureType: "config_error" },
  NOT_ENOUGH_REPLICAS: {
    text: (c) => `${topicName(c)} has fewer in-sync replicas than min.insync.replicas requires.`,
    failureType: "transient_error",
  },
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: {
    text: (c) => `${topicName(c)} lost in-sync replicas while writing.`,
    failureType: "transient_error",
  },
};

const SOCKET_CAUSES: Record<string, Cause> = {
  ECONNREFUSED: {
    text: (c) => `could not connect to ${c.bootstrap}: connection refused (is a broker listening there?).`,
    failureType: "transient_error",
  },
  ENOTFOUND: {
    text: (c) => `could not connect to ${c.bootstrap}: unknown host (the name does not resolve).`,
    failureType: "config_error",
  },
  EAI_AGAIN: {
    text: (c) => `could not connect to ${c.bootstrap}: the host name could not be resolved right now.`,
    failureType: "transient_error",
  },
  EHOSTUNREACH: {
    text: (c) => `could not reach ${c.bootstrap}: host unreachable.`,
    failureType: "transient_error",
  },
  ENETUNREACH: {
    text: (c) => `could not reach ${c.bootstrap}: network unreachable.`,
    failureType: "transient_error",
  },
  ECONNRESET: { text: (c) => `the connection to ${c.bootstrap} was reset.`, failureType: "transient_error" },
  EPIPE: { text: (c) => `the connection to ${c.bootstrap} was closed.`, failureType: "transient_error" },
};

/** The error and everything nested in it (AggregateError members, causes), depth first. */
function flatten(error: unknown, out: Error[] = [], depth = 0): Error[] {
  if (!(error instanceof Error) || depth > 8) return out;
  out.push(error);
  if (error instanceof AggregateError) for (const inner of error.errors) flatten(inner, out, depth + 1);
  if (error.cause !== undefined) flatten(error.cause, out, depth + 1);
  return out;
}
