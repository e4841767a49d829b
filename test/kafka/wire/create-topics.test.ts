import { describe, expect, it } from "bun:test";
import { createTopicsRequest } from "../../../src/kafka/wire/create-topics.ts";
import { arr, bool, bytesOf, cat, int16, int32, readerOf, str } from "../../helpers/bytes.ts";

describe("CreateTopics v2–v4", () => {
  const request = createTopicsRequest(4, {
    topics: [{ name: "t", partitions: 3, replicationFactor: 1, configs: { "cleanup.policy": "compact" } }],
    timeoutMs: 5000,
    validateOnly: true,
  });

  it("writes the topic, no assignments, its configs, the timeout and validate_only", () => {
    expect(bytesOf(request.encode())).toEqual(
      cat(
        arr(cat(str("t"), int32(3), int16(1), arr(), arr(cat(str("cleanup.policy"), str("compact"))))),
        int32(5000),
        bool(true),
      ),
    );
  });

  it("reads each topic's error code and the broker's message", () => {
    const bytes = cat(
      int32(0),
      arr(cat(str("t"), int16(38), str("Replication factor: 3 larger than available brokers: 1."))),
    );
    expect(request.decode(readerOf(bytes))).toEqual([
      { name: "t", errorCode: 38, errorMessage: "Replication factor: 3 larger than available brokers: 1." },
    ]);
  });
});
