/**
 * Hostile input through the connector process, against the local broker: the cases that need the
 * process or Kafka itself (memory bounds, exit codes and TRACE, bytes read back from the topics).
 * Every class of hostile line is pinned without a broker, by table tests of the write loop
 * (test/pipeline/write.hostile-input.test.ts), of the catalog and of the config; one of each kind
 * runs here end to end.
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
import { around, CANARY, record, SKIPPABLE, state } from "../helpers/hostile-input.ts";
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

describe("a line that is not JSON", () => {
  test("fails the sync at its line: exit 1, one TRACE, STATE 1 echoed and its record in Kafka, none after", async () => {
    const s = sync();
    const bad = `{"type":"RECORD","record":{"stream":"users","data":{"${CANARY}":1}\n`;
    const result = await write(s, around(bad));
    expectLineFailure(result, 3, "it is not valid JSON");
    expect(await landedData(s, "public", "users")).toEqual([{ id: 1 }]);
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

describe("on_invalid_input: skip", () => {
  test("every invalid line is skipped with a WARN naming it; good records land, every STATE is echoed", async () => {
    const s = sync({ on_invalid_input: "skip" });
    const result = await write(s, SKIPPABLE.input);
    expect(result.exitCode).toBe(0);
    expect(ofType(result.messages, "TRACE")).toHaveLength(0);
    expect(statesOf(result)).toEqual([1, 2]);
    expect(await landedData(s, "public", "users")).toEqual([{ id: 1 }, { id: 2 }]);
    const logs = logText(result.messages);
    for (const warning of SKIPPABLE.warnings) {
      expect(logs).toContain(warning);
    }
    expect(logs).toContain("skipped 7 invalid lines");
    expect(JSON.stringify(result.messages)).not.toContain(CANARY);
  }, 30_000);
});
