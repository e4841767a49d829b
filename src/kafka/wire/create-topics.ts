/**
 * CreateTopics, v2 to v4 (one layout; Kafka 4.0 dropped v0 and v1, and v5 on are flexible with more
 * in the answer than this needs). `validateOnly` asks the cluster to check the request — settings
 * and this client's right to create — without creating anything, for `check`.
 *
 *   CreateTopics Request => [topics] timeout_ms validate_only
 *     topics => name num_partitions replication_factor [assignments] [configs]
 *       configs => name value
 *   CreateTopics Response => throttle_time_ms [topics]
 *     topics => name error_code error_message
 */
import { Writer } from "@platformatic/kafka";
import { APIS } from "./apis.ts";
import { request, type WireRequest } from "./request.ts";
import type { Answer } from "./transaction-apis.ts";

export interface NewTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

export interface CreateTopicsArgs {
  topics: NewTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

export interface TopicAnswer extends Answer {
  name: string;
}

export function createTopicsRequest(
  version: number,
  args: CreateTopicsArgs,
): WireRequest<CreateTopicsArgs, TopicAnswer[]> {
  return request(APIS.createTopics, version, args, {
    encode: ({ topics, timeoutMs, validateOnly }) =>
      Writer.create()
        .appendArray(
          topics,
          (w, topic) =>
            w
              .appendString(topic.name, false)
              .appendInt32(topic.partitions)
              .appendInt16(topic.replicationFactor)
              .appendArray([], () => undefined, false, false)
              .appendArray(
                Object.entries(topic.configs),
                (cw, [name, value]) => cw.appendString(name, false).appendString(value, false),
                false,
                false,
              ),
          false,
          false,
        )
        .appendInt32(timeoutMs)
        .appendBoolean(validateOnly),
    decode: (reader) => {
      reader.readInt32(); // throttle_time_ms
      return reader.readArray(
        (r) => ({
          name: r.readString(false),
          errorCode: r.readInt16(),
          errorMessage: r.readNullableString(false),
        }),
        false,
        false,
      );
    },
  });
}
