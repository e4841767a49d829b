/**
 * The soak (soak.ts), from the command line, writing its report (docs/SOAK.md by default). Not part
 * of `npm test`, which runs a 200k-record version (test/integration/soak.test.ts).
 *
 *   bun scripts/soak/run.ts [--records 10000000] [--modes idempotence,transactions]
 *                           [--kill-every 30] [--down 5] [--out docs/SOAK.md]
 *
 * Builds the connector for this machine into .cache/soak/, starts (or reuses) the 3-broker
 * cluster "soak", stops it at the end. Exits 1 when a run lost, duplicated or failed anything.
 */
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { describeMachine } from "../../bench/machine.ts";
import { buildBinary } from "../../build.ts";
import { stopCluster } from "../kafka/cluster.ts";
import { KAFKA_VERSION } from "../kafka/jars.ts";
import { CACHE_DIR, REPO_ROOT } from "../kafka/paths.ts";
import { renderSoakReport } from "./report.ts";
import { runSoak, type SoakMode, type SoakRun } from "./soak.ts";

const { values } = parseArgs({
  options: {
    records: { type: "string", default: "10000000" },
    modes: { type: "string", default: "idempotence,transactions" },
    "kill-every": { type: "string", default: "30" },
    down: { type: "string", default: "5" },
    out: { type: "string", default: "docs/SOAK.md" },
  },
});

const modes = (values.modes ?? "").split(",") as SoakMode[];
if (!modes.every((mode) => mode === "idempotence" || mode === "transactions")) {
  console.error("--modes: a comma-separated list of idempotence and transactions");
  process.exit(2);
}
const workDir = join(CACHE_DIR, "soak");
const CLUSTER = "soak";
const options = {
  records: Number(values.records),
  stateEvery: 10_000,
  modes,
  cluster: CLUSTER,
  partitions: 3,
  killEveryMs: Number(values["kill-every"]) * 1000,
  firstKillMs: Number(values["kill-every"]) * 1000,
  downMs: Number(values.down) * 1000,
  binary: await buildBinary("host", join(workDir, "destination-kafka")),
  workDir,
  timeoutMs: 120 * 60_000,
  log: (line: string) => console.error(`[soak] ${line}`),
};
const machine = describeMachine();
const date = new Date().toISOString().slice(0, 10);
let runs: SoakRun[];
try {
  runs = await runSoak(options);
} finally {
  await stopCluster(CLUSTER);
}
const out = resolve(REPO_ROOT, values.out ?? "docs/SOAK.md");
const command = `bun scripts/soak/run.ts --records ${options.records} --modes ${modes.join(",")} --kill-every ${values["kill-every"]} --down ${values.down}`;
await writeFile(
  out,
  renderSoakReport(runs, { options, machine, date, command, kafkaVersion: KAFKA_VERSION }),
);
console.error(`[soak] wrote ${out}`);
const bad = runs.filter(
  (run) =>
    run.exitCode !== 0 ||
    !run.statesInOrder ||
    run.readBacks[0]?.lost !== 0 ||
    run.readBacks[0]?.duplicates !== 0,
);
process.exit(bad.length === 0 ? 0 : 1);
