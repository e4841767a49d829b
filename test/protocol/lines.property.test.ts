/**
 * Property-based tests of the stdin line reader (`readLines`): whatever the text and wherever the
 * chunk boundaries fall (inside CRLF pairs, inside multi-byte UTF-8 sequences, empty chunks), the
 * reader yields exactly the expected non-blank lines with their line numbers, reports invalid
 * UTF-8 for exactly the lines that hold it, and refuses exactly the lines over its limit.
 *
 * Chunks come through one reused buffer, as stdin does.
 *
 * The model, from the documentation of src/protocol/lines.ts: lines are split on LF and numbered
 * from 1 (blank lines count); one trailing CR is dropped; a line that is blank (JavaScript's
 * `trim()` leaves nothing) is skipped; a line that is not valid UTF-8 is a problem; so is a line
 * longer than `maxLineBytes` (bytes before its LF).
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type Line, readLines } from "../../src/protocol/lines.ts";

/** What the reader should say about one line. */
type Expected = { number: number; text: string } | { number: number; problem: string };

const RUNS = { numRuns: 1000, plugins: [fc.interruptAfterTimeLimit(8_000)] };
const encoder = new TextEncoder();
/** Decodes as the reader does: a leading U+FEFF is text like any other. */
const keepBom = new TextDecoder("utf-8", { ignoreBOM: true });
const utf8 = (text: string): Uint8Array => encoder.encode(text);

/**
 * Yields the chunks through one reused buffer, as stdin.ts does, scribbled over before each copy:
 * a line the reader kept as a view of an earlier chunk would read garbage.
 */
async function* source(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(Math.max(1, ...chunks.map((chunk) => chunk.length)));
  for (const chunk of chunks) {
    buffer.fill(0xff);
    buffer.set(chunk);
    yield buffer.subarray(0, chunk.length);
  }
}

/** Everything the reader yields, flattened (it may yield lines one by one or per chunk). */
async function readAll(chunks: Uint8Array[], maxLineBytes: number): Promise<Expected[]> {
  const out: Expected[] = [];
  for await (const item of readLines(source(chunks), maxLineBytes)) {
    const lines: Line[] = Array.isArray(item) ? item : [item];
    for (const line of lines) {
      if (line.bytes === undefined) out.push({ number: line.number, problem: line.problem });
      else out.push({ number: line.number, text: keepBom.decode(line.bytes) });
    }
  }
  return out;
}

/** Fresh chunks of `bytes` cut at `cuts` (any offsets; duplicates give empty chunks). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const offsets = cuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1))).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const offset of [...offsets, bytes.length]) {
    chunks.push(bytes.slice(at, offset)); // a copy: the reader may keep views into its chunks
    at = offset;
  }
  return chunks;
}

const concatBytes = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

/** Line text: any code points but LF, with CRs, spaces and blank-looking characters made likely. */
const lineText = fc
  .string({
    unit: fc.oneof(
      { weight: 6, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
      { weight: 2, arbitrary: fc.constantFrom("\r", " ", "\t", "\u2028", "\u00a0", "\ufeff", "\u3000") },
      { weight: 2, arbitrary: fc.constantFrom("{", "}", '"', "é", "€", "😀", "e\u0301", "\u{10ffff}") },
    ),
    maxLength: 40,
  })
  .map((text) => text.replaceAll("\n", ""));

/** Invalid UTF-8 byte sequences (none contains LF). */
const invalidSequence = fc.constantFrom(
  [0xff],
  [0xfe],
  [0x80],
  [0xbf, 0xbf],
  [0xc0, 0xaf], // overlong '/'
  [0xe0, 0x80, 0xaf], // overlong '/'
  [0xed, 0xa0, 0x80], // a UTF-16 surrogate
  [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
  [0xe2, 0x82], // cut short
  [0xf0, 0x9f, 0x98], // cut short
);

/** One input line: valid text, or text with an invalid sequence between two code points. */
type InputLine = { text: string } | { before: string; bad: readonly number[]; after: string };
const inputLine: fc.Arbitrary<InputLine> = fc.oneof(
  { weight: 4, arbitrary: lineText.map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.record({ before: lineText, bad: invalidSequence, after: lineText }) },
);

interface Input {
  lines: InputLine[];
  eol: "\n" | "\r\n";
  /** Whether the last line has its line end too. */
  terminated: boolean;
  cuts: number[];
}

const input: fc.Arbitrary<Input> = fc.record({
  lines: fc.array(inputLine, { maxLength: 25 }),
  eol: fc.constantFrom("\n" as const, "\r\n" as const),
  terminated: fc.boolean(),
  cuts: fc.array(fc.nat(), { maxLength: 30 }),
});

function bytesOf({ lines, eol, terminated }: Input): Uint8Array {
  return concatBytes(
    lines.flatMap((line, i) => {
      const body =
        "text" in line ? [utf8(line.text)] : [utf8(line.before), Uint8Array.from(line.bad), utf8(line.after)];
      return i < lines.length - 1 || terminated ? [...body, utf8(eol)] : body;
    }),
  );
}

/** The model: what the reader must yield for `lines`, read with a limit they never reach. */
function expected({ lines, eol, terminated }: Input): Expected[] {
  const out: Expected[] = [];
  lines.forEach((line, i) => {
    const number = i + 1;
    if (!("text" in line)) {
      out.push({ number, problem: "it is not valid UTF-8" });
      return;
    }
    const ended = i < lines.length - 1 || terminated;
    // With CRLF the CR before the LF is the one dropped; otherwise a CR ending the text is.
    const text = ended && eol === "\r\n" ? line.text : line.text.replace(/\r$/, "");
    if (text.trim() !== "") out.push({ number, text });
  });
  return out;
}

describe("readLines, for any text and any chunk boundaries", () => {
  test("yields exactly the non-blank lines with their numbers, and a problem for each invalid UTF-8 line", async () => {
    await fc.assert(
      fc.asyncProperty(input, async (generated) => {
        const chunks = split(bytesOf(generated), generated.cuts);
        expect(await readAll(chunks, 1024 * 1024)).toEqual(expected(generated));
      }),
      RUNS,
    );
  }, 20_000);

  test("a line's text is its characters exactly, whatever splits its multi-byte sequences", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }).filter((t) => t.trim() !== ""),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (text, cuts) => {
          const clean = text.replaceAll("\n", " ").replace(/\r$/, "");
          fc.pre(clean.trim() !== "");
          const bytes = utf8(`${clean}\n`);
          // Every single-byte cut too: each chunk boundary inside a sequence.
          const allCuts = [...cuts, ...Array.from({ length: bytes.length }, (_, i) => i)];
          expect(await readAll(split(bytes, allCuts), 1024)).toEqual([{ number: 1, text: clean }]);
          expect(await readAll(split(bytes, cuts), 1024)).toEqual([{ number: 1, text: clean }]);
        },
      ),
      RUNS,
    );
  }, 20_000);

  test("refuses exactly the lines longer than the limit, and goes on with the next", async () => {
    const plain = fc
      .string({ unit: fc.constantFrom("a", "b", " ", "é", "€", "😀", "{", "}"), maxLength: 30 })
      .map((t) => t.replace(/\r/g, ""));
    await fc.assert(
      fc.asyncProperty(
        fc.array(plain, { minLength: 1, maxLength: 15 }),
        fc.integer({ min: 1, max: 24 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        async (lines, limit, cuts) => {
          const bytes = utf8(`${lines.join("\n")}\n`);
          const want: Expected[] = [];
          lines.forEach((line, i) => {
            if (utf8(line).length > limit)
              want.push({ number: i + 1, problem: `it is longer than ${limit} bytes` });
            else if (line.trim() !== "") want.push({ number: i + 1, text: line });
          });
          expect(await readAll(split(bytes, cuts), limit)).toEqual(want);
        },
      ),
      RUNS,
    );
  }, 20_000);
});
