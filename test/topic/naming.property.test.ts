/**
 * Property-based tests of topic naming (`topicFor`, `checkedTopicFor`) against a reference written
 * here, straight from the Java connector: the pattern's `{namespace}` (a missing one is empty), then
 * its `{stream}`, are replaced by the names as they are, and the result goes through Airbyte's
 * `Names.toAlphanumericAndUnderscore`:
 *
 *   Normalizer.normalize(s, NFKD).replaceAll("\\p{M}", "").replaceAll("\\s+", "_")
 *     .replaceAll("[^\\p{Alnum}_]", "_")
 *
 * where Java's `\s` and `\p{Alnum}` are ASCII-only and its regexes match code points (a surrogate
 * pair is one character, a lone surrogate too).
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { ConnectorError } from "../../src/errors.ts";
import { checkedTopicFor, MAX_TOPIC_LENGTH, topicFor } from "../../src/topic/naming.ts";

const RUNS = { numRuns: 3000, plugins: [fc.interruptAfterTimeLimit(8_000)] };

const JAVA_WHITESPACE = new Set([" ", "\t", "\n", "\x0B", "\f", "\r"]);
const ASCII_ALNUM_OR_UNDERSCORE = /^[A-Za-z0-9_]$/;
const MARK = /^\p{M}$/u;

/**
 * `Names.toAlphanumericAndUnderscore`, one code point at a time, in Java's passes: the marks go
 * first, so surrogates they separated become one pair (one code point) for the passes after.
 */
function javaToAlphanumericAndUnderscore(name: string): string {
  const unmarked = [...name.normalize("NFKD")].filter((char) => !MARK.test(char)).join("");
  let out = "";
  let inWhitespace = false;
  for (const char of unmarked) {
    if (JAVA_WHITESPACE.has(char)) {
      if (!inWhitespace) out += "_";
      inWhitespace = true;
      continue;
    }
    inWhitespace = false;
    out += ASCII_ALNUM_OR_UNDERSCORE.test(char) ? char : "_";
  }
  return out;
}

/** The pattern filled as the Java connector does, but with the names taken literally. */
function referenceTopic(pattern: string, namespace: string | undefined, stream: string): string {
  const filled = pattern
    .split("{namespace}")
    .join(namespace ?? "")
    .split("{stream}")
    .join(stream);
  return javaToAlphanumericAndUnderscore(filled);
}

/** Text fragments that stress each rule: placeholders, whitespace, marks, compatibility forms. */
const tricky = fc.constantFrom(
  "{namespace}",
  "{stream}",
  "{",
  "}",
  ".",
  "-",
  " ",
  "\t",
  "\n",
  "\x0B",
  "\f",
  "\r",
  "\u00a0",
  "\u2028",
  "\u2029",
  "\u3000",
  "\u0301",
  "e\u0301",
  "é",
  "ﬁ",
  "①",
  "Ｗ",
  "Å",
  "ǅ",
  "😀",
  "👩‍👩‍👧",
  "\ud800",
  "\udc00",
  "משתמש",
  "العربية",
  "\u200f",
  "\u202e",
  "_",
  "A",
  "z",
  "9",
);
const text = fc.string({
  unit: fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
    { weight: 2, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) },
    { weight: 3, arbitrary: tricky },
  ),
  maxLength: 20,
});
const namespace = fc.option(text, { nil: undefined });

describe("topicFor, for any pattern, namespace and stream", () => {
  test("gives only ASCII letters, digits and underscores", () => {
    fc.assert(
      fc.property(text, namespace, text, (pattern, ns, stream) => {
        expect(topicFor(pattern, ns, stream)).toMatch(/^[A-Za-z0-9_]*$/);
      }),
      RUNS,
    );
  });

  test("is idempotent: its output, used as a pattern without placeholders, names itself", () => {
    fc.assert(
      fc.property(text, namespace, text, namespace, text, (pattern, ns, stream, otherNs, otherStream) => {
        const topic = topicFor(pattern, ns, stream);
        expect(topicFor(topic, otherNs, otherStream)).toBe(topic);
        expect(topicFor(topic, undefined, "")).toBe(topic);
      }),
      RUNS,
    );
  });

  test("agrees with the reference implementation of the Java rule", () => {
    fc.assert(
      fc.property(text, namespace, text, (pattern, ns, stream) => {
        expect(topicFor(pattern, ns, stream)).toBe(referenceTopic(pattern, ns, stream));
      }),
      RUNS,
    );
  });

  test("takes names literally, even when they hold replacement patterns such as $& or $$", () => {
    // String.prototype.replace(All) expands $&, $`, $' and $$ in a replacement string; a name must not.
    const dollar = fc.constantFrom("$&", "$`", "$'", "$$", "$", "$1", "$<x>", "\\", "\\\\");
    const withDollars = fc
      .array(fc.oneof(dollar, tricky), { minLength: 1, maxLength: 6 })
      .map((p) => p.join(""));
    fc.assert(
      fc.property(
        fc.constantFrom("{namespace}_{stream}", "{stream}", "x{namespace}y{stream}z"),
        fc.option(withDollars, { nil: undefined }),
        withDollars,
        (pattern, ns, stream) => {
          expect(topicFor(pattern, ns, stream)).toBe(referenceTopic(pattern, ns, stream));
        },
      ),
      RUNS,
    );
  });

  test("is as long as the reference, never longer than the filled pattern's NFKD code points, and keeps plain names' length", () => {
    fc.assert(
      fc.property(text, namespace, text, (pattern, ns, stream) => {
        const topic = topicFor(pattern, ns, stream);
        const filled = pattern
          .split("{namespace}")
          .join(ns ?? "")
          .split("{stream}")
          .join(stream);
        expect(topic.length).toBe(referenceTopic(pattern, ns, stream).length);
        expect(topic.length).toBeLessThanOrEqual([...filled.normalize("NFKD")].length);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("a", "Z", "0", "_", ".", "-", "/", "~"), maxLength: 300 }),
        (name) => {
          expect(topicFor("{stream}", undefined, name)).toHaveLength(name.length);
        },
      ),
      RUNS,
    );
  });
});

describe("checkedTopicFor", () => {
  test("returns topicFor's name when it is 1 to 249 characters, else a config error naming the stream", () => {
    const long = fc.string({ unit: fc.constantFrom("a", "é", "😀", " ", "{stream}", "$$"), maxLength: 260 });
    fc.assert(
      fc.property(
        fc.constantFrom("{namespace}{stream}", "{stream}", "x_{stream}", "{namespace}"),
        fc.option(fc.string({ unit: fc.constantFrom("n", " ", ".", "😀"), maxLength: 5 }), {
          nil: undefined,
        }),
        long,
        (pattern, ns, stream) => {
          const topic = topicFor(pattern, ns, stream);
          let outcome: string | ConnectorError;
          try {
            outcome = checkedTopicFor(pattern, ns, stream);
          } catch (error) {
            if (!(error instanceof ConnectorError)) throw error;
            outcome = error;
          }
          if (topic.length >= 1 && topic.length <= MAX_TOPIC_LENGTH) {
            expect(outcome).toBe(topic);
            return;
          }
          expect(outcome).toBeInstanceOf(ConnectorError);
          if (!(outcome instanceof ConnectorError)) return;
          expect(outcome.failureType).toBe("config_error");
          expect(outcome.message).toContain(`stream ${ns === undefined ? stream : `${ns}.${stream}`}`);
          expect(outcome.message).toContain(
            topic.length === 0 ? "empty topic name" : `${topic.length} characters`,
          );
        },
      ),
      RUNS,
    );
  });
});

describe("the reference itself", () => {
  // Known answers of the Java rule, so the reference cannot drift with the code it checks.
  test.each([
    ["{namespace}.{stream}", "public", "users", "public_users"],
    ["{namespace}.{stream}", undefined, "users", "_users"],
    ["Crème Brûlée", undefined, "", "Creme_Brulee"],
    ["a \t\n b", undefined, "", "a_b"],
    ["a \u0301 b", undefined, "", "a_b"],
    ["a\u00a0b", undefined, "", "a_b"],
    ["a\u2028b\u3000c", undefined, "", "a_b_c"],
    ["ﬁ①Ｗ", undefined, "", "fi1W"],
    ["😀👩‍👩‍👧", undefined, "", "______"],
    ["\ud800x", undefined, "", "_x"],
    // Java removes the mark in a pass of its own: the surrogates it parted are then one code point.
    ["\ud800\u0301\udc00", undefined, "", "_"],
    ["{stream}", "{stream}", "s", "s"],
    ["{namespace}", "{stream}", "s", "s"],
  ])("%p with %p and %p → %p", (pattern, ns, stream, expected) => {
    expect(referenceTopic(pattern, ns, stream)).toBe(expected);
  });
});
