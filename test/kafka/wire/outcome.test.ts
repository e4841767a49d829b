import { describe, expect, it } from "bun:test";
import { NetworkError, ProtocolError, TimeoutError } from "@platformatic/kafka";
import { fatesOf, MissingPartitionError } from "../../../src/kafka/wire/outcome.ts";
import { result } from "../../helpers/fake-wire.ts";

const batch = (records = 2) => ({ topic: "t", partition: 0, records });
const fateOf = (errorCode: number, records = 2) =>
  fatesOf([batch(records)], { results: [result("t", 0, errorCode)] })[0];

describe("the fate of a partition batch", () => {
  it.each([
    [0, "NONE", "delivered"],
    [46, "DUPLICATE_SEQUENCE_NUMBER", "delivered"],
    [10, "MESSAGE_TOO_LARGE", "split"],
    [18, "RECORD_LIST_TOO_LARGE", "split"],
    [3, "UNKNOWN_TOPIC_OR_PARTITION", "retry"],
    [5, "LEADER_NOT_AVAILABLE", "retry"],
    [6, "NOT_LEADER_OR_FOLLOWER", "retry"],
    [7, "REQUEST_TIMED_OUT", "retry"],
    [19, "NOT_ENOUGH_REPLICAS", "retry"],
    [20, "NOT_ENOUGH_REPLICAS_AFTER_APPEND", "retry"],
    [56, "KAFKA_STORAGE_ERROR", "retry"],
    [29, "TOPIC_AUTHORIZATION_FAILED", "fatal"],
    [45, "OUT_OF_ORDER_SEQUENCE_NUMBER", "fatal"],
    [47, "INVALID_PRODUCER_EPOCH", "fatal"],
    [87, "INVALID_RECORD", "fatal"],
  ])("error code %p (%s) → %s", (code, apiId, kind) => {
    const fate = fateOf(code);
    expect(fate?.kind).toBe(kind as "delivered");
    if (fate && "error" in fate) expect(fate.error).toMatchObject({ apiId });
  });

  it("a one-record batch that is too large cannot be split: fatal", () => {
    expect(fateOf(10, 1)).toMatchObject({ kind: "fatal", error: { apiId: "MESSAGE_TOO_LARGE" } });
  });

  it("a partition the answer does not name is retried, not delivered", () => {
    const fates = fatesOf([batch(), { topic: "t", partition: 1, records: 1 }], { results: [result("t", 1)] });
    expect(fates[0]).toMatchObject({ kind: "retry" });
    expect((fates[0] as { error: unknown }).error).toBeInstanceOf(MissingPartitionError);
    expect(fates[1]).toEqual({ kind: "delivered" });
  });

  it("a transport failure is every batch's: a lost connection or a timeout is retried, anything else is fatal", () => {
    const two = [batch(), { topic: "u", partition: 3, records: 1 }];
    expect(fatesOf(two, { error: new NetworkError("Connection closed") }).map((f) => f.kind)).toEqual([
      "retry",
      "retry",
    ]);
    expect(fatesOf(two, { error: new TimeoutError("Request timed out") }).map((f) => f.kind)).toEqual([
      "retry",
      "retry",
    ]);
    expect(
      fatesOf(two, { error: new ProtocolError("SASL_AUTHENTICATION_FAILED") }).map((f) => f.kind),
    ).toEqual(["fatal", "fatal"]);
    expect(fatesOf(two, { error: new Error("bug") }).map((f) => f.kind)).toEqual(["fatal", "fatal"]);
  });
});
