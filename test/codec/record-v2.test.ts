import { describe, expect, it } from "bun:test";
import { RECORD_OVERHEAD_BYTES, REFERENCE_RECORD } from "../../src/codec/record.ts";
import { encodeRecordV2, metaChanges } from "../../src/codec/record-v2.ts";
import { parseLine, type RecordLine } from "../../src/protocol/parse.ts";

/** A record as the parser gives it, from the line's text. */
const line = (record: Record<string, unknown>): RecordLine => {
  const text = JSON.stringify({
    type: "RECORD",
    record: { stream: "users", namespace: "public", emitted_at: 1602637589000, ...record },
  });
  const parsed = parseLine(new TextEncoder().encode(text));
  if (parsed.kind !== "record") throw new Error(parsed.kind);
  return parsed;
};
const changes = [{ field: "bio", change: "TRUNCATED", reason: "SOURCE_FIELD_SIZE_LIMITATION" }];

describe("encodeRecordV2", () => {
  it("writes the Destinations V2 fields around the source's data text, keyed by the raw id", () => {
    const encoded = encodeRecordV2(
      line({ data: { a: 1 }, meta: { changes } }),
      "t",
      { ...REFERENCE_RECORD, generationId: 3, syncId: 42 },
      "0000-id",
    );
    expect(encoded.key?.toString()).toBe("0000-id");
    expect(encoded.value.toString()).toBe(
      `{"_airbyte_raw_id":"0000-id","_airbyte_extracted_at":1602637589000,"_airbyte_meta":{"sync_id":42,"changes":${JSON.stringify(changes)}},"_airbyte_generation_id":3,"_airbyte_data":{"a":1}}`,
    );
    expect(encoded.size).toBe(RECORD_OVERHEAD_BYTES + 7 + encoded.value.length);
  });

  it("keeps the data digit for digit; without generations or meta: nulls and no changes", () => {
    const raw = '{"big":12345678901234567890123,"price":1.10}';
    const record: RecordLine = { ...line({ data: {} }), dataBytes: new TextEncoder().encode(raw) };
    const value = encodeRecordV2(record, "t", REFERENCE_RECORD, "id").value.toString();
    expect(value).toEndWith(
      `"_airbyte_meta":{"sync_id":null,"changes":[]},"_airbyte_generation_id":null,"_airbyte_data":${raw}}`,
    );
  });

  it("uses a fresh UUIDv7 per record by default, in time order", () => {
    const [a, b] = [0, 1].map(
      () => encodeRecordV2(line({ data: {} }), "t", REFERENCE_RECORD).key?.toString() ?? "",
    );
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
    expect((a ?? "") < (b ?? "")).toBe(true);
    expect(
      JSON.parse(encodeRecordV2(line({ data: {} }), "t", REFERENCE_RECORD, a).value.toString())
        ._airbyte_raw_id,
    ).toBe(a);
  });

  it("key_format json quotes the id; a key from fields or none replaces it", () => {
    const options = { ...REFERENCE_RECORD, keyFormat: "json" as const };
    expect(encodeRecordV2(line({ data: {} }), "t", options, "id-1").key?.toString()).toBe('"id-1"');
    expect(
      encodeRecordV2(line({ data: {} }), "t", REFERENCE_RECORD, "id-1", Buffer.from("7")).key?.toString(),
    ).toBe("7");
    const keyless = encodeRecordV2(line({ data: {} }), "t", REFERENCE_RECORD, "id-1", null);
    expect(keyless.key).toBeUndefined();
    expect(keyless.size).toBe(RECORD_OVERHEAD_BYTES + keyless.value.length);
  });

  it("headers name the V2 fields, and count in the size", () => {
    const plain = encodeRecordV2(line({ data: {} }), "t", { ...REFERENCE_RECORD, generationId: 0 }, "id-1");
    const encoded = encodeRecordV2(
      line({ data: {} }),
      "t",
      { ...REFERENCE_RECORD, headers: true, generationId: 0 },
      "id-1",
    );
    expect(encoded.headers?.map(([name, value]) => [name.toString(), value.toString()])).toEqual([
      ["airbyte_stream", "users"],
      ["airbyte_namespace", "public"],
      ["airbyte_extracted_at", "1602637589000"],
      ["airbyte_raw_id", "id-1"],
      ["airbyte_generation_id", "0"],
    ]);
    let headerBytes = 0;
    for (const [name, value] of encoded.headers ?? []) headerBytes += name.length + value.length + 10;
    expect(encoded.size).toBe(plain.size + headerBytes);
  });

  it("record_timestamp emitted_at stamps the record with its emitted_at", () => {
    expect(
      encodeRecordV2(line({ data: {} }), "t", { ...REFERENCE_RECORD, timestamp: "emitted_at" }).timestamp,
    ).toBe(1602637589000);
  });
});

describe("metaChanges", () => {
  it.each([
    ["the record's changes", { meta: { changes } }, changes],
    ["meta without changes", { meta: {} }, []],
    ["changes that are not a list", { meta: { changes: "x" } }, []],
    ["no meta", {}, []],
  ])("%s", (_, record, expected) => {
    expect(metaChanges(line({ data: {}, ...record }))).toEqual(expected);
  });
});
