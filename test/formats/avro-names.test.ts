/** Avro-legal names (src/formats/avro-names.ts): Airbyte's sanitizing rule, and collisions. */
import { describe, expect, test } from "bun:test";
import { avroName, avroNamespace, isAvroName, uniqueAvroNames } from "../../src/formats/avro-names.ts";

describe("avroName", () => {
  const cases: [string, string][] = [
    ["id", "id"],
    ["_airbyte_ab_id", "_airbyte_ab_id"],
    ["spécial:character_names", "special_character_names"], // the doc's own example
    ["field_with_spécial_character", "field_with_special_character"],
    ["Ünïcödé", "Unicode"],
    ["ﬁle", "file"], // compatibility decomposition
    ["ｗｉｄｅ", "wide"],
    ["straße", "stra_e"], // ß has no decomposition
    ["名前", "__"],
    ["first name", "first_name"],
    ["a.b-c/d", "a_b_c_d"],
    ["1st", "_1st"],
    ["123", "_123"],
    ["", "_"],
    ["__proto__", "__proto__"],
    ["emoji 🚀", "emoji___"], // a surrogate pair is two UTF-16 units
  ];
  for (const [raw, name] of cases) {
    test(`${JSON.stringify(raw)} → ${name}`, () => {
      expect(avroName(raw)).toBe(name);
      expect(isAvroName(avroName(raw))).toBe(true);
    });
  }
});

describe("avroNamespace", () => {
  test("each dotted part is made legal; none is none", () => {
    expect(avroNamespace("public")).toBe("public");
    expect(avroNamespace("my-db.sales 2024")).toBe("my_db.sales_2024");
    expect(avroNamespace("1.2")).toBe("_1._2");
    expect(avroNamespace("a..b")).toBe("a._.b");
    expect(avroNamespace("")).toBeUndefined();
    expect(avroNamespace(undefined)).toBeUndefined();
  });
});

describe("uniqueAvroNames", () => {
  const none: ReadonlySet<string> = new Set();
  test("legal names keep themselves even when a sanitized name comes first", () => {
    expect(uniqueAvroNames(["a b", "a_b"], none)).toEqual(["a_b_2", "a_b"]);
  });
  test("sanitized collisions take the first free suffix, in order", () => {
    expect(uniqueAvroNames(["a b", "a-b", "a.b", "a_b_2"], none)).toEqual(["a_b", "a_b_3", "a_b_4", "a_b_2"]);
    expect(uniqueAvroNames(["名前", "住所"], none)).toEqual(["__", "___2"]);
  });
  test("reserved names are never given out", () => {
    const reserved = new Set(["_airbyte_additional_properties"]);
    expect(uniqueAvroNames(["_airbyte_additional_properties", "x"], reserved)).toEqual([
      "_airbyte_additional_properties_2",
      "x",
    ]);
  });
  test("every result is legal and distinct", () => {
    const raws = ["", "", "1", "_1", "é", "e", "E", "a\u0301", "á"];
    const names = uniqueAvroNames(raws, none);
    expect(new Set(names).size).toBe(raws.length);
    for (const name of names) expect(isAvroName(name)).toBe(true);
  });
});
