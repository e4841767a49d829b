/**
 * Exactly-once delivery with `transactional_id`, against a real broker, read back by an independent
 * read_committed consumer (kcat): what the coordinator is told, a source slower than the
 * transaction timeout, a crash mid-transaction replayed from the last echoed STATE, and fencing.
 */
import { beforeAll, describe, expect, it } from "bun:test";
import { jsonFile, ofType, runConnector, startConnector, traceError } from "../helpers/connector.ts";
import { type TestBroker, testBroker, uniqueName } from "../helpers/kafka.ts";
import { useLaunchers } from "../helpers/launchers.ts";
import { describeTransaction, readWithKcat } from "../helpers/transactions.ts";
import { waitUntil } from "../helpers/wait.ts";

let broker: TestBroker;

beforeAll(async () => {
  broker = await testBroker("default");
}, 120_000);

/** The connector from source, and the compiled binary. */
const LAUNCHES = useLaunchers();

const record = (i: number) => `{"type":"RECORD","record":{"stream":"s","data":{"i":${i}},"emitted_at":1}}\n`;
const records = (from: number, to: number) => {
  let text = "";
  for (let i = from; i < to; i++) text += record(i);
  return text;
};
const state = (upTo: number) => `{"type":"STATE","state":{"type":"LEGACY","data":{"upTo":${upTo}}}}\n`;
const stateUpTo = (message: Record<string, unknown>) =>
  (message as { state: { data: { upTo: number } } }).state.data.upTo;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

/** Config and catalog for a transactional sync into its own topic, with its own transactional id. */
function transactionalSync(overrides: Record<string, unknown> = {}) {
  const topic = uniqueName("tx");
  const transactionalId = uniqueName("txid");
  const config = jsonFile("config.json", {
    bootstrap_servers: broker.bootstrap,
    topic_pattern: topic,
    acks: "all",
    enable_idempotence: true,
    transactional_id: transactionalId,
    ...overrides,
  });
  const catalog = jsonFile("catalog.json", {
    streams: [{ stream: { name: "s" }, destination_sync_mode: "append" }],
  });
  return { topic, transactionalId, args: ["write", "--config", config, "--catalog", catalog] };
}

/**
 * The coordinator's view once the last transaction's markers are written: EndTxn is answered at
 * PrepareCommit / PrepareAbort, and read_committed readers see the outcome only after the markers.
 */
async function settled(transactionalId: string) {
  let described = await describeTransaction(broker.bootstrap, transactionalId);
  const deadline = Date.now() + 10_000;
  while (described.state.startsWith("Prepare") && Date.now() < deadline) {
    await Bun.sleep(50);
    described = await describeTransaction(broker.bootstrap, transactionalId);
  }
  return described;
}

const committedIs = async (topic: string) =>
  (await readWithKcat(broker.bootstrap, topic, "read_committed")).data.map((d) => d.i as number);

describe("transactions", () => {
  it("the coordinator is told transaction_timeout_ms, not request_timeout_ms", async () => {
    const sync = transactionalSync({ transaction_timeout_ms: 45_678, request_timeout_ms: 20_000 });
    const result = await runConnector(sync.args, records(0, 10) + state(10) + records(10, 12));
    expect(ofType(result.messages, "TRACE")).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(ofType(result.messages, "STATE").map(stateUpTo)).toEqual([10]);
    const described = await settled(sync.transactionalId);
    expect(described.timeoutMs).toBe(45_678);
    expect(described.state).toBe("CompleteCommit");
    // The records after the last STATE were committed at the end of the input.
    expect(await committedIs(sync.topic)).toEqual(range(0, 12));
  }, 30_000);

  it("a source silent for longer than transaction_timeout_ms does not abort the sync", async () => {
    // The coordinator looks for expired transactions every 10 s
    // (transaction.abort.timed.out.transaction.cleanup.interval.ms): a transaction left open for
    // 12 s with a 1 s timeout is aborted, and its commit at the STATE would fail.
    const sync = transactionalSync({ transaction_timeout_ms: 1000 });
    const live = startConnector(sync.args);
    live.write(records(0, 5));
    await Bun.sleep(12_000);
    live.write(records(5, 10) + state(10));
    await live.end();
    const result = await live.finished(20_000);
    expect(ofType(result.messages, "TRACE")).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(ofType(result.messages, "STATE").map(stateUpTo)).toEqual([10]);
    expect((await settled(sync.transactionalId)).state).toBe("CompleteCommit");
    expect(await committedIs(sync.topic)).toEqual(range(0, 10));
  }, 40_000);

  it.each(LAUNCHES)(
    "kill -9 of %s mid-transaction, then a replay from the last echoed STATE: read_committed sees every record once",
    async (_label, launcher) => {
      const sync = transactionalSync();
      const first = startConnector(sync.args, launcher());
      first.write(records(0, 300) + state(300) + records(300, 600) + state(600));
      await first.waitFor((m) => m.type === "STATE" && stateUpTo(m) === 600, 20_000);
      // Half of the next stretch goes out in an open transaction; the crash comes before its STATE.
      first.write(records(600, 750));
      await waitUntil(async () => {
        const open = await describeTransaction(broker.bootstrap, sync.transactionalId);
        return open.state === "Ongoing";
      }, 10_000);
      await waitUntil(
        async () =>
          (await readWithKcat(broker.bootstrap, sync.topic, "read_uncommitted")).data.length === 750,
        10_000,
      );
      first.signal("SIGKILL");
      const crashed = await first.finished(10_000);
      expect(crashed.exitCode).not.toBe(0);
      const echoed = ofType(crashed.messages, "STATE").map(stateUpTo);
      expect(echoed).toEqual([300, 600]);
      // Every echoed STATE is covered by committed records; the open transaction's are not visible.
      expect(await committedIs(sync.topic)).toEqual(range(0, 600));

      // Airbyte replays from the last STATE it received, with the same config.
      const last = echoed.at(-1) ?? 0;
      const replay = await runConnector(sync.args, records(last, 900) + state(900), 30_000, {}, launcher());
      expect(ofType(replay.messages, "TRACE")).toEqual([]);
      expect(replay.exitCode).toBe(0);
      expect(ofType(replay.messages, "STATE").map(stateUpTo)).toEqual([900]);
      expect((await settled(sync.transactionalId)).state).toBe("CompleteCommit");

      // The crashed run's records 600..749 are in the log, aborted: read_uncommitted sees them twice.
      const uncommitted = (await readWithKcat(broker.bootstrap, sync.topic, "read_uncommitted")).data;
      expect(uncommitted).toHaveLength(1050);
      // read_committed sees each record exactly once, in order.
      expect(await committedIs(sync.topic)).toEqual(range(0, 900));
    },
    60_000,
  );

  it("a failing sync aborts its open transaction at once: nothing after the last commit is readable", async () => {
    const sync = transactionalSync();
    const result = await runConnector(
      sync.args,
      `${records(0, 10)}${state(10)}${records(10, 20)}{not json\n${state(20)}`,
    );
    expect(result.exitCode).toBe(1);
    expect(traceError(result.messages).message).toContain("Input line 22 cannot be written");
    expect(ofType(result.messages, "STATE").map(stateUpTo)).toEqual([10]);
    // Not left open until transaction_timeout_ms: read_committed readers can read on at once.
    expect((await settled(sync.transactionalId)).state).toBe("CompleteAbort");
    expect(await committedIs(sync.topic)).toEqual(range(0, 10));
    expect((await readWithKcat(broker.bootstrap, sync.topic, "read_uncommitted")).data).toHaveLength(20);
  }, 30_000);

  it("SIGTERM mid-transaction: exit 1, only committed STATEs, the open transaction aborted", async () => {
    const sync = transactionalSync();
    const live = startConnector(sync.args);
    live.write(records(0, 10) + state(10) + records(10, 20));
    await live.waitFor((m) => m.type === "STATE", 20_000);
    await waitUntil(
      async () => (await describeTransaction(broker.bootstrap, sync.transactionalId)).state === "Ongoing",
      10_000,
    );
    live.signal("SIGTERM");
    const result = await live.finished(20_000);
    expect(result.exitCode).toBe(1);
    expect(traceError(result.messages).message).toContain("interrupted");
    expect(ofType(result.messages, "STATE").map(stateUpTo)).toEqual([10]);
    expect((await settled(sync.transactionalId)).state).toBe("CompleteAbort");
    expect(await committedIs(sync.topic)).toEqual(range(0, 10));
  }, 30_000);

  it("a newer run with the same transactional_id fences the older one: TRACE, exit 1, no later STATE", async () => {
    const sync = transactionalSync();
    const older = startConnector(sync.args);
    older.write(records(0, 10) + state(10));
    await older.waitFor((m) => m.type === "STATE", 20_000);
    older.write(records(10, 20));
    await waitUntil(
      async () => (await describeTransaction(broker.bootstrap, sync.transactionalId)).state === "Ongoing",
      10_000,
    );

    const newer = await runConnector(sync.args, records(100, 105) + state(105), 30_000);
    expect(newer.exitCode).toBe(0);

    older.write(state(20));
    await older.end();
    const result = await older.finished(20_000);
    expect(result.exitCode).toBe(1);
    expect(ofType(result.messages, "STATE").map(stateUpTo)).toEqual([10]);
    const error = traceError(result.messages);
    expect(error.message).toContain("fenced");
    expect((await settled(sync.transactionalId)).state).toBe("CompleteCommit");
    // The older run's open transaction was aborted when the newer one started.
    expect(await committedIs(sync.topic)).toEqual([...range(0, 10), ...range(100, 105)]);
  }, 60_000);
});
