/**
 * A broker that authorizes with ACLs (scripts/kafka/secure.ts with an authorizer): the connector logs
 * in over SASL/PLAIN as a user that may write to one topic and not to another. A sync that reaches the
 * other topic fails with a config_error TRACE naming it and echoes no STATE after the failure; `check`
 * with that topic as test_topic fails naming it too. Topics and ACLs are made by the harness's admin
 * (the super user, on the PLAINTEXT listener), and what landed is read back there.
 */
import { beforeAll, describe, expect, it } from "bun:test";
import { jaasConfig } from "../../scripts/kafka/properties.ts";
import type { SecureBroker } from "../../scripts/kafka/secure.ts";
import { connectionStatus, jsonFile, ofType, recordingRun, traceError } from "../helpers/connector.ts";
import { allowOnTopic, createTopic, readTopics, secureTestBroker, uniqueName } from "../helpers/kafka.ts";

let broker: SecureBroker;
/** Every stdout and stderr the connector produced in this file, checked for the password at the end. */
const outputs: string[] = [];
const run = recordingRun(outputs);

beforeAll(async () => {
  broker = await secureTestBroker({ name: "authorizer", authorizer: true });
}, 180_000);

/** A topic the SASL user may write to, and one where it may do no more than `denied` allows. */
async function topics(denied: "DESCRIBE"[]) {
  const admin = broker.listeners.plaintext;
  const user = `User:${broker.users.plain.username}`;
  const allowed = uniqueName("allowed");
  const refused = uniqueName("refused");
  await createTopic(admin, allowed);
  await createTopic(admin, refused);
  await allowOnTopic(admin, allowed, user, ["WRITE"]);
  if (denied.length > 0) await allowOnTopic(admin, refused, user, denied);
  return { allowed, refused };
}

function config(extra: Record<string, unknown>) {
  const { username, password } = broker.users.plain;
  return jsonFile("config.json", {
    bootstrap_servers: broker.listeners.saslPlaintext,
    topic_pattern: "{stream}",
    acks: "all",
    retries: 0,
    max_block_ms: "5000",
    request_timeout_ms: 4000,
    delivery_timeout_ms: 8000,
    protocol: {
      security_protocol: "SASL_PLAINTEXT",
      sasl_mechanism: "PLAIN",
      sasl_jaas_config: jaasConfig("org.apache.kafka.common.security.plain.PlainLoginModule", {
        username,
        password,
      }),
    },
    ...extra,
  });
}

const records = (stream: string, from: number, count: number) => {
  let text = "";
  for (let i = from; i < from + count; i++)
    text += `{"type":"RECORD","record":{"stream":"${stream}","data":{"i":${i}},"emitted_at":1}}\n`;
  return text;
};
const state = (round: number) => `{"type":"STATE","state":{"data":{"round":${round}}}}\n`;

describe("a topic the user may not write to", () => {
  it.each([
    ["no ACL at all (the metadata refuses it), acks all", [], {}],
    ["DESCRIBE only (the produce request refuses it), acks all", ["DESCRIBE"], {}],
    ["no ACL at all, idempotence", [], { enable_idempotence: true }],
    ["DESCRIBE only, idempotence", ["DESCRIBE"], { enable_idempotence: true }],
  ] as [string, "DESCRIBE"[], Record<string, unknown>][])(
    "%s: the sync fails with a config_error naming the topic, and no STATE after the failure",
    async (label, denied, settings) => {
      const started = Date.now();
      const { allowed, refused } = await topics(denied);
      const catalog = jsonFile("catalog.json", {
        streams: [allowed, refused].map((name) => ({ stream: { name }, destination_sync_mode: "append" })),
      });
      const input =
        records(allowed, 0, 100) +
        state(1) +
        records(refused, 100, 100) +
        state(2) +
        records(allowed, 200, 100) +
        state(3);
      const result = await run(["write", "--config", config(settings), "--catalog", catalog], input);

      expect(result.exitCode).toBe(1);
      const error = traceError(result.messages);
      expect(error.failure_type).toBe("config_error");
      expect(error.message).toContain(`not authorized to write to topic ${refused}`);
      expect(error.message).not.toContain(allowed);
      const rounds = ofType(result.messages, "STATE").map(
        (m) => (m.state as { data: { round: number } }).data.round,
      );
      // STATE 1 was earned before the failure (its records are acknowledged); 2 and 3 never are.
      expect(rounds).toEqual([1]);
      const landed = await readTopics(broker.listeners.plaintext, [allowed, refused]);
      expect(landed.filter((r) => r.topic === refused)).toEqual([]);
      const written = landed.map((r) => JSON.parse(r.value)._airbyte_data.i as number);
      expect(written.filter((i) => i < 100).sort((a, b) => a - b)).toEqual([...Array(100).keys()]);
      console.log(`[authorization] ${label}: ${Date.now() - started} ms`);
    },
    60_000,
  );
});

describe("records of an allowed and a refused topic in one request", () => {
  it.each([
    ["acks all", {}],
    ["idempotence", { enable_idempotence: true }],
  ] as [string, Record<string, unknown>][])(
    "%s: the failure names the refused topic only",
    async (_label, settings) => {
      const { allowed, refused } = await topics(["DESCRIBE"]);
      const catalog = jsonFile("catalog.json", {
        streams: [allowed, refused].map((name) => ({ stream: { name }, destination_sync_mode: "append" })),
      });
      let input = "";
      for (let i = 0; i < 50; i++) input += records(i % 2 === 0 ? allowed : refused, i, 1);
      const result = await run(
        ["write", "--config", config(settings), "--catalog", catalog],
        input + state(1),
      );
      expect(result.exitCode).toBe(1);
      const error = traceError(result.messages);
      expect(error.message).toContain(`not authorized to write to topic ${refused}.`);
      expect(error.message).not.toContain(allowed);
      expect(ofType(result.messages, "STATE")).toEqual([]);
    },
    30_000,
  );
});

describe("check with test_topic", () => {
  it("SUCCEEDS on the topic the user may write to", async () => {
    const { allowed } = await topics([]);
    const result = await run(["check", "--config", config({ test_topic: allowed })]);
    // WRITE alone: check says that streams which overwrite would be refused, and why.
    expect(connectionStatus(result.messages)).toEqual({
      status: "SUCCEEDED",
      message: `Streams that overwrite (Full Refresh Overwrite, truncate refreshes) would be refused on a topic like ${allowed}: Kafka error while recording where the topic ends (topic ${allowed}): not authorized to delete records of topic ${allowed}: a stream that overwrites (destination_sync_mode overwrite, or a truncate refresh) needs the DELETE permission on its topic, besides DESCRIBE and WRITE.`,
    });
    expect(result.exitCode).toBe(0);
    await allowOnTopic(broker.listeners.plaintext, allowed, `User:${broker.users.plain.username}`, [
      "DELETE",
    ]);
    const granted = await run(["check", "--config", config({ test_topic: allowed })]);
    expect(connectionStatus(granted.messages).message).toStartWith(
      `This client may delete records of ${allowed},`,
    );
  }, 30_000);

  it.each([
    ["no ACL at all", []],
    ["DESCRIBE only", ["DESCRIBE"]],
  ] as [string, "DESCRIBE"[]][])(
    "FAILS naming a topic the user may not write to (%s)",
    async (_label, denied) => {
      const { refused } = await topics(denied);
      const result = await run(["check", "--config", config({ test_topic: refused })]);
      const status = connectionStatus(result.messages);
      expect(status.status).toBe("FAILED");
      expect(status.message).toContain(`not authorized to write to topic ${refused}`);
      expect(result.exitCode).toBe(1);
    },
    30_000,
  );
});

describe("create_topics without the right to create", () => {
  it.each([
    ["no ACL at all", []],
    ["DESCRIBE and WRITE, no CREATE", ["DESCRIBE", "WRITE"]],
  ] as [string, ("DESCRIBE" | "WRITE")[]][])(
    "check FAILS and write fails, naming the topic and the missing permission (%s)",
    async (_label, granted) => {
      const topic = uniqueName("uncreated");
      const user = `User:${broker.users.plain.username}`;
      if (granted.length > 0) await allowOnTopic(broker.listeners.plaintext, topic, user, granted);
      const settings = { topic_pattern: topic, create_topics: { partitions: 1, replication_factor: 1 } };
      const checked = await run(["check", "--config", config(settings)]);
      const status = connectionStatus(checked.messages);
      expect(status.status).toBe("FAILED");
      expect(status.message).toContain(`not authorized to create topic ${topic}`);
      expect(checked.exitCode).toBe(1);

      const written = await run(["write", "--config", config(settings)], records("s", 0, 1) + state(1));
      expect(written.exitCode).toBe(1);
      const error = traceError(written.messages);
      expect(error.failure_type).toBe("config_error");
      expect(error.message).toContain(`not authorized to create topic ${topic}`);
      expect(ofType(written.messages, "STATE")).toEqual([]);
    },
    30_000,
  );
});

describe("a stream that overwrites needs the DELETE permission on its topic", () => {
  const overwrite = (topic: string) =>
    jsonFile("catalog.json", { streams: [{ stream: { name: topic }, destination_sync_mode: "overwrite" }] });

  it("without it, write is refused with a config_error naming the permission, before anything is written", async () => {
    const { allowed } = await topics([]);
    const result = await run(
      ["write", "--config", config({}), "--catalog", overwrite(allowed)],
      records(allowed, 0, 10) + state(1),
    );
    expect(result.exitCode).toBe(1);
    const error = traceError(result.messages);
    expect(error.failure_type).toBe("config_error");
    expect(error.message).toContain(`not authorized to delete records of topic ${allowed}`);
    expect(error.message).toContain("needs the DELETE permission");
    expect(ofType(result.messages, "STATE")).toEqual([]);
    expect(await readTopics(broker.listeners.plaintext, [allowed])).toEqual([]);
  }, 30_000);

  it("with it, a second sync leaves only its own records", async () => {
    const { allowed } = await topics([]);
    await allowOnTopic(broker.listeners.plaintext, allowed, `User:${broker.users.plain.username}`, [
      "DELETE",
    ]);
    const args = ["write", "--config", config({}), "--catalog", overwrite(allowed)];
    expect((await run(args, records(allowed, 0, 10) + state(1))).exitCode).toBe(0);
    const second = await run(args, records(allowed, 100, 5) + state(2));
    expect(second.exitCode).toBe(0);
    const landed = await readTopics(broker.listeners.plaintext, [allowed]);
    expect(landed.map((r) => JSON.parse(r.value)._airbyte_data.i)).toEqual([100, 101, 102, 103, 104]);
  }, 30_000);
});

it("no output carries the SASL password", () => {
  expect(outputs.length).toBeGreaterThan(0);
  for (const output of outputs) expect(output).not.toContain(broker.users.plain.password);
});
