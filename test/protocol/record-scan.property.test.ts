/**
 * The record fast path must never disagree with the full parse. Two properties, over generated and
 * mutated JSON:
 * - skipJsonValue accepts exactly the texts JSON.parse accepts (syntax, strings, numbers, nesting);
 * - parseLine (the fast path first) gives, for every line, what parseInFull gives: the same record
 *   (stream, emitted_at, data bytes and parsed data), the same state, the same invalid reason.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { skipJsonValue } from "../../src/protocol/json-syntax.ts";
import { type ParsedLine, parseInFull, parseLine } from "../../src/protocol/parse.ts";
import { scanRecordLine } from "../../src/protocol/record-scan.ts";

const RUNS = { numRuns: 3000, plugins: [fc.interruptAfterTimeLimit(8_000)] };
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function jsonParses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** skipJsonValue over a whole text: accepted when one value, optionally followed by whitespace, fills it. */
function syntaxAccepts(text: string): boolean {
  const bytes = utf8(text);
  let start = 0;
  while (" \t\n\r".includes(text[start] ?? "x")) start++;
  const end = skipJsonValue(bytes, start);
  if (end < 0) return false;
  let i = end;
  while (i < bytes.length && " \t\n\r".includes(String.fromCharCode(bytes[i] as number))) i++;
  return i === bytes.length;
}

/** A comparable view of a parse result: record data as text and as a value. */
function view(parsed: ParsedLine): unknown {
  if (parsed.kind !== "record") return parsed;
  return {
    kind: parsed.kind,
    stream: parsed.stream,
    emittedAt: parsed.emittedAt,
    dataText: new TextDecoder().decode(parsed.dataBytes),
    data: parsed.data,
    metaText: parsed.metaBytes && new TextDecoder().decode(parsed.metaBytes),
  };
}

/** Characters that matter to JSON's grammar, to mutate texts with. */
const TOKENS = [
  '"',
  "\\",
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  " ",
  "0",
  "1",
  "-",
  "+",
  ".",
  "e",
  "E",
  "\t",
  "\n",
  "\u0001",
  "\u001f",
  "u",
  "n",
  "t",
  "f",
  "x",
  "é",
  "\u2028",
  "\\u00e9",
  "\\ud800",
  "null",
  "true",
  "1e999",
  "00",
];

/** A text with one edit: a token inserted, a character deleted, or a character replaced. */
const mutated = (text: fc.Arbitrary<string>) =>
  fc
    .tuple(text, fc.nat(), fc.constantFrom(...TOKENS), fc.constantFrom("insert", "delete", "replace"))
    .map(([t, at, token, edit]) => {
      const i = t.length === 0 ? 0 : at % t.length;
      if (edit === "insert") return t.slice(0, i) + token + t.slice(i);
      if (edit === "delete") return t.slice(0, i) + t.slice(i + 1);
      return t.slice(0, i) + token + t.slice(i + 1);
    });

const jsonText = fc.json({ maxDepth: 4 });

const name = fc.oneof(
  fc.constantFrom("users", "a.b", "", "é", "\u2028", "\ufeffx"),
  fc.string({ maxLength: 6 }),
);
const recordMember = fc.oneof(
  name.map((n) => ["stream", n] as const),
  fc.oneof(name, fc.constant(null), fc.integer()).map((n) => ["namespace", n] as const),
  fc.oneof(fc.integer(), fc.double(), fc.constant(1e300), fc.string()).map((n) => ["emitted_at", n] as const),
  fc.oneof(fc.object({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 1 })).map((d) => ["data", d] as const),
  fc
    .oneof(
      fc.record({ changes: fc.array(fc.object({ maxDepth: 1 }), { maxLength: 2 }) }),
      fc.jsonValue({ maxDepth: 1 }),
    )
    .map((m) => ["meta", m] as const),
  fc.tuple(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })),
);
/** Members as text, duplicates allowed (the last must win), so records are built by hand. */
const members = (arb: fc.Arbitrary<readonly [string, unknown]>) =>
  fc
    .array(arb, { maxLength: 6 })
    .map((list) => list.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`));
const recordLine = fc
  .tuple(
    members(recordMember),
    members(
      fc.oneof(
        fc.constantFrom("RECORD", "STATE", "LOG", "record").map((t) => ["type", t] as const),
        fc.tuple(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })),
      ),
    ),
    fc.constantFrom("", " ", "\t", "\r"),
  )
  .map(([record, top, space]) => `{${[...top, `"record":{${record.join(`,${space}`)}}`].join(",")}}${space}`);
/** Typical records, with all four members present in any order. */
const wellFormed = fc
  .tuple(name, fc.option(name), fc.integer(), fc.object({ maxDepth: 3 }))
  .map(([stream, namespace, emittedAt, data]) =>
    JSON.stringify({ type: "RECORD", record: { stream, namespace, emitted_at: emittedAt, data } }),
  );

describe("json syntax (skipJsonValue) agrees with JSON.parse", () => {
  test("on generated JSON and on texts one edit away from it", () => {
    fc.assert(
      fc.property(fc.oneof(jsonText, mutated(jsonText), mutated(mutated(jsonText))), (text) => {
        expect(syntaxAccepts(text)).toBe(jsonParses(text));
      }),
      RUNS,
    );
  });

  test.each([
    ["01"],
    ["-"],
    ["1."],
    [".5"],
    ["1e"],
    ["1e+"],
    ["-0"],
    ["1E-7"],
    ['"\\u12"'],
    ['"\\x"'],
    ['"\t"'],
    ['"\\/"'],
    ["[1,]"],
    ['{"a":1,}'],
    ["{,}"],
    ["[,1]"],
    ['{"a"}'],
    ['{"a" 1}'],
    ["nul"],
    ["truex"],
    [
      "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    ],
    ["[[]"],
    ["[]]"],
    ['{"a":[}'],
    ['"\\ud800"'],
    ["\ufeff{}"],
    ["{} {}"],
    ["1 2"],
    [""],
  ])("%j", (text) => {
    expect(syntaxAccepts(text)).toBe(jsonParses(text));
  });

  test("nesting deeper than the call stack allows is checked without recursion", () => {
    const deep = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;
    expect(skipJsonValue(utf8(deep), 0)).toBe(deep.length);
    expect(skipJsonValue(utf8(deep.slice(0, -1)), 0)).toBe(-1);
  });
});

describe("parseLine (record fast path first) agrees with the full parse", () => {
  test("on record-shaped lines with duplicates, wrong kinds and odd names", () => {
    fc.assert(
      fc.property(fc.oneof(recordLine, mutated(recordLine), wellFormed, mutated(wellFormed)), (line) => {
        const bytes = utf8(line);
        expect(view(parseLine(bytes))).toEqual(view(parseInFull(bytes)));
      }),
      RUNS,
    );
  });

  test("takes the fast path for ordinary records (so the comparison above is not vacuous)", () => {
    fc.assert(
      fc.property(wellFormed, (line) => {
        const record = JSON.parse(line).record;
        const fast = record.stream !== "" && scanRecordLine(utf8(line)) !== undefined;
        expect(fast).toBe(record.stream !== "");
      }),
      RUNS,
    );
  });

  test.each([
    ['{"type":"RECORD","record":{"stream":"s","emitted_at":1,"data":{},"stream":"t"}}'],
    [
      '{"record":{"stream":"s","emitted_at":1,"data":{}},"type":"RECORD","record":{"stream":"u","emitted_at":2,"data":{"a":1}}}',
    ],
    ['{"type":"RECORD","type":"STATE","record":{"stream":"s","emitted_at":1,"data":{}}}'],
    ['{"type":"RECOR\\u0044","record":{"stream":"s","emitted_at":1,"data":{}}}'],
    ['{"typ\\u0065":"RECORD","record":{"stream":"s","emitted_at":1,"data":{}}}'],
    ['{"type":"RECORD","record":{"str\\u0065am":"s","emitted_at":1,"data":{}}}'],
    ['{"type":"RECORD","record":{"stream":"s\\u002et","namespace":null,"emitted_at":1.9e3,"data":{}}}'],
    ['{"type":"RECORD","record":{"stream":"s","emitted_at":1e999,"data":{}}}'],
    ['{"type":"RECORD","record":{"stream":"s","emitted_at":-0,"data":{"n":12345678901234567890}}}'],
    ['{"type":"RECORD","record":{"stream":"s","emitted_at":1,"data":[]}}'],
    ['{"type":"RECORD","record":{"stream":"s","emitted_at":1,"data":{}}} x'],
    ['{"type":"RECORD","record":{"stream":"s","emitted_at":1,"data":{},"meta":{"changes":[]},"meta":null}}'],
    ['{"type":"RECORD","record":{"meta":[],"stream":"s","emitted_at":1,"data":{},"meta":{"changes": [ ]}}}'],
    ['{"type":"RECORD","record":{"stream":"s","emitted_at":1,"data":{"a":"\t"}}}'],
    ['{"type":"RECORD","record":{"stream":"\ufeffs","namespace":"\ufeff","emitted_at":1,"data":{}}}'],
    ['\ufeff{"type":"RECORD","record":{"stream":"s","emitted_at":1,"data":{}}}'],
  ])("%s", (line) => {
    const bytes = utf8(line);
    expect(view(parseLine(bytes))).toEqual(view(parseInFull(bytes)));
  });
});
