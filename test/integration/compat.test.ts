/**
 * Broker compatibility on every run (issue 13): a KRaft release older than 3.9 and the newest 4.x,
 * both started at once through the harness and each used for every mode, with the cells of the
 * compatibility matrix (scripts/compat/round-trip.ts): `check` with a test_topic, then a `write` of
 * 1,000 records in each mode, read back by kcat: every record exactly once, byte for byte the
 * reference layout, the STATE covering them all. The whole matrix, 1.0.2 to 4.4.0, is
 * `npm run compat` (docs/COMPATIBILITY.md).
 */
import { beforeAll, describe, expect, it } from "bun:test";
import { COMPAT_MODES } from "../../scripts/compat/modes.ts";
import { checkCell, writeCell } from "../../scripts/compat/round-trip.ts";
import { ensureBroker } from "../../scripts/kafka/broker.ts";
import { assertLoopback } from "../../scripts/kafka/loopback.ts";

/** The last 3.7 (managed services and Confluent Platform 7.x run 3.5–3.7) and the newest 4.x on Maven Central. */
const VERSIONS = ["3.7.2", "4.4.0"] as const;
const RECORDS = 1_000;

const bootstraps = new Map<string, string>();

beforeAll(async () => {
  // A first run fetches both releases through Maven (~50 MB each) before they start.
  const handles = await Promise.all(
    VERSIONS.map((version) =>
      ensureBroker({ name: `compat-ci-${version}`, kafkaVersion: version, startTimeoutMs: 180_000 }),
    ),
  );
  handles.forEach((handle, i) => {
    assertLoopback(handle.bootstrap);
    bootstraps.set(VERSIONS[i] as string, handle.bootstrap);
  });
}, 600_000);

const bootstrapOf = (version: string): string => {
  const bootstrap = bootstraps.get(version);
  if (!bootstrap) throw new Error(`broker ${version} did not start`);
  return bootstrap;
};

describe.each(VERSIONS)("Kafka %s", (version) => {
  it("check contacts the broker and its test message can be read back", async () => {
    expect(await checkCell(bootstrapOf(version))).toBeNull();
  }, 90_000);

  it.each(COMPAT_MODES.map((mode) => [mode.label, mode] as const))(
    "write with %s lands every record exactly once, as sent, and echoes the STATE",
    async (_label, mode) => {
      const outcome = await writeCell(bootstrapOf(version), mode, RECORDS);
      expect(outcome).toEqual({
        exitCode: 0,
        error: null,
        failureType: null,
        states: 1,
        recordCount: RECORDS,
        landed: RECORDS,
        badValues: [],
      });
    },
    150_000,
  );
});
