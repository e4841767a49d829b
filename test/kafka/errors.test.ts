import { describe, expect, it } from "bun:test";
import { NetworkError, ProtocolError, TimeoutError, UserError } from "@platformatic/kafka";
import { ConnectorError } from "../../src/errors.ts";
import { classifyKafkaError } from "../../src/kafka/errors.ts";

const context = { action: "sending records", topic: "orders", bootstrap: "k1:9092" };
const errno = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe("classifyKafkaError", () => {
  const cases: [string, () => unknown, string, string][] = [
    [
      "unknown topic",
      () => new ProtocolError("UNKNOWN_TOPIC_OR_PARTITION"),
      "orders does not exist",
      "config_error",
    ],
    [
      "client-side unknown topic",
      () => new UserError("Unknown topic orders."),
      "orders does not exist",
      "config_error",
    ],
    [
      "authorization",
      () => new ProtocolError("TOPIC_AUTHORIZATION_FAILED"),
      "not authorized to write",
      "config_error",
    ],
    [
      "fenced by a newer producer",
      () => new ProtocolError("PRODUCER_FENCED"),
      "another producer started with the same transactional_id",
      "system_error",
    ],
    [
      "an old epoch",
      () => new ProtocolError("INVALID_PRODUCER_EPOCH"),
      "the transaction was fenced",
      "system_error",
    ],
    [
      "a transaction timeout over the broker's maximum",
      () => new ProtocolError("INVALID_TRANSACTION_TIMEOUT"),
      "refused transaction_timeout_ms",
      "config_error",
    ],
    [
      "a transaction the coordinator aborted",
      () => new ProtocolError("INVALID_TXN_STATE"),
      "nothing of it was committed",
      "transient_error",
    ],
    [
      "message too large",
      () => new ProtocolError("MESSAGE_TOO_LARGE"),
      "too large for topic orders",
      "config_error",
    ],
    [
      "too few replicas",
      () => new ProtocolError("NOT_ENOUGH_REPLICAS"),
      "fewer in-sync replicas",
      "transient_error",
    ],
    [
      "refused",
      () => new NetworkError("down", { cause: errno("ECONNREFUSED") }),
      "connection refused",
      "transient_error",
    ],
    ["unknown host", () => errno("ENOTFOUND"), "k1:9092: unknown host", "config_error"],
    ["a timeout", () => new TimeoutError("Request timed out"), "did not answer in time", "transient_error"],
  ];

  it.each(cases)("%s → a clear message", (_label, make, text, failureType) => {
    const classified = classifyKafkaError(make(), context);
    expect(classified.message).toStartWith("Kafka error while sending records (topic orders): ");
    expect(classified.message).toContain(text);
    expect(classified.failureType).toBe(failureType as ConnectorError["failureType"]);
  });

  it("says which permission is missing: to create a topic, or to write to it", () => {
    const refused = new ProtocolError("TOPIC_AUTHORIZATION_FAILED");
    const creating = classifyKafkaError(refused, {
      ...context,
      action: "creating the topic",
      access: "create",
    });
    expect(creating.message).toBe(
      "Kafka error while creating the topic (topic orders): not authorized to create topic orders: create_topics needs the CREATE permission on the topic or the cluster, and WRITE on the topic.",
    );
    expect(creating.failureType).toBe("config_error");
    expect(classifyKafkaError(refused, context).message).toEndWith(
      "not authorized to write to topic orders.",
    );
  });

  it("finds the cause inside an aggregate of errors", () => {
    const aggregate = new AggregateError(
      [new Error("noise"), new ProtocolError("TOPIC_AUTHORIZATION_FAILED")],
      "many",
    );
    expect(classifyKafkaError(aggregate, context).message).toContain("not authorized");
  });

  it("keeps a ConnectorError as it is", () => {
    const error = new ConnectorError("already clear", "transient_error");
    expect(classifyKafkaError(error, context)).toBe(error);
  });

  it("keeps our own verdict (a broker too old for the config) however deep a send failure wraps it", () => {
    const verdict = new ConnectorError(
      "compression_type zstd needs Apache Kafka 2.1 or newer",
      "config_error",
    );
    const wrapped = new Error("send failed", { cause: new AggregateError([new Error("other"), verdict]) });
    expect(classifyKafkaError(wrapped, context)).toBe(verdict);
  });

  it("is total: an unknown error becomes a system_error with the client's message", () => {
    const classified = classifyKafkaError(new Error("something odd"), context);
    expect(classified.failureType).toBe("system_error");
    expect(classified.message).toContain("something odd");
    expect(classifyKafkaError("a string", context).message).toContain("a string");
  });
});
