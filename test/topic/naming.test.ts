import { describe, expect, it } from "bun:test";
import { checkedTopicFor, topicFor } from "../../src/topic/naming.ts";

describe("topic names follow the Java connector exactly", () => {
  // The reference cases of REFERENCE.md, with namespace "public" and stream "id_and_name".
  it.each([
    ["test.topic", "test_topic"],
    ["test-topic", "test_topic"],
    ["{namespace}.{stream}.test.topic", "public_id_and_name_test_topic"],
    ["{namespace}-{stream}-test.topic", "public_id_and_name_test_topic"],
    ["topic with spaces", "topic_with_spaces"],
  ])("%p → %p", (pattern, expected) => {
    expect(topicFor(pattern, "public", "id_and_name")).toBe(expected);
  });

  it.each([
    ["{namespace}.{stream}", undefined, "users", "_users"],
    ["café_{stream}", undefined, "x", "cafe_x"],
    ["a\t \nb", undefined, "x", "a_b"],
    ["ﬁle", undefined, "x", "file"],
    ["a/b", undefined, "x", "a_b"],
    ["emoji😀", undefined, "x", "emoji_"],
    ["{stream}{stream}", "ns", "s", "ss"],
    ["a\u00a0b", undefined, "x", "a_b"],
  ])("%p with namespace %p and stream %p → %p", (pattern, namespace, stream, expected) => {
    expect(topicFor(pattern, namespace, stream)).toBe(expected);
  });

  it("a name over 249 characters is a config error naming the stream", () => {
    expect(() => checkedTopicFor("{stream}", "ns", "x".repeat(250))).toThrow(
      /stream ns\.x+; Kafka allows at most 249/,
    );
    expect(checkedTopicFor("{stream}", "ns", "x".repeat(249))).toHaveLength(249);
  });

  it("an empty name is a config error", () => {
    expect(() => checkedTopicFor("{namespace}", undefined, "s")).toThrow("empty topic name for stream s");
  });

  it.each([
    ["{namespace}.{stream}.v1", "public.id_and_name.v1"],
    ["team-a/{stream}", "team-a_id_and_name"],
    ["café {stream}", "cafe_id_and_name"],
  ])("kafka naming keeps . and -: %p → %p", (pattern, expected) => {
    expect(topicFor(pattern, "public", "id_and_name", "kafka")).toBe(expected);
  });

  it("kafka naming refuses the names Kafka refuses", () => {
    expect(() => checkedTopicFor("..", undefined, "s", "kafka")).toThrow('the topic name ".." for stream s');
  });
});
