import { describe, expect, it } from "bun:test";
import { Buffer } from "node:buffer";
import { decodeProduce, encodeProduce, produceRequest } from "../../../src/kafka/wire/produce.ts";
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
  uvarint,
} from "../../helpers/bytes.ts";

const batch = Buffer.from([1, 2, 3]);
const args = {
  acks: -1,
  timeoutMs: 30_000,
  transactionalId: null,
  batches: [
    { topic: "t", partition: 0, bytes: batch },
    { topic: "t", partition: 2, bytes: batch },
    { topic: "u", partition: 1, bytes: batch },
  ],
};

describe("Produce requests, byte for byte", () => {
  it("v3–v8: strings and arrays with fixed-width lengths, records as INT32-length bytes", () => {
    const partition = (index: number) => cat(int32(index), int32(3), batch);
    const expected = cat(
      str(null),
      int16(-1),
      int32(30_000),
      arr(cat(str("t"), arr(partition(0), partition(2))), cat(str("u"), arr(partition(1)))),
    );
    expect(bytesOf(encodeProduce(args, 3, false))).toEqual(expected);
  });

  it("v9–v11: compact lengths and tagged fields, records as COMPACT_RECORDS", () => {
    const partition = (index: number) => cat(int32(index), uvarint(4), batch, tags());
    const expected = cat(
      cstr("tx"),
      int16(1),
      int32(500),
      carr(
        cat(cstr("t"), carr(partition(0), partition(2)), tags()),
        cat(cstr("u"), carr(partition(1)), tags()),
      ),
      tags(),
    );
    const flexible = { ...args, acks: 1, timeoutMs: 500, transactionalId: "tx" };
    expect(bytesOf(encodeProduce(flexible, 9, true))).toEqual(expected);
  });

  it("knows which versions are flexible, and that acks 0 has no answer to wait for", () => {
    expect(produceRequest(8, args).encode().length).toBe(encodeProduce(args, 8, false).length);
    expect(produceRequest(11, args).encode().length).toBe(encodeProduce(args, 11, true).length);
    expect(produceRequest(11, args).unanswered).toBeUndefined();
    expect(produceRequest(11, { ...args, acks: 0 }).unanswered).toEqual([
      { topic: "t", partition: 0, errorCode: 0, errorMessage: null },
      { topic: "t", partition: 2, errorCode: 0, errorMessage: null },
      { topic: "u", partition: 1, errorCode: 0, errorMessage: null },
    ]);
  });
});

describe("Produce responses, per partition", () => {
  const fixed = (index: number, code: number, version: number) =>
    cat(
      int32(index),
      int16(code),
      int64(7n),
      int64(-1n),
      version >= 5 ? int64(0n) : Buffer.alloc(0),
      version >= 8
        ? cat(arr(cat(int32(0), str("bad record"))), str(code ? "refused" : null))
        : Buffer.alloc(0),
    );

  it.each([3, 5, 8])("v%p", (version) => {
    const bytes = cat(arr(cat(str("t"), arr(fixed(0, 0, version), fixed(1, 6, version)))), int32(0));
    expect(decodeProduce(readerOf(bytes), version, false)).toEqual([
      { topic: "t", partition: 0, errorCode: 0, errorMessage: null },
      { topic: "t", partition: 1, errorCode: 6, errorMessage: version >= 8 ? "refused" : null },
    ]);
  });

  it("v9–v11, skipping tagged fields it does not read (v10's current leader, node endpoints)", () => {
    const leaderTag = cat(uvarint(1), uvarint(0), uvarint(3), Buffer.from([9, 9, 9]));
    const partition = cat(
      int32(4),
      int16(19),
      int64(-1n),
      int64(-1n),
      int64(-1n),
      carr(),
      cstr("not enough"),
      leaderTag,
    );
    const bytes = cat(carr(cat(cstr("t"), carr(partition), tags())), int32(0), leaderTag);
    expect(decodeProduce(readerOf(bytes), 11, true)).toEqual([
      { topic: "t", partition: 4, errorCode: 19, errorMessage: "not enough" },
    ]);
  });
});
