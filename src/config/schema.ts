/**
 * The connector's configuration: the single source of truth. `spec` is this schema converted to JSON
 * Schema, and `check` and `write` validate with it, so the three can never disagree.
 *
 * Field names, types and defaults are the Java `destination-kafka` 0.1.11 ones, so existing Airbyte
 * configs work unchanged; `on_invalid_input` is ours.
 */
import * as v from "valibot";
import { numeric } from "./numeric.ts";

const SASL_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER", "GSSAPI"] as const;

const saslFields = (order: number) => ({
  sasl_mechanism: v.pipe(
    v.nullish(v.picklist(SASL_MECHANISMS, `must be one of ${SASL_MECHANISMS.join(", ")}`), "PLAIN"),
    v.metadata({
      title: "SASL Mechanism",
      description:
        "SASL mechanism used for client connections. This may be any mechanism for which a security provider is available.",
      order: order,
    }),
  ),
  sasl_jaas_config: v.pipe(
    v.nullish(v.string("must be a string"), ""),
    v.metadata({
      title: "SASL JAAS Config",
      description:
        "JAAS login context parameters for SASL connections in the format used by JAAS configuration files.",
      airbyte_secret: true,
      order: order + 1,
    }),
  ),
});

const securityProtocol = <T extends string>(name: T) =>
  v.pipe(v.literal(name), v.metadata({ title: "Security Protocol", order: 0 }));

const ProtocolSchema = v.pipe(
  v.nullish(
    v.variant(
      "security_protocol",
      [
        v.pipe(
          v.object({ security_protocol: securityProtocol("PLAINTEXT") }),
          v.metadata({ title: "PLAINTEXT" }),
        ),
        v.pipe(
          v.object({ security_protocol: securityProtocol("SASL_PLAINTEXT"), ...saslFields(1) }),
          v.metadata({ title: "SASL PLAINTEXT" }),
        ),
        v.pipe(
          v.object({ security_protocol: securityProtocol("SASL_SSL"), ...saslFields(1) }),
          v.metadata({ title: "SASL SSL" }),
        ),
      ],
      "must be an object whose security_protocol is PLAINTEXT, SASL_PLAINTEXT or SASL_SSL",
    ),
    { security_protocol: "PLAINTEXT" as const },
  ),
  v.metadata({
    title: "Protocol",
    description: "Protocol used to communicate with brokers.",
    order: 4,
  }),
);

const hostPort = /^(\[[0-9a-fA-F:.]+\]|[^\s,:[\]]+):(\d{1,5})$/;

const BootstrapServersSchema = v.pipe(
  v.string("must be a string"),
  v.trim(),
  v.nonEmpty("must not be empty"),
  v.check(
    (text) =>
      text.split(",").every((entry) => {
        const match = hostPort.exec(entry.trim());
        return match !== null && Number(match[2]) > 0 && Number(match[2]) < 65536;
      }),
    "must be a comma-separated list of host:port pairs, e.g. host1:9092,host2:9092",
  ),
  v.metadata({
    title: "Bootstrap Servers",
    description:
      "A list of host/port pairs to use for establishing the initial connection to the Kafka cluster, in the form host1:port1,host2:port2,...",
    examples: ["kafka-broker1:9092,kafka-broker2:9092"],
    order: 0,
  }),
);

const choice = <const T extends readonly [string, ...string[]]>(
  options: T,
  fallback: T[number],
  meta: { title: string; description: string; order: number },
) =>
  v.pipe(v.nullish(v.picklist(options, `must be one of ${options.join(", ")}`), fallback), v.metadata(meta));

const flag = (fallback: boolean, meta: { title: string; description: string; order: number }) =>
  v.pipe(v.nullish(v.boolean("must be true or false"), fallback), v.metadata(meta));

export const ConfigObjectSchema = v.object({
  bootstrap_servers: BootstrapServersSchema,
  topic_pattern: v.pipe(
    v.string("must be a string"),
    v.trim(),
    v.nonEmpty("must not be empty"),
    v.metadata({
      title: "Topic Pattern",
      description:
        "Topic pattern in which the records will be sent. You can use patterns like '{namespace}' and/or '{stream}' to send the message to a specific topic based on these values. Notice that the topic name will be transformed to a standard naming convention.",
      examples: ["sample.topic", "{namespace}.{stream}.sample"],
      order: 1,
    }),
  ),
  test_topic: v.pipe(
    v.nullish(v.pipe(v.string("must be a string"), v.trim())),
    v.metadata({
      title: "Test Topic",
      description: "Topic to test if Airbyte can produce messages.",
      examples: ["test.topic"],
      order: 2,
    }),
  ),
  sync_producer: flag(false, {
    title: "Sync Producer",
    description: "Wait synchronously until the record has been sent to Kafka.",
    order: 3,
  }),
  protocol: ProtocolSchema,
  client_id: v.pipe(
    v.nullish(
      v.pipe(v.string("must be a string"), v.trim(), v.nonEmpty("must not be empty")),
      "airbyte-producer",
    ),
    v.metadata({
      title: "Client ID",
      description:
        "An ID string to pass to the server when making requests. The purpose of this is to be able to track the source of requests beyond just ip/port by allowing a logical application name to be included in server-side request logging.",
      examples: ["airbyte-producer"],
      order: 5,
    }),
  ),
  acks: choice(["0", "1", "all"], "1", {
    title: "ACKs",
    description:
      "The number of acknowledgments the producer requires the leader to have received before considering a request complete. This controls the durability of records that are sent.",
    order: 6,
  }),
  enable_idempotence: flag(false, {
    title: "Enable Idempotence",
    description:
      "When set to 'true', the producer will ensure that exactly one copy of each message is written in the stream. If 'false', producer retries due to broker failures, etc., may write duplicates of the retried message in the stream. Requires acks 'all'.",
    order: 7,
  }),
  compression_type: choice(["none", "gzip", "snappy", "lz4", "zstd"], "none", {
    title: "Compression Type",
    description: "The compression type for all data generated by the producer.",
    order: 8,
  }),
  batch_size: numeric({
    type: "integer",
    default: 16384,
    min: 0,
    title: "Batch Size",
    description:
      "The producer sends a batch once its records reach this many bytes (0 sends every record on its own).",
    order: 9,
  }),
  linger_ms: numeric({
    type: "string",
    default: 0,
    min: 0,
    title: "Linger ms",
    description:
      "The producer groups together any records that arrive in between request transmissions into a single batched request, waiting up to this many milliseconds for more records.",
    order: 10,
  }),
  max_in_flight_requests_per_connection: numeric({
    type: "integer",
    default: 5,
    min: 1,
    title: "Max in Flight Requests per Connection",
    description:
      "The maximum number of unacknowledged requests the client will send on a single connection before blocking. Can be greater than 1, and the maximum value supported with idempotency is 5.",
    order: 11,
  }),
  client_dns_lookup: choice(
    ["default", "use_all_dns_ips", "resolve_canonical_bootstrap_servers_only"],
    "use_all_dns_ips",
    {
      title: "Client DNS Lookup",
      description: "Controls how the client uses DNS lookups (accepted for compatibility; see the README).",
      order: 12,
    },
  ),
  buffer_memory: numeric({
    type: "string",
    default: 33554432,
    min: 1,
    title: "Buffer Memory",
    description:
      "The total bytes of memory the producer can use to buffer records waiting to be sent to the server; reading pauses while it is full.",
    order: 13,
  }),
  max_request_size: numeric({
    type: "integer",
    default: 1048576,
    min: 1,
    title: "Max Request Size",
    description:
      "The maximum size of a request in bytes. A single record larger than this is an error; requests are split to stay under it.",
    order: 14,
  }),
  retries: numeric({
    type: "integer",
    default: 2147483647,
    min: 0,
    title: "Retries",
    description:
      "Setting a value greater than zero will cause the client to resend any record whose send fails with a potentially transient error. Bounded in time by delivery_timeout_ms.",
    order: 15,
  }),
  socket_connection_setup_timeout_ms: numeric({
    type: "string",
    default: 10000,
    min: 0,
    title: "Socket Connection Setup Timeout",
    description: "The amount of time the client will wait for the socket connection to be established.",
    order: 16,
  }),
  socket_connection_setup_timeout_max_ms: numeric({
    type: "string",
    default: 30000,
    min: 0,
    title: "Socket Connection Setup Max Timeout",
    description:
      "The maximum amount of time the client will wait for the socket connection to be established (accepted for compatibility; see the README).",
    order: 17,
  }),
  max_block_ms: numeric({
    type: "string",
    default: 60000,
    min: 0,
    title: "Max Block ms",
    description:
      "The maximum time to wait for cluster metadata: bounds connecting, check and the first send to a topic.",
    order: 18,
  }),
  request_timeout_ms: numeric({
    type: "integer",
    default: 30000,
    min: 1,
    title: "Request Timeout",
    description:
      "The maximum amount of time the client will wait for the response of a request. If the response is not received before the timeout elapses the client will resend the request if necessary or fail the request if retries are exhausted.",
    order: 19,
  }),
  delivery_timeout_ms: numeric({
    type: "integer",
    default: 120000,
    min: 1,
    title: "Delivery Timeout",
    description:
      "An upper bound on the time to report success or failure after a record is handed to the producer. A record not acknowledged by then fails the sync.",
    order: 20,
  }),
  send_buffer_bytes: numeric({
    type: "integer",
    default: 131072,
    min: -1,
    title: "Send Buffer bytes",
    description:
      "The size of the TCP send buffer (SO_SNDBUF) to use when sending data. If the value is -1, the OS default will be used (accepted for compatibility; see the README).",
    order: 21,
  }),
  receive_buffer_bytes: numeric({
    type: "integer",
    default: 32768,
    min: -1,
    title: "Receive Buffer bytes",
    description:
      "The size of the TCP receive buffer (SO_RCVBUF) to use when reading data. If the value is -1, the OS default will be used (accepted for compatibility; see the README).",
    order: 22,
  }),
  transactional_id: v.pipe(
    v.nullish(v.pipe(v.string("must be a string"), v.trim())),
    v.metadata({
      title: "Transactional ID",
      description:
        "The TransactionalId to use for transactional delivery. Empty means no transactions (exactly-once delivery is not supported yet).",
      order: 23,
    }),
  ),
  transaction_timeout_ms: numeric({
    type: "integer",
    default: 60000,
    min: 1,
    title: "Transaction Timeout",
    description:
      "The maximum amount of time in ms that the transaction coordinator will wait for a transaction to complete.",
    order: 24,
  }),
  on_invalid_input: choice(["fail", "skip"], "fail", {
    title: "On Invalid Input",
    description:
      "What to do with an input line that cannot be written: not JSON, not an AirbyteMessage, a record of a stream not in the catalog, or a record larger than max_request_size. 'fail' (default) fails the sync; 'skip' drops the line with a WARN and counts it.",
    order: 25,
  }),
});

/**
 * Rules that span fields, checked after every field is valid. Each names the field a user must
 * change; Kafka's Java producer refuses the same combinations.
 */
export const ConfigSchema = v.pipe(
  ConfigObjectSchema,
  v.forward(
    v.check(
      (config) => !config.enable_idempotence || config.acks === "all",
      'must be "all" when enable_idempotence is true',
    ),
    ["acks"],
  ),
  v.forward(
    v.check(
      (config) => !config.enable_idempotence || config.max_in_flight_requests_per_connection <= 5,
      "must be at most 5 when enable_idempotence is true",
    ),
    ["max_in_flight_requests_per_connection"],
  ),
  v.forward(
    v.check(
      (config) => config.delivery_timeout_ms >= config.linger_ms + config.request_timeout_ms,
      "must be at least linger_ms + request_timeout_ms",
    ),
    ["delivery_timeout_ms"],
  ),
);

export type Config = v.InferOutput<typeof ConfigSchema>;
export type ProtocolConfig = Config["protocol"];
