import { describe, expect, it } from "bun:test";
import { Writer } from "@platformatic/kafka";
import { APIS } from "../../../src/kafka/wire/apis.ts";
import { request } from "../../../src/kafka/wire/request.ts";
import { readerOf } from "../../helpers/bytes.ts";

describe("a request as data", () => {
  const seen: [number, boolean][] = [];
  const codec = {
    encode: (args: number, version: number, flexible: boolean) => {
      seen.push([version, flexible]);
      return Writer.create().appendInt32(args);
    },
    decode: (reader: ReturnType<typeof readerOf>, _version: number, flexible: boolean) => ({
      value: reader.readInt32(),
      flexible,
    }),
  };

  it("encodes and decodes at its version, compact from the API's flexible version on", () => {
    expect(request(APIS.produce, 8, 7, codec).encode().length).toBe(4);
    expect(request(APIS.produce, 9, 7, codec).encode().length).toBe(4);
    expect(seen).toEqual([
      [8, false],
      [9, true],
    ]);
    const bytes = Buffer.from([0, 0, 0, 5]);
    expect(request(APIS.produce, 9, 7, codec).decode(readerOf(bytes))).toEqual({ value: 5, flexible: true });
  });

  it("carries its arguments for whoever carries it, and the answer to assume when none comes", () => {
    const silent = request(APIS.produce, 3, 1, codec, { value: 0, flexible: false });
    expect([silent.args, silent.unanswered]).toEqual([1, { value: 0, flexible: false }]);
    expect(request(APIS.produce, 3, 1, codec).unanswered).toBeUndefined();
  });
});
