/**
 * Hostile input, one class at a time, against the local broker: what a broken or malicious source
 * (or a broken catalog or config) can feed `write`, and the documented outcome of each.
 *
 * For every line that cannot be written (default `on_invalid_input: fail`): exit code 1, one TRACE
 * whose message names the line number and the reason and never quotes the line, the STATE before
 * the bad line echoed (its records are in Kafka) and no STATE after it. With `skip`, each such line
 * is skipped with a WARN naming it and the sync goes on.
 */
import { beforeAll, describe, expect, test } from "bun:test";
// The line limit (64 MiB): longer lines are refused without being buffered whole.
import { MAX_LINE_BYTES } from "../../src/pipeline/write.ts";
import {
  connectorCommand,
  jsonFile,
  logText,
  ofType,
  parseMessages,
  type RunResult,
  traceError,
} from "../helpers/connector.ts";
import { listTopics, readTopics, type TestBroker, testBroker, uniqueName } from "../helpers/kafka.ts";

let broker: TestBroker;

beforeAll(async () => {
  broker = await testBroker("default");
}, 120_000);

interface StreamSpec {
  name: string;
  namespace?: string | null;
  destination_sync_mode?: string;
}

interface Sync {
  prefix: string;
  config: string;
  catalog: string;
  /** The topic of a stream under this sync's pattern `<prefix>_{namespace}_{stream}` (ASCII names only). */
  topic: (namespace: string | undefined, stream: string) => string;
}

const DEFAULT_STREAMS: StreamSpec[] = [{ name: "users", namespace: "public" }, { name: "orders" }];

function sync(
  overrides: Record<string, unknown> = {},
  streams: StreamSpec[] = DEFAULT_STREAMS,
  pattern = "{namespace}_{stream}",
): Sync {
  const prefix = uniqueName("h");
  const config = jsonFile("config.json", {
    bootstrap_servers: broker.bootstrap,
    topic_pattern: `${prefix}_${pattern}`,
    max_block_ms: "10000",
    ...overrides,
  });
  const catalog = jsonFile("catalog.json", {
    streams: streams.map(({ name, namespace, destination_sync_mode }) => ({
      stream: { name, namespace: namespace ?? null, json_schema: {}, supported_sync_modes: ["full_refresh"] },
      sync_mode: "full_refresh",
      destination_sync_mode: destination_sync_mode ?? "append",
    })),
  });
  return { prefix, config, catalog, topic: (ns, stream) => `${prefix}_${ns ?? ""}_${stream}` };
}

/** A RECORD line of `public.users` (or another stream) with `data` as raw JSON text. */
const record = (data: string, stream = "users", namespace: string | null = "public") =>
  `{"type":"RECORD","record":{"namespace":${JSON.stringify(namespace)},"stream":${JSON.stringify(stream)},"data":${data},"emitted_at":1700000000000}}\n`;
const state = (n: number) => `{"type":"STATE","state":{"data":{"n":${n}}}}\n`;

/** Text that must never appear in anything the connector writes: it stands for secret content. */
const CANARY = "canary-7f3a9c";

interface Run extends RunResult {
  /** Peak resident memory of the connector process (from wait4's rusage), bytes. */
  maxRss: number;
  ms: number;
}

/**
 * Runs the connector with `input` fed chunk by chunk (with backpressure), bounded in time. A
 * connector that fails before its input ends may stop reading: feeding then just stops.
 */
async function run(
  args: string[],
  input: Iterable<string | Uint8Array> = [],
  timeoutMs = 60_000,
): Promise<Run> {
  const started = Date.now();
  const child = Bun.spawn(connectorCommand(...args), { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const feeding = (async () => {
    try {
      for (const chunk of input) {
        child.stdin.write(chunk);
        await child.stdin.flush();
      }
      await child.stdin.end();
    } catch {
      // the connector closed its stdin: it stopped reading
    }
  })();
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  await feeding;
  return {
    exitCode,
    messages: parseMessages(stdout),
    stderr,
    maxRss: child.resourceUsage()?.maxRSS ?? Number.NaN,
    ms: Date.now() - started,
  };
}

const write = (s: Sync, input: Iterable<string | Uint8Array>, timeoutMs?: number) =>
  run(["write", "--config", s.config, "--catalog", s.catalog], input, timeoutMs);

const statesOf = (result: RunResult) =>
  (ofType(result.messages, "STATE") as { state: { data: { n: number } } }[]).map((m) => m.state.data.n);

const landedData = async (s: Sync, namespace: string | undefined, stream: string) =>
  (await readTopics(broker.bootstrap, [s.topic(namespace, stream)])).map(
    (r) => (JSON.parse(r.value) as { _airbyte_data: unknown })._airbyte_data,
  );

/**
 * The failure contract: exit 1, one system_error TRACE that names the line and the reason (and
 * says how to skip), never the line's content; the STATE before the bad line is echoed, none after.
 */
function expectLineFailure(result: RunResult, line: number, reason: string, statesBefore: number[] = [1]) {
  expect(result.exitCode).toBe(1);
  const error = traceError(result.messages);
  expect(error.failure_type).toBe("system_error");
  expect(error.message).toStartWith(`Input line ${line} cannot be written: ${reason}.`);
  expect(error.message).toContain('on_invalid_input to "skip"');
  expect(statesOf(result)).toEqual(statesBefore);
  expect(JSON.stringify(result.messages)).not.toContain(CANARY);
  expect(logText(result.messages)).toContain("Read ");
}

/** The usual shape: a good record and STATE 1, the bad line (line 3), then a record and STATE 2. */
const around = (bad: string | Uint8Array): (string | Uint8Array)[] => [
  record('{"id":1}'),
  state(1),
  bad,
  record('{"id":2}'),
  state(2),
];

describe("malformed JSON", () => {
  test.each([
    ["a cut-off object", `{"type":"RECORD","record":{"stream":"users","data":{"${CANARY}":1}\n`],
    ["a trailing comma", `{"type":"RECORD","record":{"stream":"users","data":{"${CANARY}":1},},}\n`],
    ["single quotes", `{'type':'RECORD','record':{'stream':'users','data':{'${CANARY}':1}}}\n`],
    ["a bare word", `${CANARY}\n`],
    [
      "NaN as a number",
      `{"type":"RECORD","record":{"stream":"users","data":{"${CANARY}":NaN},"emitted_at":1}}\n`,
    ],
    ["two messages on one line", `${state(7).trim()}${state(8).trim()}\n`],
  ])(
    "%s fails the sync at its line, STATE 1 echoed, none after",
    async (_, bad) => {
      const s = sync();
      const result = await write(s, around(bad));
      expectLineFailure(result, 3, "it is not valid JSON");
      expect(await landedData(s, "public", "users")).toContainEqual({ id: 1 });
    },
    30_000,
  );
});

describe("a byte order mark", () => {
  // RFC 8259 forbids sending one and lets parsers refuse it; Airbyte sources never write one. The
  // first line is then not JSON: refused like any other, rather than silently repaired.
  test("before the first message fails the sync at line 1", async () => {
    const s = sync();
    const result = await write(s, ["\ufeff", record('{"id":1}'), state(1)]);
    expectLineFailure(result, 1, "it is not valid JSON", []);
  }, 30_000);
});

describe("the last line", () => {
  test("truncated mid-JSON without a newline fails the sync at that line", async () => {
    const s = sync();
    const result = await write(s, [
      record('{"id":1}'),
      state(1),
      `{"type":"RECORD","record":{"stream":"users","data":{"${CANARY}":`,
    ]);
    expectLineFailure(result, 3, "it is not valid JSON");
  }, 30_000);

  test("complete but without a newline is written", async () => {
    const s = sync();
    const result = await write(s, [record('{"id":1}'), state(1).trimEnd()]);
    expect(result.exitCode).toBe(0);
    expect(statesOf(result)).toEqual([1]);
    expect(await landedData(s, "public", "users")).toEqual([{ id: 1 }]);
  }, 30_000);
});

describe("invalid UTF-8", () => {
  const bytes = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));
  const inString = (raw: number[]) =>
    bytes(
      `{"type":"RECORD","record":{"namespace":"public","stream":"users","data":{"s":"${CANARY}`,
      raw,
      '"},"emitted_at":1}}\n',
    );

  test.each([
    ["a stray 0xFF byte", [0xff]],
    ["a continuation byte alone", [0x80]],
    ["an overlong encoding of '/'", [0xc0, 0xaf]],
    ["a UTF-16 surrogate encoded as UTF-8", [0xed, 0xa0, 0x80]],
    ["a code point beyond U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
    ["a multi-byte sequence cut short", [0xe2, 0x82]],
  ])(
    "%s fails the sync at its line",
    async (_, raw) => {
      const s = sync();
      const result = await write(s, around(inString(raw)));
      expectLineFailure(result, 3, "it is not valid UTF-8");
    },
    30_000,
  );

  test("a cut multi-byte sequence at the very end of the input fails the sync at that line", async () => {
    const s = sync();
    const result = await write(s, [
      record('{"id":1}'),
      state(1),
      bytes(record(`"${CANARY}`).slice(0, 40), [0xf0, 0x9f]),
    ]);
    expectLineFailure(result, 3, "it is not valid UTF-8");
  }, 30_000);
});

describe("a line of 100 MB", () => {
  const HUNDRED_MB = 100 * 1024 * 1024;
  /** One RECORD line of ~100 MB, produced in 1 MiB chunks (never held whole by the test either). */
  function* hugeLine(): Generator<string> {
    const chunk = "x".repeat(1024 * 1024);
    yield `{"type":"RECORD","record":{"namespace":"public","stream":"users","emitted_at":1,"data":{"blob":"${CANARY}`;
    for (let sent = 0; sent < HUNDRED_MB; sent += chunk.length) yield chunk;
    yield '"}}}\n';
  }
  /**
   * Peak RSS allowed: the connector's own peak on a one-record sync, plus 200 MiB: room for the
   * 64 MiB the line reader holds before it gives up and for stdin chunks not yet collected, but less
   * than holding the 100 MB line whole (its bytes and its decoded text alone would need 200 MiB,
   * parsing it more). Measured on a 2-core VM: one-record sync ~100 MiB, this line ~225–240 MiB.
   */
  let rssBound = Number.POSITIVE_INFINITY;
  beforeAll(async () => {
    const small = await write(sync(), [record('{"id":1}'), state(1)]);
    expect(small.exitCode).toBe(0);
    rssBound = small.maxRss + 200 * 1024 * 1024;
    console.log(`[hostile] one-record sync: peak RSS ${(small.maxRss / 2 ** 20).toFixed(0)} MiB`);
  }, 30_000);

  test("fails the sync quickly, naming the line and the limit, without buffering it whole", async () => {
    const s = sync();
    const result = await write(
      s,
      [record('{"id":1}'), state(1), ...hugeLine(), record('{"id":2}'), state(2)],
      60_000,
    );
    expectLineFailure(result, 3, `it is longer than ${MAX_LINE_BYTES} bytes`);
    console.log(
      `[hostile] 100 MB line (fail): ${result.ms} ms, peak RSS ${(result.maxRss / 2 ** 20).toFixed(0)} MiB`,
    );
    expect(result.maxRss).toBeLessThan(rssBound);
    expect(result.ms).toBeLessThan(30_000);
  }, 90_000);

  test("with on_invalid_input skip, is skipped with a WARN and the sync goes on, memory still bounded", async () => {
    const s = sync({ on_invalid_input: "skip" });
    const result = await write(
      s,
      [record('{"id":1}'), state(1), ...hugeLine(), record('{"id":2}'), state(2)],
      60_000,
    );
    expect(result.exitCode).toBe(0);
    expect(ofType(result.messages, "TRACE")).toHaveLength(0);
    expect(logText(result.messages)).toContain(
      `Skipped input line 3: it is longer than ${MAX_LINE_BYTES} bytes.`,
    );
    expect(logText(result.messages)).toContain("skipped 1 invalid lines");
    expect(statesOf(result)).toEqual([1, 2]);
    expect(await landedData(s, "public", "users")).toEqual([{ id: 1 }, { id: 2 }]);
    console.log(
      `[hostile] 100 MB line (skip): ${result.ms} ms, peak RSS ${(result.maxRss / 2 ** 20).toFixed(0)} MiB`,
    );
    expect(result.maxRss).toBeLessThan(rssBound);
    expect(result.ms).toBeLessThan(30_000);
  }, 90_000);
});

describe("an empty input", () => {
  test.each([
    ["nothing at all", []],
    ["only blank lines, CRLFs and spaces", ["\n\r\n   \n\t\n\r\n"]],
  ])(
    "%s: exit 0, nothing written, the summary LOG",
    async (_, input) => {
      const s = sync();
      const result = await write(s, input as string[]);
      expect(result.exitCode).toBe(0);
      expect(ofType(result.messages, "TRACE")).toHaveLength(0);
      expect(ofType(result.messages, "STATE")).toHaveLength(0);
      const summary = logText(result.messages);
      expect(summary).toContain("Read 0 records");
      expect(summary).toContain("echoed 0 STATE messages");
      expect(summary).toContain("skipped 0 invalid lines");
    },
    30_000,
  );
});

describe("lines that are not AirbyteMessages", () => {
  test.each([
    ["an array", `[1,2,"${CANARY}"]`, "it is not a JSON object"],
    ["a string", `"${CANARY}"`, "it is not a JSON object"],
    ["a number", "42", "it is not a JSON object"],
    ["null", "null", "it is not a JSON object"],
    [
      "an object without type",
      `{"record":{"stream":"users","data":{"${CANARY}":1}}}`,
      "it has no message type",
    ],
    [
      "a non-string type",
      `{"type":1,"record":{"stream":"users","data":{"${CANARY}":1}}}`,
      "it has no message type",
    ],
    [
      "a RECORD without record",
      `{"type":"RECORD","data":{"${CANARY}":1}}`,
      "a RECORD message has no record object",
    ],
    [
      "a RECORD without emitted_at",
      `{"type":"RECORD","record":{"stream":"users","namespace":"public","data":{"${CANARY}":1}}}`,
      "the record has no numeric emitted_at",
    ],
    [
      "a STATE of an unknown type",
      `{"type":"STATE","state":{"type":"${CANARY}"}}`,
      "the state's type is not LEGACY, STREAM or GLOBAL",
    ],
  ])(
    "%s fails the sync at its line",
    async (_, bad, reason) => {
      const s = sync();
      const result = await write(s, around(`${bad}\n`));
      expectLineFailure(result, 3, reason);
    },
    30_000,
  );
});

describe("record data that is not an object", () => {
  test.each([
    ["an array", `[{"${CANARY}":1}]`],
    ["a string", `"${CANARY}"`],
    ["a number", "12345678901234567890"],
    ["true", "true"],
    ["null", "null"],
  ])(
    "data as %s fails the sync at its line",
    async (_, data) => {
      const s = sync();
      const result = await write(s, around(record(data)));
      expectLineFailure(result, 3, "the record's data is not a JSON object");
    },
    30_000,
  );

  test("absent data fails the sync at its line", async () => {
    const s = sync();
    const bad = `{"type":"RECORD","record":{"namespace":"public","stream":"users","emitted_at":1,"${CANARY}":1}}\n`;
    const result = await write(s, around(bad));
    expectLineFailure(result, 3, "the record's data is not a JSON object");
  }, 30_000);
});

describe("a missing or non-string stream", () => {
  const withStream = (stream: string) =>
    `{"type":"RECORD","record":{"namespace":"public",${stream}"data":{"${CANARY}":1},"emitted_at":1}}\n`;
  test.each([
    ["absent", ""],
    ["null", '"stream":null,'],
    ["empty", '"stream":"",'],
    ["a number", '"stream":7,'],
    ["an object", '"stream":{"name":"users"},'],
    ["an array", '"stream":["users"],'],
  ])(
    "a stream that is %s fails the sync at its line",
    async (_, stream) => {
      const s = sync();
      const result = await write(s, around(withStream(stream)));
      expectLineFailure(result, 3, "the record has no stream name");
    },
    30_000,
  );

  test("a namespace that is not a string fails the sync at its line", async () => {
    const s = sync();
    const bad = `{"type":"RECORD","record":{"namespace":["${CANARY}"],"stream":"users","data":{},"emitted_at":1}}\n`;
    const result = await write(s, around(bad));
    expectLineFailure(result, 3, "the record's namespace is not a string");
  }, 30_000);
});

describe("message types other than RECORD and STATE", () => {
  test("unknown types, TRACE, LOG and CONTROL are counted and ignored, never written", async () => {
    const s = sync();
    const input = [
      record('{"id":1}'),
      `{"type":"FUTURE_KIND","future":{"${CANARY}":1}}\n`,
      state(1),
      `{"type":"LOG","log":{"level":"INFO","message":"${CANARY}"}}\n`,
      `{"type":"TRACE","trace":{"type":"ERROR","emitted_at":1,"error":{"message":"${CANARY}"}}}\n`,
      `{"type":"CONTROL","control":{"type":"CONNECTOR_CONFIG","emitted_at":1}}\n`,
      `{"type":"FUTURE_KIND"}\n`,
      record('{"id":2}'),
      state(2),
    ];
    const result = await write(s, input);
    expect(result.exitCode).toBe(0);
    expect(ofType(result.messages, "TRACE")).toHaveLength(0);
    expect(statesOf(result)).toEqual([1, 2]);
    expect(await landedData(s, "public", "users")).toEqual([{ id: 1 }, { id: 2 }]);
    const summary = logText(result.messages);
    for (const counted of ["FUTURE_KIND: 2", "LOG: 1", "TRACE: 1", "CONTROL: 1"])
      expect(summary).toContain(counted);
    expect(JSON.stringify(result.messages)).not.toContain(CANARY);
  }, 30_000);
});

describe("a record of a stream that is not in the catalog", () => {
  test.each([
    ["an unknown name", "nope", "public", "public.nope"],
    ["a known name in another namespace", "users", "private", "private.users"],
    ["a known name without its namespace", "users", null, "users"],
    ["a namespaced record of a stream the catalog has without one", "orders", "public", "public.orders"],
  ])(
    "%s fails the sync naming the line and the stream",
    async (_, stream, namespace, label) => {
      const s = sync();
      const result = await write(s, around(record(`{"${CANARY}":1}`, stream, namespace)));
      expectLineFailure(
        result,
        3,
        `it is a record of stream ${label}, which is not in the configured catalog`,
      );
    },
    30_000,
  );

  // Stream identity is the pair (namespace, name): a dot in a name must not make another stream match.
  test("a record whose namespace.name only spells a catalog stream's name is not that stream", async () => {
    const s = sync({}, [{ name: "public.users" }]);
    const result = await write(s, [
      record('{"id":1}', "public.users", null),
      state(1),
      record(`{"${CANARY}":1}`, "users", "public"),
      state(2),
    ]);
    expect(result.exitCode).toBe(1);
    const error = traceError(result.messages);
    expect(error.message).toStartWith("Input line 3 cannot be written: it is a record of stream ");
    expect(error.message).toContain("which is not in the configured catalog");
    expect(statesOf(result)).toEqual([1]);
    expect(await landedData(s, undefined, "public_users")).toEqual([{ id: 1 }]);
  }, 30_000);

  test("two catalog streams whose namespace.name spell the same text keep their own topics", async () => {
    const s = sync(
      {},
      [
        { name: "b.c", namespace: "a" },
        { name: "c", namespace: "a.b" },
      ],
      "{namespace}_X_{stream}",
    );
    const result = await write(s, [
      record('{"id":"a/b.c"}', "b.c", "a"),
      record('{"id":"a.b/c"}', "c", "a.b"),
      state(1),
    ]);
    expect(result.exitCode).toBe(0);
    const [first, second] = [`${s.prefix}_a_X_b_c`, `${s.prefix}_a_b_X_c`];
    const landed = await readTopics(broker.bootstrap, [first, second]);
    const where = Object.fromEntries(
      landed.map((r) => [
        (JSON.parse(r.value) as { _airbyte_data: { id: string } })._airbyte_data.id,
        r.topic,
      ]),
    );
    expect(where).toEqual({ "a/b.c": first, "a.b/c": second });
  }, 30_000);
});

describe("stream identity in STREAM states", () => {
  const streamState = (namespace: string, name: string) =>
    `${JSON.stringify({ type: "STATE", state: { type: "STREAM", stream: { stream_descriptor: { name, namespace }, stream_state: {} } } })}\n`;

  test("a STREAM state counts only its own stream's records, even when namespace.name spell the same text", async () => {
    const s = sync(
      {},
      [
        { name: "b.c", namespace: "a" },
        { name: "c", namespace: "a.b" },
      ],
      "{namespace}_X_{stream}",
    );
    const result = await write(s, [
      record('{"id":1}', "b.c", "a"),
      record('{"id":2}', "c", "a.b"),
      record('{"id":3}', "c", "a.b"),
      streamState("a", "b.c"),
      streamState("a.b", "c"),
    ]);
    expect(result.exitCode).toBe(0);
    const states = ofType(result.messages, "STATE") as {
      state: {
        stream: { stream_descriptor: { namespace: string } };
        destinationStats: { recordCount: number };
      };
    }[];
    expect(
      states.map((m) => [m.state.stream.stream_descriptor.namespace, m.state.destinationStats.recordCount]),
    ).toEqual([
      ["a", 1],
      ["a.b", 2],
    ]);
  }, 30_000);
});

describe("the catalog", () => {
  test("two entries for the same stream and namespace are a config error naming it, before anything is written", async () => {
    const s = sync({}, [
      { name: "users", namespace: "public" },
      { name: "orders" },
      { name: "users", namespace: "public", destination_sync_mode: "append_dedup" },
    ]);
    const result = await write(s, [record('{"id":1}'), state(1)]);
    expect(result.exitCode).toBe(1);
    const error = traceError(result.messages);
    expect(error.failure_type).toBe("config_error");
    expect(error.message).toContain("public.users");
    expect(ofType(result.messages, "STATE")).toHaveLength(0);
    expect(await listTopics(broker.bootstrap)).not.toContain(s.topic("public", "users"));
  }, 30_000);

  test("a null and an absent namespace are the same stream, so those entries are duplicates too", async () => {
    const s = sync();
    const catalog = jsonFile("catalog.json", {
      streams: [
        { stream: { name: "orders", namespace: null }, destination_sync_mode: "append" },
        { stream: { name: "orders" }, destination_sync_mode: "append" },
      ],
    });
    const result = await run(
      ["write", "--config", s.config, "--catalog", catalog],
      [record('{"id":1}', "orders", null)],
    );
    expect(result.exitCode).toBe(1);
    const error = traceError(result.messages);
    expect(error.failure_type).toBe("config_error");
    expect(error.message).toContain("orders");
  }, 30_000);

  test.each([
    ["not valid JSON", `{"streams":[{"stream":{"name":"users"}`, "is not valid JSON"],
    ["empty", "", "is not valid JSON"],
    ["JSON without streams", "[]", "Invalid catalog: it has no streams array."],
  ])(
    "a catalog file that is %s is a config error",
    async (_, text, message) => {
      const s = sync();
      const path = jsonFile("catalog.json", null);
      await Bun.write(path, text);
      const result = await run(
        ["write", "--config", s.config, "--catalog", path],
        [record('{"id":1}'), state(1)],
      );
      expect(result.exitCode).toBe(1);
      const error = traceError(result.messages);
      expect(error.failure_type).toBe("config_error");
      expect(error.message).toContain(message);
      expect(ofType(result.messages, "STATE")).toHaveLength(0);
    },
    30_000,
  );
});

describe("the config", () => {
  test("unknown extra fields, top-level and inside protocol, are accepted (Airbyte sends them)", async () => {
    const s = sync({
      some_future_option: { nested: [1, 2, 3] },
      _airbyte_internal: "x",
      protocol: { security_protocol: "PLAINTEXT", future_protocol_field: true },
    });
    const result = await write(s, [record('{"id":1}'), state(1)]);
    expect(result.exitCode).toBe(0);
    expect(ofType(result.messages, "TRACE")).toHaveLength(0);
    expect(statesOf(result)).toEqual([1]);
    expect(await landedData(s, "public", "users")).toEqual([{ id: 1 }]);
  }, 30_000);

  test("a config file that is not valid JSON is a config error", async () => {
    const s = sync();
    const path = jsonFile("config.json", null);
    await Bun.write(path, `{"bootstrap_servers":"${broker.bootstrap}",`);
    const result = await run(["write", "--config", path, "--catalog", s.catalog], [record('{"id":1}')]);
    expect(result.exitCode).toBe(1);
    const error = traceError(result.messages);
    expect(error.failure_type).toBe("config_error");
    expect(error.message).toContain("is not valid JSON");
  }, 30_000);
});

describe("numbers and text arrive byte for byte", () => {
  test("numbers beyond 2^53, huge exponents and trailing zeros reach Kafka digit for digit", async () => {
    const s = sync();
    const data =
      '{"big":123456789012345678901234567890,"max":9007199254740993,"neg":-9223372036854775809,' +
      '"huge":1E+400,"tiny":5e-400,"frac":1.10,"precise":0.1000000000000000055511151231257827,' +
      '"zero":-0.0,"nested":[18446744073709551617,{"x":1.0e0}]}';
    const result = await write(s, [record(data), state(1)]);
    expect(result.exitCode).toBe(0);
    const [landed] = await readTopics(broker.bootstrap, [s.topic("public", "users")]);
    if (!landed) throw new Error("nothing landed");
    const expected = `{"_airbyte_ab_id":"${landed.key}","_airbyte_stream":"users","_airbyte_emitted_at":1700000000000,"_airbyte_data":${data}}`;
    expect(landed.valueBytes.equals(Buffer.from(expected))).toBe(true);
  }, 30_000);

  // Names: the Java rule (NFKD, marks dropped, ASCII whitespace runs and every other non-[A-Za-z0-9_]
  // character → "_"); values: spliced as the source wrote them, so the bytes are identical.
  const UNICODE_STREAMS: { namespace: string; name: string; topicPart: string }[] = [
    { namespace: "line\u2028sep", name: "para\u2029sep", topicPart: "line_sep_para_sep" },
    { namespace: "emoji", name: "😀users👩‍👩‍👧", topicPart: "emoji__users_____" },
    {
      namespace: "caf\u0065\u0301",
      name: "Cr\u00e8me\u0327 \u212bngstr\u00f6m",
      topicPart: "cafe_Creme_Angstrom",
    },
    { namespace: "rtl", name: "משתמשים العربية", topicPart: "rtl________________" },
    // NFKD turns the no-break space into a space, so "\t \u00a0" is one whitespace run.
    { namespace: "ﬁ①", name: "Ｗｉｄｅ\t \u00a0x", topicPart: "fi1_Wide_x" },
  ];

  test("unicode stream names and namespaces get Java's topic names; values arrive byte-identical", async () => {
    const prefix = uniqueName("u");
    const config = jsonFile("config.json", {
      bootstrap_servers: broker.bootstrap,
      topic_pattern: `${prefix}_{namespace}_{stream}`,
      max_block_ms: "10000",
    });
    const catalog = jsonFile("catalog.json", {
      streams: UNICODE_STREAMS.map(({ namespace, name }) => ({
        stream: { name, namespace, json_schema: {} },
        destination_sync_mode: "append",
      })),
    });
    const value =
      '{"raw":"\u2028 \u2029 😀 e\u0301 ﬁ עברית العربية \u200f\u202e","escaped":"\\u2028\\u2029\\ud83d\\ude00\\u0000","lone":"\\udc00"}';
    const input = UNICODE_STREAMS.flatMap(({ namespace, name }) => [
      `{"type":"RECORD","record":{"namespace":${JSON.stringify(namespace)},"stream":${JSON.stringify(name)},"data":${value},"emitted_at":1}}\n`,
      `${JSON.stringify({ type: "STATE", state: { type: "STREAM", stream: { stream_descriptor: { name, namespace }, stream_state: { s: name } } } })}\n`,
    ]);
    const result = await run(["write", "--config", config, "--catalog", catalog], input);
    expect(result.exitCode).toBe(0);
    const states = ofType(result.messages, "STATE") as {
      state: {
        stream: { stream_descriptor: { name: string; namespace: string } };
        destinationStats: { recordCount: number };
      };
    }[];
    expect(states.map((m) => m.state.stream.stream_descriptor)).toEqual(
      UNICODE_STREAMS.map(({ name, namespace }) => ({ name, namespace })),
    );
    expect(states.map((m) => m.state.destinationStats.recordCount)).toEqual(UNICODE_STREAMS.map(() => 1));

    for (const { namespace, name, topicPart } of UNICODE_STREAMS) {
      const topic = `${prefix}_${topicPart}`;
      const landed = await readTopics(broker.bootstrap, [topic]);
      expect(landed).toHaveLength(1);
      const [one] = landed;
      if (!one) continue;
      const expected = `{"_airbyte_ab_id":"${one.key}","_airbyte_stream":${JSON.stringify(name)},"_airbyte_emitted_at":1,"_airbyte_data":${value}}`;
      expect(one.valueBytes.equals(Buffer.from(expected))).toBe(true);
      expect((JSON.parse(one.value) as { _airbyte_stream: string })._airbyte_stream).toBe(name);
      expect(namespace.length).toBeGreaterThan(0);
    }
  }, 60_000);
});

describe("record data is spliced from exactly the member that was validated", () => {
  /** The one record that landed in public.users, as raw bytes of its `_airbyte_data`. */
  async function landedDataText(s: Sync): Promise<string> {
    const landed = await readTopics(broker.bootstrap, [s.topic("public", "users")]);
    expect(landed).toHaveLength(1);
    const value = landed[0]?.valueBytes.toString() ?? "";
    const prefix = `{"_airbyte_ab_id":"${landed[0]?.key}","_airbyte_stream":"users","_airbyte_emitted_at":1,"_airbyte_data":`;
    expect(value.startsWith(prefix)).toBe(true);
    return value.slice(prefix.length, -1);
  }

  test.each([
    [
      "an escaped member name",
      '{"type":"RECORD","record":{"namespace":"public","stream":"users","d\\u0061ta":{"a":1},"emitted_at":1}}',
      '{"a":1}',
    ],
    [
      "strings full of braces, quotes and the word data",
      '{"type":"RECORD","record":{"x":{"data":5},"namespace":"public","stream":"users","data" : {"s":"\\"}{[\\\\","data":"}"} ,"emitted_at":1}}',
      '{"s":"\\"}{[\\\\","data":"}"}',
    ],
    [
      "100 000 levels of nesting",
      `{"type":"RECORD","record":{"namespace":"public","stream":"users","data":{"d":${"[".repeat(100_000)}${"]".repeat(100_000)}},"emitted_at":1}}`,
      `{"d":${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
    ],
    // Duplicate member names: JSON.parse (and the Java connector's Jackson) keep the last one, and
    // that is the one validated; the bytes written must be that member's too.
    [
      "a duplicate data member (the last one counts)",
      '{"type":"RECORD","record":{"namespace":"public","stream":"users","data":"first","data":{"x":1},"emitted_at":1}}',
      '{"x":1}',
    ],
    [
      "a duplicate record member (the last one counts)",
      '{"type":"RECORD","record":{"namespace":"public","stream":"nope","data":{"from":"first"},"emitted_at":1},"record":{"namespace":"public","stream":"users","data":{"from":"second"},"emitted_at":1}}',
      '{"from":"second"}',
    ],
  ])(
    "%s",
    async (_, line, expected) => {
      const s = sync();
      const result = await write(s, [`${line}\n`, state(1)]);
      expect(result.exitCode).toBe(0);
      expect(statesOf(result)).toEqual([1]);
      expect(await landedDataText(s)).toBe(expected);
    },
    30_000,
  );

  test("a duplicate state member: the last one is echoed, as it is the one validated", async () => {
    const s = sync();
    const result = await write(s, [
      record('{"id":1}'),
      '{"type":"STATE","state":{"data":{"n":1}},"state":{"data":{"n":2}}}\n',
    ]);
    expect(result.exitCode).toBe(0);
    expect(statesOf(result)).toEqual([2]);
  }, 30_000);
});

describe("on_invalid_input: skip", () => {
  test("every invalid line is skipped with a WARN naming it; good records land, every STATE is echoed", async () => {
    const s = sync({ on_invalid_input: "skip" });
    const bad = [
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
    ];
    const input = [
      record('{"id":1}'),
      state(1),
      ...bad,
      record('{"id":2}'),
      state(2),
      `{"type":"RECORD","record":{"stream":"users","data":{"${CANARY}":`,
    ];
    const result = await write(s, input);
    expect(result.exitCode).toBe(0);
    expect(ofType(result.messages, "TRACE")).toHaveLength(0);
    expect(statesOf(result)).toEqual([1, 2]);
    expect(await landedData(s, "public", "users")).toEqual([{ id: 1 }, { id: 2 }]);
    const logs = logText(result.messages);
    for (const [line, reason] of [
      [3, "it is not valid JSON"],
      [4, "it is not valid UTF-8"],
      [5, "it is not a JSON object"],
      [6, "the record's data is not a JSON object"],
      [7, "the record has no stream name"],
      [8, "it is a record of stream public.nope, which is not in the configured catalog"],
      [11, "it is not valid JSON"],
    ] as const) {
      expect(logs).toContain(`Skipped input line ${line}: ${reason}.`);
    }
    expect(logs).toContain("skipped 7 invalid lines");
    expect(JSON.stringify(result.messages)).not.toContain(CANARY);
  }, 30_000);
});
