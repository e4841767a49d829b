/** Confluent wire format framing and subject name strategies (src/formats/wire.ts). */
import { describe, expect, test } from "bun:test";
import { Buffer } from "node:buffer";
import { frame, subjectName, unframe, writeFrameHeader } from "../../src/formats/wire.ts";

describe("framing", () => {
  test("magic byte 0, the schema id big-endian, then the payload", () => {
    expect([...frame(1, Buffer.from("ab"))]).toEqual([0, 0, 0, 0, 1, 0x61, 0x62]);
    expect([...frame(0x01020304, new Uint8Array([9]))]).toEqual([0, 1, 2, 3, 4, 9]);
    expect([...frame(0x7fffffff, new Uint8Array())]).toEqual([0, 0x7f, 0xff, 0xff, 0xff]);
  });

  test("the header can be written in place, at an offset", () => {
    const target = Buffer.alloc(9, 0xee);
    expect(writeFrameHeader(target, 258, 2)).toBe(7);
    expect([...target]).toEqual([0xee, 0xee, 0, 0, 0, 1, 2, 0xee, 0xee]);
  });

  test("unframe gives the id and a view of the payload", () => {
    const framed = frame(123_456, Buffer.from("payload"));
    const { schemaId, payload } = unframe(framed);
    expect(schemaId).toBe(123_456);
    expect(Buffer.from(payload).toString()).toBe("payload");
    expect(payload.buffer).toBe(framed.buffer);
  });

  test("ids a registry cannot give are refused", () => {
    for (const id of [-1, 1.5, 2 ** 31, Number.NaN]) {
      expect(() => frame(id, new Uint8Array())).toThrow("which the wire format cannot carry");
    }
  });

  test("a message without the magic byte is not framed", () => {
    expect(() => unframe(new Uint8Array([1, 0, 0, 0, 1]))).toThrow("not in the Schema Registry wire format");
    expect(() => unframe(new Uint8Array([0, 0, 0]))).toThrow("not in the Schema Registry wire format");
  });
});

describe("subject names", () => {
  const cases: [Parameters<typeof subjectName>[0], boolean, string][] = [
    ["topic", false, "shop_orders-value"],
    ["topic", true, "shop_orders-key"],
    ["record", false, "shop.orders"],
    ["record", true, "shop.orders"],
    ["topic_record", false, "shop_orders-shop.orders"],
    ["topic_record", true, "shop_orders-shop.orders"],
  ];
  for (const [strategy, isKey, subject] of cases) {
    test(`${strategy} (${isKey ? "key" : "value"}) → ${subject}`, () => {
      expect(subjectName(strategy, { topic: "shop_orders", recordName: "shop.orders", isKey })).toBe(subject);
    });
  }
});
