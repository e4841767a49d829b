import { describe, expect, it } from "bun:test";
import { isObject } from "../src/is-object.ts";

describe("isObject", () => {
  it.each([
    [{}, true],
    [{ a: 1 }, true],
    [Object.create(null), true],
    [[], false],
    [null, false],
    [undefined, false],
    ["{}", false],
    [1, false],
  ])("%p → %p", (value, expected) => {
    expect(isObject(value)).toBe(expected);
  });
});
