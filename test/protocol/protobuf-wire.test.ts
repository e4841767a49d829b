import { describe, expect, it } from "bun:test";
import { FIXED32, ProtoReader } from "../../src/protocol/protobuf-wire.ts";

const reader = (...bytes: number[]) => new ProtoReader(new Uint8Array(bytes));

describe("ProtoReader", () => {
  it.each<[string, number[], string]>([
    ["zero", [0x00], "0"],
    ["-1 (zigzag 1)", [0x01], "-1"],
    ["1 (zigzag 2)", [0x02], "1"],
    [
      "2^53, past a double's exact integers",
      [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20],
      "9007199254740992",
    ],
    [
      "the largest int64",
      [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
      "9223372036854775807",
    ],
    [
      "the smallest int64",
      [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
      "-9223372036854775808",
    ],
  ])("reads a sint64 exactly: %s", (_, bytes, text) => {
    expect(reader(...bytes).sint64Text()).toBe(text);
    if (Math.abs(Number(text)) <= Number.MAX_SAFE_INTEGER)
      expect(reader(...bytes).sint64Number()).toBe(Number(text));
  });

  it("reads the largest uint64 exactly", () => {
    expect(reader(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01).uint64Text()).toBe(
      "18446744073709551615",
    );
  });

  it("refuses a varint longer than ten bytes, or cut short", () => {
    expect(() => reader(...Array(11).fill(0x80)).varint64()).toThrow("a varint is longer than 10 bytes");
    expect(() => reader(0x80).varint64()).toThrow("a varint runs past the end of its message");
  });

  it("refuses a length-delimited field longer than what is left, and skips what it does not read", () => {
    expect(() => reader(0x05, 0x61).delimited()).toThrow("a field runs past the end of its message");
    const r = reader(1, 2, 3, 4, 0x09);
    r.skip(FIXED32);
    expect(r.pos).toBe(4);
    expect(() => reader(0).skip(3)).toThrow("wire type 3 is not one protobuf 3 writes");
  });

  it("reads strings, ASCII and not", () => {
    const bytes = [...new TextEncoder().encode("Zoë")];
    expect(new ProtoReader(new Uint8Array([bytes.length, ...bytes])).string()).toBe("Zoë");
    expect(reader(2, 0x68, 0x69).string()).toBe("hi");
  });
});
