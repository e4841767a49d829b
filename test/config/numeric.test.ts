import { describe, expect, it } from "bun:test";
import * as v from "valibot";
import { numeric, numericJsonSchemas } from "../../src/config/numeric.ts";

const field = numeric({
  type: "string",
  default: 10,
  min: 1,
  max: 100,
  title: "Linger",
  description: "ms",
  order: 4,
});
const parse = (input: unknown) => v.safeParse(field, input);

describe("numeric fields", () => {
  it.each([
    [5, 5],
    ["5", 5],
    [" 42 ", 42],
    [null, 10],
    [undefined, 10],
  ])("%p → %p", (input, expected) => {
    expect(parse(input)).toMatchObject({ success: true, output: expected });
  });

  it.each([
    ["1.5", "must be a number"],
    [1.5, "must be a whole number"],
    [0, "must be at least 1"],
    [101, "must be at most 100"],
    [true, "must be a number"],
  ])("%p is refused: %s", (input, message) => {
    const result = parse(input);
    expect(result.success).toBe(false);
    expect(result.issues?.[0]?.message).toBe(message);
  });

  it("records the JSON Schema spec shows for the field: the reference's declared type, the default as it", () => {
    const input = (field as unknown as { pipe: object[] }).pipe[0] as object;
    expect(numericJsonSchemas.get(input)).toEqual({
      type: "string",
      title: "Linger",
      description: "ms",
      default: "10",
      pattern: "^-?[0-9]+$",
      order: 4,
    });
  });
});
