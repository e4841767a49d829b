import { describe, expect, it } from "bun:test";
import { apiVersionsRequest, decodeApiVersions } from "../../../src/kafka/wire/api-versions.ts";
import { arr, cat, int16, int32, readerOf } from "../../helpers/bytes.ts";

describe("ApiVersions", () => {
  it("asks with v1 and an empty body", () => {
    const request = apiVersionsRequest();
    expect([request.api.key, request.version, request.encode().length]).toEqual([18, 1, 0]);
  });

  it("reads each API's accepted range", () => {
    const bytes = cat(
      int16(0),
      arr(cat(int16(0), int16(3), int16(11)), cat(int16(3), int16(0), int16(12))),
      int32(0),
    );
    expect(decodeApiVersions(readerOf(bytes))).toEqual(
      new Map([
        [0, { min: 3, max: 11 }],
        [3, { min: 0, max: 12 }],
      ]),
    );
  });

  it("an error code in the answer is an error", () => {
    const bytes = cat(int16(35), arr(), int32(0));
    expect(() => decodeApiVersions(readerOf(bytes))).toThrow(/version/i);
  });
});
