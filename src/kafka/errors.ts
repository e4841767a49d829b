/**
 * Client errors → ConnectorError, in one ordered table: the first cause that matches anywhere in the
 * error's tree (aggregates, causes) names the problem. Total: an error it cannot classify becomes a
 * system_error carrying the client's own message (which names no secret and no record content).
 */
import { ProtocolError, TimeoutError } from "@platformatic/kafka";
import { ConnectorError, type FailureType, UNKNOWN_TOPIC } from "../errors.ts";

/** What the connector was doing, for the message: "sending records", "connecting to the cluster". */
export interface ErrorContext {
  action: string;
  topic?: string | undefined;
  bootstrap: string;
  /** Said when a broker closes the connection without a reason (e.g. "it may require mTLS"). */
  closedHint?: string | undefined;
  /** What the topic was needed for, named when the broker refuses it; default "write". */
  access?: "write" | "create" | "delete";
}

export function classifyKafkaError(error: unknown, context: ErrorContext): ConnectorError {
  const all = flatten(error);
  // Our own verdict (e.g. a broker too old for the config) stands, however deep it was wrapped.
  const ours = all.find((e) => e instanceof ConnectorError);
  if (ours) return ours as ConnectorError;
  const where = context.topic === undefined ? "" : ` (topic ${context.topic})`;
  const prefix = `Kafka error while ${context.action}${where}`;
  for (const cause of CAUSES) {
    const found = all.find(cause.matches);
    if (found) {
      return new ConnectorError(
        `${prefix}: ${cause.text(context, found)}`,
        cause.failureType(found),
        cause.code(found),
      );
    }
  }
  const first = all.find((e) => e.message !== "") ?? all[0];
  return new ConnectorError(`${prefix}: ${first?.message ?? String(error)}`, "system_error");
}

// --- internal ---

interface Cause {
  matches: (error: Error) => boolean;
  text: (context: ErrorContext, error: Error) => string;
  failureType: (error: Error) => FailureType;
  code: (error: Error) => string | undefined;
}

/** The broker's own explanation, when it gave one (it names settings, never data or secrets). */
const brokerSays = (error: Error) => {
  const said = (error as ProtocolError).serverErrorMessage as string | null | undefined;
  return said ? ` (the broker says: ${said.replace(/\.$/, "")})` : "";
};

const topicName = (c: ErrorContext) => (c.topic === undefined ? "the topic" : `topic ${c.topic}`);
const codeOf = (error: Error) => (error as NodeJS.ErrnoException).code;
const apiIdOf = (error: Error) => (error instanceof ProtocolError ? (error.apiId as string) : undefined);

/** A broker error code (ProtocolError.apiId) with its message and failure type. */
const protocolCause = (apiId: string, failureType: FailureType, text: Cause["text"]): Cause => ({
  matches: (error) => apiIdOf(error) === apiId,
  text,
  failureType: () => failureType,
  code: () => (apiId === "UNKNOWN_TOPIC_OR_PARTITION" ? UNKNOWN_TOPIC : apiId),
});

/** A client error recognised by its message. */
const messageCause = (
  pattern: RegExp,
  failureType: FailureType,
  text: Cause["text"],
  code?: string,
): Cause => ({
  matches: (error) => pattern.test(error.message),
  text,
  failureType: () => failureType,
  code: () => code,
});

/** A socket or TLS error recognised by its Node.js error code. */
const codeCause = (codes: string[], failureType: FailureType, text: Cause["text"]): Cause => ({
  matches: (error) => codes.includes(codeOf(error) ?? ""),
  text,
  failureType: () => failureType,
  code: codeOf,
});

const missingTopic: Cause["text"] = (c) =>
  `${topicName(c)} does not exist and the broker does not create topics automatically (auto.create.topics.enable=false). Create the topic first.`;

const fenced: Cause["text"] = () =>
  "the transaction was fenced: another producer started with the same transactional_id (a newer run of this sync, or another connection using the same id), or the coordinator aborted the transaction after transaction_timeout_ms. Nothing of the open transaction was committed.";

const CAUSES: Cause[] = [
  protocolCause("UNKNOWN_TOPIC_OR_PARTITION", "config_error", missingTopic),
  protocolCause("TOPIC_AUTHORIZATION_FAILED", "config_error", (c) => {
    if (c.access === "create")
      return `not authorized to create ${topicName(c)}: create_topics needs the CREATE permission on the topic or the cluster, and WRITE on the topic.`;
    if (c.access === "delete")
      return `not authorized to delete records of ${topicName(c)}: a stream that overwrites (destination_sync_mode overwrite, or a truncate refresh) needs the DELETE permission on its topic, besides DESCRIBE and WRITE.`;
    return `not authorized to write to ${topicName(c)}.`;
  }),
  protocolCause("CLUSTER_AUTHORIZATION_FAILED", "config_error", () => "not authorized on the cluster."),
  protocolCause(
    "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
    "config_error",
    () => "not authorized to use the transactional id.",
  ),
  ...["PRODUCER_FENCED", "INVALID_PRODUCER_EPOCH"].map((apiId) =>
    protocolCause(apiId, "system_error", fenced),
  ),
  protocolCause(
    "INVALID_TRANSACTION_TIMEOUT",
    "config_error",
    () =>
      "the broker refused transaction_timeout_ms: it is larger than the broker's transaction.max.timeout.ms (15 minutes by default).",
  ),
  ...["INVALID_TXN_STATE", "TRANSACTION_ABORTABLE", "INVALID_PRODUCER_ID_MAPPING"].map((apiId) =>
    protocolCause(
      apiId,
      "transient_error",
      () => `the transaction coordinator aborted the transaction (${apiId}); nothing of it was committed.`,
    ),
  ),
  protocolCause(
    "MESSAGE_TOO_LARGE",
    "config_error",
    (c) =>
      `the broker refused a batch as too large for ${topicName(c)} (its max.message.bytes is smaller than the batch); lower max_request_size or raise the topic's max.message.bytes.`,
  ),
  protocolCause(
    "RECORD_LIST_TOO_LARGE",
    "config_error",
    (c) => `the broker refused a request as too large for ${topicName(c)}; lower max_request_size.`,
  ),
  protocolCause(
    "INVALID_TOPIC_EXCEPTION",
    "config_error",
    (c) => `the broker refused ${topicName(c)} as an invalid topic name.`,
  ),
  protocolCause("POLICY_VIOLATION", "config_error", (c) =>
    c.access === "delete"
      ? `${topicName(c)} keeps its records by compaction alone (cleanup.policy=compact), so they cannot be deleted and a stream cannot overwrite it: use cleanup.policy delete or compact,delete on that topic, or append.`
      : `a broker policy refused ${topicName(c)}.`,
  ),
  protocolCause(
    "INVALID_REPLICATION_FACTOR",
    "config_error",
    (c, e) => `the cluster refused the replication factor for ${topicName(c)}${brokerSays(e)}.`,
  ),
  protocolCause(
    "INVALID_PARTITIONS",
    "config_error",
    (c, e) => `the cluster refused the partition count for ${topicName(c)}${brokerSays(e)}.`,
  ),
  protocolCause(
    "INVALID_CONFIG",
    "config_error",
    (c, e) => `the cluster refused a topic config in create_topics for ${topicName(c)}${brokerSays(e)}.`,
  ),
  protocolCause(
    "NOT_ENOUGH_REPLICAS",
    "transient_error",
    (c) => `${topicName(c)} has fewer in-sync replicas than min.insync.replicas requires.`,
  ),
  protocolCause(
    "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
    "transient_error",
    (c) => `${topicName(c)} lost in-sync replicas while writing.`,
  ),
  protocolCause(
    "SASL_AUTHENTICATION_FAILED",
    "config_error",
    (c) =>
      `authentication failed at ${c.bootstrap}: the broker refused the username or password (or the user does not exist).`,
  ),
  protocolCause(
    "UNSUPPORTED_SASL_MECHANISM",
    "config_error",
    (c) => `the broker at ${c.bootstrap} does not accept this sasl_mechanism on this listener.`,
  ),
  protocolCause(
    "ILLEGAL_SASL_STATE",
    "config_error",
    (c) => `the broker at ${c.bootstrap} refused the SASL login.`,
  ),
  messageCause(/^Unknown topic /, "config_error", missingTopic, UNKNOWN_TOPIC),
  messageCause(
    /Invalid SASL\/OAUTHBEARER token/,
    "config_error",
    (c) => `the broker at ${c.bootstrap} refused the OAuth token (invalid or expired).`,
  ),
  messageCause(
    /^Broker requires TLS/,
    "config_error",
    (c) => `the listener at ${c.bootstrap} requires TLS: use security_protocol SSL or SASL_SSL.`,
  ),
  messageCause(
    /^TLS handshake failed/,
    "config_error",
    (c) =>
      `the TLS handshake with ${c.bootstrap} failed: the listener does not speak TLS (use PLAINTEXT or SASL_PLAINTEXT).`,
  ),
  messageCause(
    /^Cannot find a suitable SASL mechanism/,
    "config_error",
    (c) =>
      `the broker at ${c.bootstrap} closed the connection during the SASL handshake: the listener may require TLS (use SASL_SSL) or not use SASL.`,
  ),
  codeCause(
    [
      "SELF_SIGNED_CERT_IN_CHAIN",
      "DEPTH_ZERO_SELF_SIGNED_CERT",
      "UNABLE_TO_GET_ISSUER_CERT",
      "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
      "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      "CERT_UNTRUSTED",
      "CERT_SIGNATURE_FAILURE",
    ],
    "config_error",
    (c, e) =>
      `the TLS certificate of ${c.bootstrap} is not trusted (${codeOf(e)}): set ssl_ca_certificate to the CA that signed it.`,
  ),
  codeCause(
    ["CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID"],
    "config_error",
    (c, e) => `the TLS certificate of ${c.bootstrap} is not valid now (${codeOf(e)}).`,
  ),
  codeCause(
    ["ERR_TLS_CERT_ALTNAME_INVALID"],
    "config_error",
    (c) =>
      `the TLS certificate of ${c.bootstrap} does not name that host (host name mismatch): connect by a name the certificate lists, or, for testing only, turn ssl_endpoint_identification off.`,
  ),
  codeCause(
    ["ECONNREFUSED"],
    "transient_error",
    (c) => `could not connect to ${c.bootstrap}: connection refused (is a broker listening there?).`,
  ),
  codeCause(
    ["ENOTFOUND"],
    "config_error",
    (c) => `could not connect to ${c.bootstrap}: unknown host (the name does not resolve).`,
  ),
  codeCause(
    ["EAI_AGAIN"],
    "transient_error",
    (c) => `could not connect to ${c.bootstrap}: the host name could not be resolved right now.`,
  ),
  codeCause(["EHOSTUNREACH"], "transient_error", (c) => `could not reach ${c.bootstrap}: host unreachable.`),
  codeCause(
    ["ENETUNREACH"],
    "transient_error",
    (c) => `could not reach ${c.bootstrap}: network unreachable.`,
  ),
  codeCause(["ECONNRESET"], "transient_error", (c) => `the connection to ${c.bootstrap} was reset.`),
  codeCause(["EPIPE"], "transient_error", (c) => `the connection to ${c.bootstrap} was closed.`),
  {
    matches: (error) => error instanceof TimeoutError || /timed? ?out/i.test(error.message),
    text: (c) => `the brokers at ${c.bootstrap} did not answer in time (timeout).`,
    failureType: () => "transient_error",
    code: () => undefined,
  },
  {
    matches: (error) => error instanceof ProtocolError,
    text: (_c, e) => `the broker answered ${apiIdOf(e)}.`,
    failureType: (e) => ((e as ProtocolError).canRetry ? "transient_error" : "system_error"),
    code: apiIdOf,
  },
  messageCause(
    /^Connection closed/,
    "transient_error",
    (c) => `the broker at ${c.bootstrap} closed the connection.${c.closedHint ? ` ${c.closedHint}` : ""}`,
  ),
];

/** The error and everything nested in it (AggregateError members, causes), depth first. */
function flatten(error: unknown, out: Error[] = [], depth = 0): Error[] {
  if (!(error instanceof Error) || depth > 8) return out;
  out.push(error);
  if (error instanceof AggregateError) for (const inner of error.errors) flatten(inner, out, depth + 1);
  if (error.cause !== undefined) flatten(error.cause, out, depth + 1);
  return out;
}
