import { describe, expect, it } from "bun:test";
import { type ParsedLine, parseLine as parseBytes } from "../../src/protocol/parse.ts";

/** Parses `text` and shows a record's data as text, for readable expectations. */
function parseLine(
  text: string,
): ParsedLine | (Omit<ParsedLine, "dataBytes" | "data"> & { dataText: string }) {
  const parsed = parseBytes(new TextEncoder().encode(text));
  if (parsed.kind !== "record") return parsed;
  const { dataBytes, data: _parsed, ...rest } = parsed;
  return { ...rest, dataText: new TextDecoder().decode(dataBytes) };
}

describe("parseLine: records", () => {
  it("keeps the data text digit for digit", () => {
    const data =
      '{"big":12345678901234567890123,"dec":1.10,"exp":1e400,"s":"\\u00e9\\"}","n":null,"a":[1,{"b":2}]}';
    const line = `{"type":"RECORD","record":{"stream":"s","data":${data},"emitted_at":1602637589000}}`;
    expect(parseLine(line)).toEqual({
      kind: "record",
      stream: { name: "s", namespace: undefined },
      emittedAt: 1602637589000,
      dataText: data,
    });
  });

  it("keeps the record's meta object as written, on the fast path and the full one", () => {
    const meta =
      '{"changes":[{"field":"name","change":"TRUNCATED","reason":"SOURCE_FIELD_SIZE_LIMITATION"}]}';
    const fast = `{"type":"RECORD","record":{"stream":"s","data":{},"emitted_at":1,"meta":${meta}}}`;
    // An escaped member name is left to the full parse.
    const full = `{"type":"RECORD","record":{"str\\u0065am":"s","data":{},"emitted_at":1,"meta":${meta}}}`;
    for (const line of [fast, full]) {
      const parsed = parseBytes(new TextEncoder().encode(line));
      if (parsed.kind !== "record") throw new Error(parsed.kind);
      expect(new TextDecoder().decode(parsed.metaBytes)).toBe(meta);
    }
    const none = parseBytes(
      new TextEncoder().encode(
        '{"type":"RECORD","record":{"stream":"s","data":{},"emitted_at":1,"meta":null}}',
      ),
    );
    expect(none.kind === "record" && none.metaBytes).toBeUndefined();
  });

  it("finds data wherever it sits and whatever whitespace surrounds it", () => {
    const line =
      '{ "record" : { "emitted_at" : 1 , "data" : { "x" : 1 } , "stream" : "s", "namespace": "ns" } , "type" : "RECORD" }';
    const parsed = parseLine(line);
    expect(parsed).toMatchObject({
      kind: "record",
      dataText: '{ "x" : 1 }',
      stream: { name: "s", namespace: "ns" },
    });
  });

  it("treats a null namespace as absent and tolerates unknown members", () => {
    const line =
      '{"type":"RECORD","extra":{"deep":[1]},"record":{"namespace":null,"stream":"s","data":{},"emitted_at":5,"meta":{"changes":[]}}}';
    expect(parseLine(line)).toMatchObject({ kind: "record", stream: { name: "s", namespace: undefined } });
  });

  it("truncates a fractional emitted_at to whole milliseconds", () => {
    const line = '{"type":"RECORD","record":{"stream":"s","data":{},"emitted_at":1602637589000.9}}';
    expect(parseLine(line)).toMatchObject({ emittedAt: 1602637589000 });
  });

  it("does not confuse a key named data inside strings or nested objects", () => {
    const line =
      '{"type":"RECORD","record":{"stream":"s\\"data\\":","meta":{"data":[9]},"data":{"k":"}{"},"emitted_at":1}}';
    expect(parseLine(line)).toMatchObject({ dataText: '{"k":"}{"}' });
  });
});

describe("parseLine: states", () => {
  it("a STATE without type is LEGACY, and its members are echoed as written", () => {
    const line = '{"type":"STATE","state":{"data":{"cursor":12345678901234567890}}}';
    expect(parseLine(line)).toEqual({
      kind: "state",
      stateType: "LEGACY",
      stream: undefined,
      memberTexts: ['"data":{"cursor":12345678901234567890}'],
    });
  });

  it("a STREAM state names its stream; a source's destinationStats is dropped", () => {
    const line =
      '{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"u","namespace":null},"stream_state":{"c":1}},"destinationStats":{"recordCount":99},"sourceStats":{"recordCount":2.0}}}';
    expect(parseLine(line)).toMatchObject({
      kind: "state",
      stateType: "STREAM",
      stream: { name: "u", namespace: undefined },
      memberTexts: [
        '"type":"STREAM"',
        '"stream":{"stream_descriptor":{"name":"u","namespace":null},"stream_state":{"c":1}}',
        '"sourceStats":{"recordCount":2.0}',
      ],
    });
  });

  it("a GLOBAL state with null members is accepted", () => {
    const line =
      '{"type":"STATE","state":{"type":"GLOBAL","global":{"shared_state":null,"stream_states":[]},"data":null}}';
    expect(parseLine(line)).toMatchObject({ kind: "state", stateType: "GLOBAL" });
  });

  it("a socket-mode STATE gives the partition it closes, its id and the source's count, and echoes them", () => {
    const line =
      '{"type":"STATE","state":{"type":"GLOBAL","global":{},"partition_id":"a1","id":3,"sourceStats":{"recordCount":7.0}}}';
    expect(parseLine(line)).toMatchObject({
      kind: "state",
      partition: { id: "a1", index: 3, sourceRecordCount: 7 },
      memberTexts: [
        '"type":"GLOBAL"',
        '"global":{}',
        '"partition_id":"a1"',
        '"id":3',
        '"sourceStats":{"recordCount":7.0}',
      ],
    });
    const uncounted = '{"type":"STATE","state":{"type":"GLOBAL","global":{},"partition_id":"a1","id":3}}';
    expect(parseLine(uncounted)).toMatchObject({
      partition: { id: "a1", index: 3, sourceRecordCount: undefined },
    });
    // Without both, a STATE belongs to no partition (stdin's states).
    for (const state of ['"partition_id":"a1"', '"id":3', '"partition_id":"a1","id":1.5'])
      expect(parseLine(`{"type":"STATE","state":{"data":{},${state}}}`)).toMatchObject({
        partition: undefined,
      });
  });
});

describe("parseLine: other and invalid lines", () => {
  it.each(["LOG", "TRACE", "CONTROL", "SOMETHING_NEW"])("%s is classified, not written", (type) => {
    expect(parseLine(`{"type":"${type}","record":null}`)).toEqual({ kind: "other", type });
  });

  it.each([
    ["not json", "it is not valid JSON"],
    ["[1,2]", "it is not a JSON object"],
    ['{"record":{}}', "it has no message type"],
    ['{"type":"RECORD"}', "a RECORD message has no record object"],
    ['{"type":"RECORD","record":{"data":{},"emitted_at":1}}', "the record has no stream name"],
    ['{"type":"RECORD","record":{"stream":"s","data":{}}}', "the record has no numeric emitted_at"],
    [
      '{"type":"RECORD","record":{"stream":"s","data":[1],"emitted_at":1}}',
      "the record's data is not a JSON object",
    ],
    [
      '{"type":"RECORD","record":{"stream":"s","namespace":5,"data":{},"emitted_at":1}}',
      "the record's namespace is not a string",
    ],
    ['{"type":"STATE","state":null}', "a STATE message has no state object"],
    ['{"type":"STATE","state":{"type":"PER_STREAM"}}', "the state's type is not LEGACY, STREAM or GLOBAL"],
    [
      '{"type":"STATE","state":{"type":"STREAM","stream":{}}}',
      "a STREAM state has no stream.stream_descriptor.name",
    ],
  ])("%p is invalid: %s", (line, reason) => {
    expect(parseLine(line)).toEqual({ kind: "invalid", reason });
  });

  it("never quotes the line in its reason", () => {
    const parsed = parseLine(
      '{"type":"RECORD","record":{"stream":"s","data":"secret-value","emitted_at":1}}',
    );
    expect(JSON.stringify(parsed)).not.toContain("secret-value");
  });
});

describe("parseLine: duplicate member names", () => {
  it("takes the last one, as JSON.parse does, for the record, its data and a state", () => {
    expect(
      parseLine('{"type":"RECORD","record":{"stream":"s","data":"first","data":{"x":1},"emitted_at":1}}'),
    ).toMatchObject({ kind: "record", dataText: '{"x":1}' });
    expect(
      parseLine(
        '{"type":"RECORD","record":{"stream":"a","data":{"n":1},"emitted_at":1},"record":{"stream":"b","data":{"n":2},"emitted_at":1}}',
      ),
    ).toMatchObject({ stream: { name: "b" }, dataText: '{"n":2}' });
    expect(parseLine('{"type":"STATE","state":{"data":{"n":1}},"state":{"data":{"n":2}}}')).toMatchObject({
      memberTexts: ['"data":{"n":2}'],
    });
  });
});
