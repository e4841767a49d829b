import { describe, expect, it } from "bun:test";
import { fieldKey } from "../../src/codec/message-key.ts";

const data = { id: 7, user: { id: "u-1", tags: ["a"] }, region: "eu", nothing: null, big: 2 ** 60 };
const key = (paths: string[][], format: "string" | "json" = "string") => {
  const result = fieldKey(data, paths, format);
  return typeof result === "string" ? result : result.toString();
};

describe("fieldKey", () => {
  it.each([
    [[["id"]], "string", "7"],
    [[["user", "id"]], "string", "u-1"],
    [[["user", "id"]], "json", '"u-1"'],
    [[["user", "tags"]], "string", '["a"]'],
    [[["user", "id"], ["region"]], "string", '["u-1","eu"]'],
    [[["id"], ["region"]], "json", '[7,"eu"]'],
  ] as const)("%j as %s → %s", (paths, format, expected) => {
    expect(
      key(
        paths.map((path) => [...path]),
        format,
      ),
    ).toBe(expected);
  });

  it.each([
    [[["missing"]], "its key field missing is missing or null"],
    [[["nothing"]], "its key field nothing is missing or null"],
    [[["user", "id", "deeper"]], "its key field user.id.deeper is missing or null"],
    [[["big"]], "its key field big holds an integer beyond 2^53"],
  ])("%j has no key: %s", (paths, reason) => {
    expect(fieldKey(data, paths, "string")).toStartWith(reason);
  });
});
