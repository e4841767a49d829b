/**
 * A broker whose disk fills mid-sync: its log directory is a small tmpfs (scripts/kafka/disk.ts),
 * its metadata log on the normal disk. The sync must fail with a TRACE and echo no STATE whose
 * records are not durable; once the disk has room again and the broker is back, every record of
 * every echoed STATE must be readable.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { brokerPaths } from "../../scripts/kafka/broker.ts";
import { nodeBrokerName, restartNode, startCluster, stopCluster } from "../../scripts/kafka/cluster.ts";
import { diskUsage, mountDisk, resizeDisk, type SmallDisk, unmountDisk } from "../../scripts/kafka/disk.ts";
import { jsonFile, ofType, startConnector, traceError } from "../helpers/connector.ts";
import { createTopic, readTopics, uniqueName } from "../helpers/kafka.ts";

const CLUSTER = "diskfull";
const NODE = nodeBrokerName(CLUSTER, 1);
const DISK_MIB = 32;
let disk: SmallDisk | undefined;
let bootstrap = "";

beforeAll(async () => {
  disk = await mountDisk(CLUSTER, DISK_MIB);
  const cluster = await startCluster({
    name: CLUSTER,
    nodes: 1,
    extraProperties: {
      "log.dirs": disk.dir,
      "metadata.log.dir": brokerPaths(NODE).data,
      // Segments roll often, as on a busy broker, so the disk fills across several of them.
      "log.segment.bytes": String(4 * 2 ** 20),
    },
  });
  bootstrap = cluster.bootstrap;
}, 180_000);

afterAll(async () => {
  try {
    await stopCluster(CLUSTER);
  } finally {
    if (disk) await unmountDisk(disk);
  }
}, 60_000);

const PAD = "x".repeat(1000);

/** Rounds `1..count` of `perRound` records of ~1 KB each (`data.i` numbers them), each ending in its STATE. */
function rounds(count: number, perRound: number): string {
  const lines: string[] = [];
  for (let r = 1; r <= count; r++) {
    for (let i = (r - 1) * perRound; i < r * perRound; i++)
      lines.push(`{"type":"RECORD","record":{"stream":"s","data":{"i":${i},"pad":"${PAD}"},"emitted_at":1}}`);
    lines.push(`{"type":"STATE","state":{"data":{"round":${r}}}}`);
  }
  return `${lines.join("\n")}\n`;
}

describe("a broker whose log directory fills mid-sync", () => {
  it("the sync fails with a TRACE, no STATE past the durable records, and nothing echoed is lost once there is room", async () => {
    if (!disk) throw new Error("the disk was not mounted");
    const topic = uniqueName("full");
    await createTopic(bootstrap, topic);
    const ROUNDS = 40;
    const PER_ROUND = 1000; // ~1 MiB a round: twice what the disk holds
    const live = startConnector([
      "write",
      "--config",
      jsonFile("config.json", {
        bootstrap_servers: bootstrap,
        topic_pattern: topic,
        acks: "all",
        enable_idempotence: true,
        request_timeout_ms: 5000,
        delivery_timeout_ms: 15000,
        socket_connection_setup_timeout_ms: "2000",
      }),
      "--catalog",
      jsonFile("catalog.json", { streams: [{ stream: { name: "s" }, destination_sync_mode: "append" }] }),
    ]);
    live.write(rounds(ROUNDS, PER_ROUND));
    await live.end();
    const result = await live.finished(90_000);
    const error = traceError(result.messages);
    const echoed = ofType(result.messages, "STATE").map(
      (m) => (m.state as { data: { round: number } }).data.round,
    );
    const full = await diskUsage(disk);
    const brokerLog = readFileSync(brokerPaths(NODE).log, "utf8");
    console.log(
      `[disk] ${DISK_MIB} MiB log dir: ${echoed.length} of ${ROUNDS} STATEs echoed, ${full.freeBytes} bytes left; TRACE ${error.failure_type}: ${error.message}`,
    );
    expect(brokerLog).toContain("No space left on device"); // the disk really filled
    expect(result.exitCode).toBe(1);
    expect(echoed).toEqual(Array.from({ length: echoed.length }, (_, k) => k + 1)); // in order, none skipped
    expect(echoed.length).toBeLessThan(ROUNDS);

    // Room again (as an operator freeing space), and the broker back on the same data.
    await resizeDisk(disk, 256);
    await restartNode(CLUSTER, 1, { timeoutMs: 60_000 });
    const landed = new Set(
      (await readTopics(bootstrap, [topic], 60_000)).map(
        (r) => JSON.parse(r.value)._airbyte_data.i as number,
      ),
    );
    const lost = Array.from({ length: echoed.length * PER_ROUND }, (_, i) => i).filter((i) => !landed.has(i));
    expect(lost).toEqual([]);
    console.log(`[disk] after the restart: ${landed.size} records readable, none of the echoed lost`);
  }, 180_000);
});
