import { describe, expect, it } from "bun:test";
import { Buffer } from "node:buffer";
import { decodeMetadata, encodeMetadata } from "../../../src/kafka/wire/metadata.ts";
import {
  arr,
  bool,
  bytesOf,
  carr,
  cat,
  cstr,
  int16,
  int32,
  readerOf,
  str,
  tags,
} from "../../helpers/bytes.ts";

const NO_ID = Buffer.alloc(16);

describe("Metadata requests, byte for byte", () => {
  const args = { topics: ["a", "b"], allowAutoTopicCreation: true };

  it("v4–v7: topic names and allow_auto_topic_creation", () => {
    expect(bytesOf(encodeMetadata(args, 4, false))).toEqual(cat(arr(str("a"), str("b")), bool(true)));
  });

  it("v8: the two authorized-operations flags, off", () => {
    expect(bytesOf(encodeMetadata(args, 8, false))).toEqual(
      cat(arr(str("a"), str("b")), bool(true), bool(false), bool(false)),
    );
  });

  it("v10: compact, each topic with a null topic id before its name", () => {
    const topic = (name: string) => cat(NO_ID, cstr(name), tags());
    expect(bytesOf(encodeMetadata(args, 10, true))).toEqual(
      cat(carr(topic("a"), topic("b")), bool(true), bool(false), bool(false), tags()),
    );
  });

  it("v12: no cluster authorized-operations flag any more; an empty list asks for no topic", () => {
    expect(bytesOf(encodeMetadata({ topics: [], allowAutoTopicCreation: false }, 12, true))).toEqual(
      cat(carr(), bool(false), bool(false), tags()),
    );
  });
});

describe("Metadata responses", () => {
  const expected = {
    brokers: new Map([[1, { host: "h1", port: 9092 }]]),
    controllerId: 1,
    topics: new Map([
      [
        "t",
        {
          errorCode: 0,
          partitions: [
            { index: 0, errorCode: 0, leader: 1 },
            { index: 1, errorCode: 5, leader: -1 },
          ],
        },
      ],
    ]),
  };

  it("v5: brokers, controller, partitions (sorted by index) with their leaders", () => {
    const partition = (code: number, index: number, leader: number) =>
      cat(int16(code), int32(index), int32(leader), arr(int32(1)), arr(int32(1)), arr());
    const bytes = cat(
      int32(0),
      arr(cat(int32(1), str("h1"), int32(9092), str(null))),
      str("cluster"),
      int32(1),
      arr(cat(int16(0), str("t"), bool(false), arr(partition(5, 1, -1), partition(0, 0, 1)))),
    );
    expect(decodeMetadata(readerOf(bytes), 5, false)).toEqual(expected);
  });

  it("v12: compact, topic ids, leader epochs, authorized operations and tagged fields", () => {
    const ints = (...values: number[]) => carr(...values.map(int32));
    const partition = (code: number, index: number, leader: number) =>
      cat(int16(code), int32(index), int32(leader), int32(0), ints(1), ints(1), ints(), tags());
    const bytes = cat(
      int32(0),
      carr(cat(int32(1), cstr("h1"), int32(9092), cstr("rack"), tags())),
      cstr("cluster"),
      int32(1),
      carr(
        cat(
          int16(0),
          cstr("t"),
          NO_ID,
          bool(false),
          carr(partition(0, 0, 1), partition(5, 1, -1)),
          int32(0),
          tags(),
        ),
      ),
      tags(),
    );
    expect(decodeMetadata(readerOf(bytes), 12, true)).toEqual(expected);
  });
});
