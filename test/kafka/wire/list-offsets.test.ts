import { describe, expect, it } from "bun:test";
import {
  decodeListOffsets,
  EARLIEST,
  encodeListOffsets,
  LATEST,
  listOffsetsRequest,
} from "../../../src/kafka/wire/list-offsets.ts";
import {
  arr,
  bytesOf,
  carr,
  cat,
  cstr,
  int8,
  int16,
  int32,
  int64,
  readerOf,
  str,
  tags,
} from "../../helpers/bytes.ts";

const args = {
  timestamp: LATEST,
  partitions: [
    { topic: "a", partition: 0 },
    { topic: "b", partition: 2 },
    { topic: "a", partition: 1 },
  ],
  timeoutMs: 5000,
};

describe("ListOffsets requests, byte for byte", () => {
  it("v1: a client's replica id, then each topic once with its partitions and the timestamp", () => {
    expect(bytesOf(encodeListOffsets(args, 1, false))).toEqual(
      cat(
        int32(-1),
        arr(
          cat(str("a"), arr(cat(int32(0), int64(-1n)), cat(int32(1), int64(-1n)))),
          cat(str("b"), arr(cat(int32(2), int64(-1n)))),
        ),
      ),
    );
  });

  it("v2–v3: isolation level READ_UNCOMMITTED, so the end is the high watermark", () => {
    const one = { ...args, timestamp: EARLIEST, partitions: [{ topic: "a", partition: 0 }] };
    expect(bytesOf(encodeListOffsets(one, 2, false))).toEqual(
      cat(int32(-1), int8(0), arr(cat(str("a"), arr(cat(int32(0), int64(-2n)))))),
    );
  });

  it("v4–v5: an unknown current leader epoch before the timestamp", () => {
    const one = { ...args, partitions: [{ topic: "a", partition: 3 }] };
    expect(bytesOf(encodeListOffsets(one, 4, false))).toEqual(
      cat(int32(-1), int8(0), arr(cat(str("a"), arr(cat(int32(3), int32(-1), int64(-1n)))))),
    );
  });

  it("v6–v9 compact with tagged fields; v10 adds the timeout", () => {
    const one = { ...args, partitions: [{ topic: "a", partition: 3 }] };
    const body = carr(cat(cstr("a"), carr(cat(int32(3), int32(-1), int64(-1n), tags())), tags()));
    expect(bytesOf(encodeListOffsets(one, 6, true))).toEqual(cat(int32(-1), int8(0), body, tags()));
    expect(bytesOf(encodeListOffsets(one, 10, true))).toEqual(
      cat(int32(-1), int8(0), body, int32(5000), tags()),
    );
  });

  it("the request is ListOffsets at the chosen version", () => {
    const request = listOffsetsRequest(7, args);
    expect([request.api.name, request.version]).toEqual(["ListOffsets", 7]);
  });
});

describe("ListOffsets responses", () => {
  const expected = [
    { topic: "a", partition: 0, errorCode: 0, offset: 42n },
    { topic: "a", partition: 1, errorCode: 6, offset: -1n },
  ];

  it("v1: no throttle time; each partition's error code and offset", () => {
    const bytes = arr(
      cat(
        str("a"),
        arr(cat(int32(0), int16(0), int64(-1n), int64(42n)), cat(int32(1), int16(6), int64(-1n), int64(-1n))),
      ),
    );
    expect(decodeListOffsets(readerOf(bytes), 1, false)).toEqual(expected);
  });

  it("v4: the throttle time first and a leader epoch after each offset", () => {
    const partition = (index: number, code: number, offset: bigint) =>
      cat(int32(index), int16(code), int64(-1n), int64(offset), int32(7));
    const bytes = cat(int32(0), arr(cat(str("a"), arr(partition(0, 0, 42n), partition(1, 6, -1n)))));
    expect(decodeListOffsets(readerOf(bytes), 4, false)).toEqual(expected);
  });

  it("v6 on: compact, with tagged fields", () => {
    const partition = (index: number, code: number, offset: bigint) =>
      cat(int32(index), int16(code), int64(-1n), int64(offset), int32(7), tags());
    const bytes = cat(
      int32(0),
      carr(cat(cstr("a"), carr(partition(0, 0, 42n), partition(1, 6, -1n)), tags())),
      tags(),
    );
    expect(decodeListOffsets(readerOf(bytes), 10, true)).toEqual(expected);
  });
});
