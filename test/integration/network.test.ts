/**
 * The network misbehaving rather than dying, between the connector (here) and a broker in a network
 * namespace of its own, bound only to the namespace's address (scripts/kafka/netns.ts: a veth
 * pair; latency through NFQUEUE, loss and blackholes through iptables, since this kernel has no
 * netem). Every sync is idempotent: each record must land exactly once, and every STATE echoed must
 * be covered by records in Kafka. A machine where namespaces cannot be made fails these tests.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { connect } from "node:net";
import { startCluster, stopCluster } from "../../scripts/kafka/cluster.ts";
import {
  type ActiveFault,
  applyFault,
  createNamespace,
  deleteNamespace,
  inNamespace,
  type NetworkFault,
  type NetworkNamespace,
} from "../../scripts/kafka/netns.ts";
import { jsonFile, ofType, runConnector, startConnector, traceError } from "../helpers/connector.ts";
import { createTopic, readTopics, uniqueName } from "../helpers/kafka.ts";

const CLUSTER = "netfaults";
let ns: NetworkNamespace | undefined;
let bootstrap = "";

beforeAll(async () => {
  ns = await createNamespace();
  bootstrap = (await startCluster({ name: CLUSTER, nodes: 1, netns: ns })).bootstrap;
}, 180_000);

afterAll(async () => {
  try {
    await stopCluster(CLUSTER);
  } finally {
    if (ns) await deleteNamespace(ns);
  }
}, 60_000);

/** Idempotent writes that ride out a blackhole of up to a minute (delivery_timeout_ms). */
const PATIENT = {
  acks: "all",
  enable_idempotence: true,
  request_timeout_ms: 5000,
  delivery_timeout_ms: 60000,
  socket_connection_setup_timeout_ms: "2000",
};

const writeArgs = (topic: string, settings: Record<string, unknown>) => [
  "write",
  "--config",
  jsonFile("config.json", { bootstrap_servers: bootstrap, topic_pattern: topic, ...settings }),
  "--catalog",
  jsonFile("catalog.json", { streams: [{ stream: { name: "s" }, destination_sync_mode: "append" }] }),
];

/** Rounds `first`..`last` of `perRound` records each (`data.i` numbers them from 0), each ending in its STATE. */
function rounds(first: number, last: number, perRound: number): string {
  let text = "";
  for (let r = first; r <= last; r++) {
    for (let i = (r - 1) * perRound; i < r * perRound; i++)
      text += `{"type":"RECORD","record":{"stream":"s","data":{"i":${i}},"emitted_at":1}}\n`;
    text += `{"type":"STATE","state":{"data":{"round":${r}}}}\n`;
  }
  return text;
}

const roundsOf = (messages: Record<string, unknown>[]) =>
  ofType(messages, "STATE").map((m) => (m.state as { data: { round: number } }).data.round);

const stateOfRound = (round: number) => (m: Record<string, unknown>) =>
  m.type === "STATE" && (m.state as { data?: { round?: number } }).data?.round === round;

const range = (count: number) => [...Array(count).keys()];

/** A new 3-partition topic on the namespace's broker. */
async function newTopic(prefix: string): Promise<string> {
  const topic = uniqueName(prefix);
  await createTopic(bootstrap, topic, {}, { partitions: 3, replicas: 1 });
  return topic;
}

/** The record numbers in `topic`, sorted: each once when nothing was lost or written twice. */
async function landed(topic: string): Promise<number[]> {
  const records = await readTopics(bootstrap, [topic], 60_000);
  return records.map((r) => JSON.parse(r.value)._airbyte_data.i as number).sort((a, b) => a - b);
}

/** How long a TCP connection to the broker takes to open. */
function connectMs(): Promise<number> {
  const [host, port] = bootstrap.split(":");
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect({ host, port: Number(port) }, () => {
      socket.destroy();
      resolve(performance.now() - started);
    });
    socket.once("error", reject);
  });
}

/** Runs `body` with `fault` applied, and removes it afterwards whatever happens. */
async function withFault<T>(fault: NetworkFault, body: (active: ActiveFault) => Promise<T>): Promise<T> {
  if (!ns) throw new Error("the namespace was not made");
  const active = await applyFault(ns, fault);
  try {
    return await body(active);
  } finally {
    await active.clear();
  }
}

describe("network faults between the connector and a broker in its own network namespace", () => {
  it("the broker listens only on the namespace's own address", async () => {
    if (!ns) throw new Error("the namespace was not made");
    const listening = await Bun.$`${inNamespace(ns)} ss -Hltn`.text();
    const addresses = listening
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) =>
        line
          .trim()
          .split(/\s+/)[3]
          ?.replace(/:\d+$/, "")
          .replace(/^\[::ffff:(.*)\]$/, "$1"),
      );
    expect(addresses.length).toBeGreaterThanOrEqual(2); // the client and controller listeners
    expect(new Set(addresses)).toEqual(new Set([ns.address]));
  });

  it.each<[string, NetworkFault]>([
    ["200 ms latency", { kind: "latency", delayMs: 200 }],
    ["5 % packet loss each way", { kind: "loss", percent: 5 }],
  ])(
    "%s: every record lands once and every STATE is echoed",
    async (label, fault) => {
      const topic = await newTopic("net");
      const ROUNDS = 10;
      const PER_ROUND = 2000;
      const { result, seconds, taken } = await withFault(fault, async (active) => {
        if (fault.kind === "latency") expect(await connectMs()).toBeGreaterThanOrEqual(fault.delayMs - 10);
        const started = performance.now();
        const result = await runConnector(writeArgs(topic, PATIENT), rounds(1, ROUNDS, PER_ROUND), 120_000);
        return { result, seconds: (performance.now() - started) / 1000, taken: await active.packetsTaken() };
      });
      expect(ofType(result.messages, "TRACE")).toEqual([]);
      expect(result.exitCode).toBe(0);
      expect(roundsOf(result.messages)).toEqual(range(ROUNDS).map((r) => r + 1));
      expect(taken).toBeGreaterThan(100); // the fault did take packets: hundreds of them
      expect(await landed(topic)).toEqual(range(ROUNDS * PER_ROUND));
      console.log(
        `[network] ${label}: ${ROUNDS * PER_ROUND} records in ${seconds.toFixed(1)} s, ${taken} packets ${fault.kind === "latency" ? "delayed" : "dropped"}`,
      );
    },
    150_000,
  );

  it("a 30 s blackhole, shorter than delivery_timeout_ms: STATEs wait, then the sync completes, each record once", async () => {
    const topic = await newTopic("hole");
    const live = startConnector(writeArgs(topic, PATIENT));
    live.write(rounds(1, 1, 2000));
    await live.waitFor(stateOfRound(1), 30_000);
    const HOLE_MS = 30_000;
    const { cut, dropped } = await withFault({ kind: "blackhole" }, async (active) => {
      const cut = performance.now();
      live.write(rounds(2, 2, 2000));
      // No packet passes: nothing can be acknowledged, so round 2's STATE must not come out.
      const early = await live.waitFor(stateOfRound(2), HOLE_MS - 1000).catch(() => undefined);
      expect(early).toBeUndefined();
      await Bun.sleep(Math.max(0, cut + HOLE_MS - performance.now()));
      return { cut, dropped: await active.packetsTaken() };
    });
    const healed = performance.now();
    await live.waitFor(stateOfRound(2), 30_000);
    const recoveredMs = performance.now() - healed;
    live.write(rounds(3, 3, 2000));
    await live.end();
    const result = await live.finished(60_000);
    expect(ofType(result.messages, "TRACE")).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(roundsOf(result.messages)).toEqual([1, 2, 3]);
    expect(dropped).toBeGreaterThan(0);
    expect(await landed(topic)).toEqual(range(6000));
    console.log(
      `[network] blackhole of ${((healed - cut) / 1000).toFixed(1)} s: ${dropped} packets dropped, round 2's STATE ${recoveredMs.toFixed(0)} ms after the network came back`,
    );
  }, 150_000);

  it("a blackhole longer than delivery_timeout_ms: a transient_error TRACE within it plus a few seconds, every echoed STATE covered", async () => {
    const topic = await newTopic("longhole");
    const DELIVERY_TIMEOUT_MS = 15_000;
    const live = startConnector(writeArgs(topic, { ...PATIENT, delivery_timeout_ms: DELIVERY_TIMEOUT_MS }));
    live.write(rounds(1, 1, 1000));
    await live.waitFor(stateOfRound(1), 30_000);
    const { result, elapsedMs } = await withFault({ kind: "blackhole" }, async () => {
      const cut = performance.now();
      live.write(rounds(2, 2, 1000));
      await live.end();
      const result = await live.finished(DELIVERY_TIMEOUT_MS + 30_000);
      return { result, elapsedMs: performance.now() - cut };
    });
    const error = traceError(result.messages);
    console.log(
      `[network] blackhole past delivery_timeout_ms (${DELIVERY_TIMEOUT_MS} ms): TRACE after ${elapsedMs.toFixed(0)} ms: ${error.message}`,
    );
    expect(result.exitCode).toBe(1);
    expect(error.failure_type).toBe("transient_error");
    expect(roundsOf(result.messages)).toEqual([1]);
    // Round 2 was sent after the cut. Its retries stop once another request (request_timeout_ms
    // after a backoff of up to 1 s) could not end before its delivery_timeout_ms, so that the error
    // names the cause; never sooner (src/kafka/wire/producer.ts).
    expect(elapsedMs).toBeGreaterThanOrEqual(DELIVERY_TIMEOUT_MS - PATIENT.request_timeout_ms - 1000);
    expect(elapsedMs).toBeLessThan(DELIVERY_TIMEOUT_MS + 5_000);
    // STATE 1 was echoed: its records are all in Kafka.
    expect((await landed(topic)).filter((i) => i < 1000)).toEqual(range(1000));
  }, 90_000);
});
