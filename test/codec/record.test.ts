import { describe, expect, it } from "bun:test";
import { encodeRecord, RECORD_OVERHEAD_BYTES, REFERENCE_RECORD } from "../../src/codec/record.ts";
import type { RecordLine } from "../../src/protocol/parse.ts";

const line = (dataText: string, name = "users"): RecordLine => ({
  kind: "record",
  stream: { name, namespace: "public" },
  emittedAt: 1602637589000,
  dataBytes: new TextEncoder().encode(dataText),
  data: JSON.parse(dataText),
});

describe("encodeRecord", () => {
  it("builds the Java connector's value around the source's data text, keyed by the id", () => {
    const encoded = encodeRecord(
      line('{"a": 1.10, "b":12345678901234567890}'),
      "public_users",
      REFERENCE_RECORD,
      "0000-id",
    );
    expect(encoded.topic).toBe("public_users");
    expect(encoded.key?.toString()).toBe("0000-id");
    expect(encoded.value.toString()).toBe(
      '{"_airbyte_ab_id":"0000-id","_airbyte_stream":"users","_airbyte_emitted_at":1602637589000,"_airbyte_data":{"a": 1.10, "b":12345678901234567890}}',
    );
  });

  it("escapes the stream name as JSON", () => {
    const encoded = encodeRecord(line("{}", 'we"ird\\name'), "t", REFERENCE_RECORD, "id");
    expect(JSON.parse(encoded.value.toString())._airbyte_stream).toBe('we"ird\\name');
  });

  it("uses a fresh UUID v4 per record by default", () => {
    const a = encodeRecord(line("{}"), "t");
    const b = encodeRecord(line("{}"), "t");
    expect(a.key?.toString()).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(a.key?.toString()).not.toBe(b.key?.toString());
  });

  it("counts its size as the Java producer does: batch and record overhead plus key and value bytes", () => {
    const encoded = encodeRecord(line('{"name":"Zoë"}'), "t", REFERENCE_RECORD, "id");
    expect(encoded.size).toBe(RECORD_OVERHEAD_BYTES + 2 + encoded.value.length);
    expect(encoded.value.length).toBe(Buffer.byteLength(encoded.value.toString()));
  });

  it("keeps the reference layout by default: raw UUID key, no headers, the producer's timestamp", () => {
    const encoded = encodeRecord(line("{}"), "t", REFERENCE_RECORD, "id-1");
    expect(encoded.key?.toString()).toBe("id-1");
    expect(encoded.headers).toBeUndefined();
    expect(encoded.timestamp).toBeUndefined();
  });

  it("key_format json writes the id as a JSON string", () => {
    const encoded = encodeRecord(line("{}"), "t", { ...REFERENCE_RECORD, keyFormat: "json" }, "id-1");
    expect(JSON.parse(encoded.key?.toString() ?? "")).toBe("id-1");
    expect(JSON.parse(encoded.value.toString())._airbyte_ab_id).toBe("id-1");
  });

  it("headers carry stream, namespace, emitted_at and id as UTF-8 strings, and count in the size", () => {
    const plain = encodeRecord(line("{}", "ünïcode"), "t", REFERENCE_RECORD, "id-1");
    const encoded = encodeRecord(line("{}", "ünïcode"), "t", { ...REFERENCE_RECORD, headers: true }, "id-1");
    expect(encoded.headers?.map(([name, value]) => [name.toString(), value.toString()])).toEqual([
      ["airbyte_stream", "ünïcode"],
      ["airbyte_namespace", "public"],
      ["airbyte_emitted_at", "1602637589000"],
      ["airbyte_ab_id", "id-1"],
    ]);
    expect(encoded.size).toBeGreaterThan(plain.size);
    const noNamespace = encodeRecord({ ...line("{}"), stream: { name: "s", namespace: undefined } }, "t", {
      ...REFERENCE_RECORD,
      headers: true,
    });
    expect(noNamespace.headers?.map(([name]) => name.toString())).not.toContain("airbyte_namespace");
  });

  it("a generation from the catalog adds the airbyte_generation_id header, counted in the size", () => {
    const options = { ...REFERENCE_RECORD, headers: true };
    const without = encodeRecord(line("{}"), "t", options, "id-1");
    const encoded = encodeRecord(line("{}"), "t", { ...options, generationId: 12 }, "id-1");
    expect(encoded.headers?.map(([name, value]) => [name.toString(), value.toString()]).at(-1)).toEqual([
      "airbyte_generation_id",
      "12",
    ]);
    expect(encoded.size).toBe(without.size + "airbyte_generation_id".length + 2 + 10);
    expect(encoded.value).toEqual(without.value);
    // Without headers the generation changes nothing: the value is the Java connector's.
    expect(encodeRecord(line("{}"), "t", { ...REFERENCE_RECORD, generationId: 12 }, "id-1").headers).toBe(
      undefined,
    );
  });

  it("record_timestamp emitted_at stamps the record with its emitted_at", () => {
    const encoded = encodeRecord(line("{}"), "t", { ...REFERENCE_RECORD, timestamp: "emitted_at" });
    expect(encoded.timestamp).toBe(1602637589000);
  });

  it("takes a key given from fields, or none, instead of the id", () => {
    const fromFields = encodeRecord(line("{}"), "t", REFERENCE_RECORD, "id-1", Buffer.from("user-7"));
    expect(fromFields.key?.toString()).toBe("user-7");
    expect(JSON.parse(fromFields.value.toString())._airbyte_ab_id).toBe("id-1");
    const keyless = encodeRecord(line("{}"), "t", REFERENCE_RECORD, "id-1", null);
    expect(keyless.key).toBeUndefined();
    expect(keyless.size).toBe(RECORD_OVERHEAD_BYTES + keyless.value.length);
  });
});
