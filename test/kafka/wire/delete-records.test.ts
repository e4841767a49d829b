import { describe, expect, it } from "bun:test";
import {
  decodeDeleteRecords,
  deleteRecordsRequest,
  encodeDeleteRecords,
} from "../../../src/kafka/wire/delete-records.ts";
import {
  arr,
  bytesOf,
  carr,
  cat,
  cstr,
  int16,
  int32,
  int64,
  readerOf,
  str,
  tags,
} from "../../helpers/bytes.ts";

const args = {
  partitions: [
    { topic: "a", partition: 0, offset: 10n },
    { topic: "b", partition: 1, offset: 0n },
    { topic: "a", partition: 2, offset: 12n },
  ],
  timeoutMs: 30000,
};

describe("DeleteRecords requests, byte for byte", () => {
  it("v0–v1: each topic once, each partition with the offset to delete below, then the timeout", () => {
    expect(bytesOf(encodeDeleteRecords(args, 0, false))).toEqual(
      cat(
        arr(
          cat(str("a"), arr(cat(int32(0), int64(10n)), cat(int32(2), int64(12n)))),
          cat(str("b"), arr(cat(int32(1), int64(0n)))),
        ),
        int32(30000),
      ),
    );
  });

  it("v2: compact with tagged fields", () => {
    const one = { ...args, partitions: [{ topic: "a", partition: 0, offset: 10n }] };
    expect(bytesOf(encodeDeleteRecords(one, 2, true))).toEqual(
      cat(carr(cat(cstr("a"), carr(cat(int32(0), int64(10n), tags())), tags())), int32(30000), tags()),
    );
  });

  it("the request is DeleteRecords at the chosen version", () => {
    const request = deleteRecordsRequest(2, args);
    expect([request.api.name, request.version]).toEqual(["DeleteRecords", 2]);
  });
});

describe("DeleteRecords responses", () => {
  const expected = [
    { topic: "a", partition: 0, lowWatermark: 10n, errorCode: 0 },
    { topic: "a", partition: 2, lowWatermark: -1n, errorCode: 44 },
  ];

  it("v0–v1: the new log start and an error code per partition", () => {
    const bytes = cat(
      int32(0),
      arr(cat(str("a"), arr(cat(int32(0), int64(10n), int16(0)), cat(int32(2), int64(-1n), int16(44))))),
    );
    expect(decodeDeleteRecords(readerOf(bytes), 1, false)).toEqual(expected);
  });

  it("v2: compact, with tagged fields", () => {
    const bytes = cat(
      int32(0),
      carr(
        cat(
          cstr("a"),
          carr(cat(int32(0), int64(10n), int16(0), tags()), cat(int32(2), int64(-1n), int16(44), tags())),
          tags(),
        ),
      ),
      tags(),
    );
    expect(decodeDeleteRecords(readerOf(bytes), 2, true)).toEqual(expected);
  });
});
