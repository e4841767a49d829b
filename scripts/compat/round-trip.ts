/**
 * The cells of the compatibility matrix, each one command of the connector run as Airbyte runs it
 * (scripts/connector.ts) against a broker, and what landed read back with kcat, an independent
 * client: `spec`; `check` with a test_topic (its test message must be readable); and `write` of a
 * numbered stream in one mode (modes.ts), whose every record must land exactly once with the
 * reference layout, byte for byte (in the overwrite mode, the second of two writes: the first
 * one's records must be gone). Each returns what went wrong, or null.
 */
import { randomUUID } from "node:crypto";
import { jsonFile, spawnConnector } from "../connector.ts";
import { consumeWithKcat, type KcatMessage } from "../kafka/kcat.ts";
import { COMPAT_MODES, type CompatMode, modeConfig } from "./modes.ts";

/** What a `write` cell saw; `problemOf` turns it into a verdict. */
export interface WriteOutcome {
  exitCode: number;
  /** First line of the TRACE error (or of why the run produced none), null if there was none. */
  error: string | null;
  /** The TRACE error's failure_type, null without one. */
  failureType: string | null;
  /** STATE messages echoed (the input ends with one). */
  states: number;
  /** destinationStats.recordCount of the last STATE. */
  recordCount: number | null;
  /** Records kcat read back (read_committed), null when the write failed and nothing was read. */
  landed: number | null;
  /** The first few records that are not what was sent (or are missing or doubled). */
  badValues: string[];
}

const STREAM = "records";
const EMITTED_AT = 1_700_000_000_000;
const SPEC_TIMEOUT_MS = 30_000;
const CHECK_TIMEOUT_MS = 60_000;
const WRITE_TIMEOUT_MS = 90_000;
const MAX_BAD_VALUES = 3;

/** `spec` prints one SPEC message with the connection specification, and exits 0. */
export async function specCell(): Promise<string | null> {
  const run = await spawnConnector(["spec"], "", SPEC_TIMEOUT_MS);
  const messages = parseLines(run.stdout);
  if (typeof messages === "string") return messages;
  const spec = messages.find((m) => m.type === "SPEC") as
    | { spec?: { connectionSpecification?: { properties?: Record<string, unknown> } } }
    | undefined;
  if (run.exitCode !== 0) return `spec exited ${run.exitCode}: ${lastLine(run.stderr)}`;
  if (!spec?.spec?.connectionSpecification?.properties?.bootstrap_servers)
    return "spec printed no SPEC message with bootstrap_servers";
  return null;
}

/**
 * `check` with the default config and a test_topic reports SUCCEEDED, and its one test message can
 * be read back.
 */
export async function checkCell(bootstrap: string): Promise<string | null> {
  const topic = `compat_check_${randomUUID().replaceAll("-", "")}`;
  const [defaultMode] = COMPAT_MODES as [CompatMode];
  const config = jsonFile("config.json", modeConfig(defaultMode, bootstrap, topic, { test_topic: topic }));
  const run = await spawnConnector(["check", "--config", config], "", CHECK_TIMEOUT_MS);
  const messages = parseLines(run.stdout);
  if (typeof messages === "string") return messages;
  const status = messages.find((m) => m.type === "CONNECTION_STATUS")?.connectionStatus as
    | { status: string; message?: string }
    | undefined;
  if (!status) return `check printed no CONNECTION_STATUS (exit ${run.exitCode}): ${lastLine(run.stderr)}`;
  if (status.status !== "SUCCEEDED") return `check ${status.status}: ${firstLine(status.message ?? "")}`;
  const landed = await consumeWithKcat(bootstrap, topic, "read_committed");
  if (landed.length !== 1) return `check's test message: ${landed.length} messages in ${topic}, not 1`;
  return null;
}

/** `write` of `records` numbered records and one STATE in `mode`, then read back. */
export async function writeCell(bootstrap: string, mode: CompatMode, records: number): Promise<WriteOutcome> {
  const prefix = `compat_${mode.id}_${randomUUID().replaceAll("-", "")}`;
  const topic = `${prefix}_${STREAM}`;
  const config = jsonFile("config.json", modeConfig(mode, bootstrap, `${prefix}_{stream}`));
  const catalog = jsonFile("catalog.json", {
    streams: [
      {
        stream: { name: STREAM, json_schema: {} },
        sync_mode: "full_refresh",
        destination_sync_mode: mode.syncMode ?? "append",
      },
    ],
  });
  let input = "";
  for (let i = 0; i < records; i++) {
    input += `{"type":"RECORD","record":{"stream":"${STREAM}","data":${dataText(mode, i)},"emitted_at":${EMITTED_AT + i}}}\n`;
  }
  input += '{"type":"STATE","state":{"data":{"done":true}}}\n';

  const write = () =>
    spawnConnector(["write", "--config", config, "--catalog", catalog], input, WRITE_TIMEOUT_MS);
  // An overwrite that works leaves the second write alone: the first one's records are deleted.
  let run = await write();
  if (mode.syncMode === "overwrite" && run.exitCode === 0) run = await write();
  const messages = parseLines(run.stdout);
  const outcome: WriteOutcome = {
    exitCode: run.exitCode,
    error: null,
    failureType: null,
    states: 0,
    recordCount: null,
    landed: null,
    badValues: [],
  };
  if (typeof messages === "string") return { ...outcome, error: messages };
  const states = messages.filter((m) => m.type === "STATE") as {
    state: { destinationStats?: { recordCount?: number } };
  }[];
  outcome.states = states.length;
  outcome.recordCount = states.at(-1)?.state.destinationStats?.recordCount ?? null;
  const trace = messages.find((m) => m.type === "TRACE") as
    | { trace: { error?: { message?: string; failure_type?: string } } }
    | undefined;
  if (trace) {
    outcome.error = firstLine(trace.trace.error?.message ?? JSON.stringify(trace));
    outcome.failureType = trace.trace.error?.failure_type ?? null;
  } else if (run.exitCode !== 0) outcome.error = `write exited ${run.exitCode}: ${lastLine(run.stderr)}`;
  if (run.exitCode !== 0) return outcome;

  const landed = await consumeWithKcat(bootstrap, topic, "read_committed");
  outcome.landed = landed.length;
  outcome.badValues = badValues(landed, mode, records);
  return outcome;
}

/** The verdict on a write: null when it passed, else its first problem in one line. */
export function problemOf(outcome: WriteOutcome, records: number): string | null {
  if (outcome.error !== null) return outcome.error;
  if (outcome.exitCode !== 0) return `write exited ${outcome.exitCode}`;
  if (outcome.states !== 1 || outcome.recordCount !== records)
    return `${outcome.states} STATE messages echoed (recordCount ${outcome.recordCount}), expected 1 covering ${records}`;
  if (outcome.landed !== records) return `${outcome.landed} of ${records} records read back`;
  const [bad] = outcome.badValues;
  return bad ?? null;
}

/** A cell's verdict: "refused" is a release refusing, as it must, a mode it cannot support. */
export interface Verdict {
  status: "pass" | "refused" | "fail";
  problem: string | null;
}

/**
 * The verdict on a write of `mode` to a broker of `version`: as problemOf, except that a release
 * older than the mode needs passes only by refusing it with the expected config_error and writing
 * nothing.
 */
export function verdictOf(
  outcome: WriteOutcome,
  records: number,
  mode: CompatMode,
  version: string,
): Verdict {
  if (!mode.needs || !olderThan(version, mode.needs.since)) {
    const problem = problemOf(outcome, records);
    return { status: problem === null ? "pass" : "fail", problem };
  }
  const refused =
    outcome.exitCode !== 0 &&
    outcome.states === 0 &&
    outcome.failureType === "config_error" &&
    (outcome.error ?? "").startsWith(mode.needs.refusal);
  return refused
    ? { status: "refused", problem: outcome.error }
    : {
        status: "fail",
        problem: `expected a config_error "${mode.needs.refusal}…" and nothing written, got: exit ${outcome.exitCode}, ${outcome.states} STATE(s), ${outcome.failureType ?? "no TRACE"}: ${outcome.error ?? ""}`,
      };
}

// --- internal ---

/** Whether release `version` comes before `other` ("MAJOR.MINOR.PATCH" each). */
function olderThan(version: string, other: string): boolean {
  const [a, b] = [version, other].map((v) => v.split(".").map(Number));
  for (let i = 0; i < 3; i++) {
    const x = a?.[i] ?? 0;
    const y = b?.[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

/** The `_airbyte_data` of record `i`, as the source writes it (repetitive, so codecs have work). */
function dataText(mode: CompatMode, i: number): string {
  return `{"i":${i},"mode":"${mode.id}","text":"${"compatibility round trip ".repeat(3)}${i}","amount":${i}.50}`;
}

/** The records that are not exactly what `write` must produce, or are missing or doubled. */
function badValues(landed: KcatMessage[], mode: CompatMode, records: number): string[] {
  const bad: string[] = [];
  const seen = new Set<number>();
  for (const message of landed) {
    const i = indexOf(message.payload);
    const expected =
      i === null
        ? null
        : `{"_airbyte_ab_id":"${message.key}","_airbyte_stream":"${STREAM}","_airbyte_emitted_at":${EMITTED_AT + i},"_airbyte_data":${dataText(mode, i)}}`;
    if (i === null || message.payload !== expected) {
      bad.push(
        `offset ${message.offset}: value is not the expected JSON: ${(message.payload ?? "null").slice(0, 200)}`,
      );
    } else if (seen.has(i)) bad.push(`record ${i} landed twice (again at offset ${message.offset})`);
    else if (!/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(message.key ?? ""))
      bad.push(`offset ${message.offset}: key ${JSON.stringify(message.key)} is not a UUID`);
    seen.add(i ?? -1);
  }
  for (let i = 0; i < records && bad.length < MAX_BAD_VALUES; i++) {
    if (!seen.has(i)) bad.push(`record ${i} is missing`);
  }
  return bad.slice(0, MAX_BAD_VALUES);
}

/** `_airbyte_data.i` of a landed value, or null when the value is not JSON of that shape. */
function indexOf(payload: string | null): number | null {
  try {
    const i = (JSON.parse(payload ?? "") as { _airbyte_data?: { i?: unknown } })._airbyte_data?.i;
    return Number.isInteger(i) ? (i as number) : null;
  } catch {
    return null;
  }
}

/** stdout as AirbyteMessages, or why it is not only that. */
function parseLines(stdout: string): Record<string, unknown>[] | string {
  const messages: Record<string, unknown>[] = [];
  for (const line of stdout.split("\n")) {
    if (line === "") continue;
    try {
      messages.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      return `stdout carried a line that is not a message: ${line.slice(0, 120)}`;
    }
  }
  return messages;
}

const firstLine = (text: string): string => text.split("\n")[0] ?? "";

const lastLine = (text: string): string => text.trim().split("\n").at(-1) ?? "";
