/** The soak's report, docs/SOAK.md: what ran, what was read back, and the connector's RSS over time. */
import type { Machine } from "../../bench/machine.ts";
import type { RssPoint, SoakOptions, SoakRun } from "./soak.ts";

export interface SoakContext {
  options: Pick<
    SoakOptions,
    "records" | "stateEvery" | "partitions" | "killEveryMs" | "downMs" | "firstKillMs"
  >;
  machine: Machine;
  date: string;
  command: string;
  kafkaVersion: string;
}

/**
 * RSS in ten equal slices of the run: the median of each slice's samples (a slice too short to
 * hold one takes the last sample before its end).
 */
export function rssDeciles(rss: RssPoint[]): number[] {
  const end = rss.at(-1)?.tMs ?? 0;
  return Array.from({ length: 10 }, (_, d) => {
    const until = (end * (d + 1)) / 10;
    const slice = rss
      .filter((p) => p.tMs >= (end * d) / 10 && p.tMs <= until)
      .map((p) => p.mib)
      .sort((a, b) => a - b);
    return slice[Math.floor(slice.length / 2)] ?? rss.filter((p) => p.tMs <= until).at(-1)?.mib ?? Number.NaN;
  });
}

/** MiB the median RSS grew from the second tenth of the run (after warm-up) to the last. */
export function rssGrowthMiB(rss: RssPoint[]): number {
  const deciles = rssDeciles(rss);
  return (deciles[9] ?? Number.NaN) - (deciles[1] ?? Number.NaN);
}

export function renderSoakReport(runs: SoakRun[], context: SoakContext): string {
  const { options, machine } = context;
  const mib = (n: number) => n.toFixed(0);
  const lines = [
    "# Soak",
    "",
    `Measured ${context.date} with \`${context.command}\` (scripts/soak/): ${options.records.toLocaleString("en-US")} records per mode (~150 bytes, a STATE every ${options.stateEvery.toLocaleString("en-US")}) from a file into the compiled connector, writing to a 3-broker Apache Kafka ${context.kafkaVersion} cluster on this machine (KRaft, every node a broker and a controller; a topic of ${options.partitions} partitions, replication factor 3, \`min.insync.replicas=2\`). The connector's config is its defaults plus the mode's settings. From ${options.firstKillMs / 1000} s in, every ~${options.killEveryMs / 1000} s, once every partition's ISR is whole again, the leader of the next partition is killed (SIGKILL) and started again ${options.downMs / 1000} s later.`,
    "",
    `Machine: ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGB} GB, ${machine.os}, kernel ${machine.kernel}; load average ${machine.loadAverage.join(", ")} at the start (the brokers run on the same cores).`,
    "",
    "Read back with kcat (librdkafka), an independent consumer: with idempotence every record must be there exactly once; with transactions a `read_committed` reader must see each exactly once (a `read_uncommitted` one also sees the copies of aborted transactions).",
    "",
    "| mode | exit | wall | records/s | leader kills | STATEs (in order) | read back as | read | lost | duplicates | connector RSS: 2nd tenth → last tenth (median), peak |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const run of runs) {
    const deciles = rssDeciles(run.rss);
    const peak = Math.max(...run.rss.map((p) => p.mib));
    run.readBacks.forEach((back, k) => {
      const first = k === 0;
      lines.push(
        `| ${first ? run.mode : ""} | ${first ? String(run.exitCode) : ""} | ${first ? `${(run.wallMs / 1000).toFixed(0)} s` : ""} | ${first ? Math.round(run.records / (run.wallMs / 1000)).toLocaleString("en-US") : ""} | ${first ? run.kills.length : ""} | ${first ? `${run.states.toLocaleString("en-US")} (${run.statesInOrder ? "yes" : "no"})` : ""} | ${back.isolation} | ${back.read.toLocaleString("en-US")} | ${back.lost} | ${back.duplicates.toLocaleString("en-US")} | ${first ? `${mib(deciles[1] ?? Number.NaN)} → ${mib(deciles[9] ?? Number.NaN)} MiB, ${mib(peak)} MiB` : ""} |`,
      );
    });
  }
  for (const run of runs) {
    lines.push("", `## ${run.mode}`, "");
    if (run.trace) lines.push(`The sync failed: ${run.trace}`, "");
    lines.push(
      `${(run.wallMs / 1000).toFixed(0)} s, ${run.cpuSeconds.toFixed(0)} CPU seconds of the connector. RSS (MiB), median of each tenth of the run: ${rssDeciles(
        run.rss,
      )
        .map((value) => mib(value))
        .join(", ")} (growth from the second tenth to the last: ${rssGrowthMiB(run.rss).toFixed(0)} MiB).`,
      "",
      "| kill | at | node | partition it led | down until rejoined |",
      "|---|---|---|---|---|",
      ...run.kills.map(
        (kill, k) =>
          `| ${k + 1} | ${(kill.atMs / 1000).toFixed(0)} s | ${kill.node} | ${kill.partition} | ${(kill.downMs / 1000).toFixed(1)} s |`,
      ),
    );
  }
  return `${lines.join("\n")}\n`;
}
