/** The input lines the hostile-input tests share (the pure ones and the ones against a broker). */

/** Text that must never appear in anything the connector says: it stands for secret content. */
export const CANARY = "canary-7f3a9c";

/** A RECORD line of `public.users` (or another stream) with `data` as raw JSON text. */
export const record = (data: string, stream = "users", namespace: string | null = "public") =>
  `{"type":"RECORD","record":{"namespace":${JSON.stringify(namespace)},"stream":${JSON.stringify(stream)},"data":${data},"emitted_at":1700000000000}}\n`;

export const state = (n: number) => `{"type":"STATE","state":{"data":{"n":${n}}}}\n`;

/** The usual shape: a good record and STATE 1, the bad line (line 3), then a record and STATE 2. */
export const around = (bad: string | Uint8Array): (string | Uint8Array)[] => [
  record('{"id":1}'),
  state(1),
  bad,
  record('{"id":2}'),
  state(2),
];

/**
 * Two good records with their STATEs around six kinds of invalid line, and a truncated last line:
 * the input of the `on_invalid_input: skip` tests, with the WARN each skipped line earns.
 */
export const SKIPPABLE = {
  input: [
    record('{"id":1}'),
    state(1),
    `{"type":"RECORD",${CANARY}\n`,
    Buffer.concat([
      Buffer.from(`{"type":"RECORD","s":"${CANARY}`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}\n'),
    ]),
    `[${JSON.stringify(CANARY)}]\n`,
    record(`["${CANARY}"]`),
    `{"type":"RECORD","record":{"data":{"${CANARY}":1},"emitted_at":1}}\n`,
    record(`{"${CANARY}":1}`, "nope"),
    record('{"id":2}'),
    state(2),
    `{"type":"RECORD","record":{"stream":"users","data":{"${CANARY}":`,
  ],
  warnings: [
    "Skipped input line 3: it is not valid JSON.",
    "Skipped input line 4: it is not valid UTF-8.",
    "Skipped input line 5: it is not a JSON object.",
    "Skipped input line 6: the record's data is not a JSON object.",
    "Skipped input line 7: the record has no stream name.",
    "Skipped input line 8: it is a record of stream public.nope, which is not in the configured catalog.",
    "Skipped input line 11: it is not valid JSON.",
  ],
};
