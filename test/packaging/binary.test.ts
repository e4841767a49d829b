/**
 * The standalone binary, as shipped: copied alone into an empty folder and run with an empty
 * environment (`env -i`), it answers spec, check and write against a real broker, with every
 * compression codec, and ignores a .env or bunfig.toml beside it.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { connectionStatus, ofType, type RunResult } from "../helpers/connector.ts";
import { type TestBroker, testBroker } from "../helpers/kafka.ts";
import { hostBinary } from "./binary.ts";
import { runProcess } from "./process.ts";
import { storedCodecs } from "./segments.ts";
import { expectLanded, smallSync, writeSyncFiles } from "./sync.ts";

let broker: TestBroker;
let dir: string;

beforeAll(async () => {
  const [started, binary] = await Promise.all([testBroker(), hostBinary()]);
  broker = started;
  dir = mkdtempSync(join(tmpdir(), "dk-bare-"));
  copyFileSync(binary, join(dir, "destination-kafka"));
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `env -i ./destination-kafka …` in the folder that holds only the binary and the test's files. */
const bare = (args: string[], stdin = "", extraEnv: string[] = []): Promise<RunResult> =>
  runProcess(["/usr/bin/env", "-i", ...extraEnv, "./destination-kafka", ...args], { cwd: dir, stdin });

describe("the binary in an empty folder with an empty environment", () => {
  it("needs nothing beside it", () => {
    expect(readdirSync(dir)).toEqual(["destination-kafka"]);
  });

  it("prints the package version", () => {
    const child = Bun.spawnSync(["/usr/bin/env", "-i", "./destination-kafka", "--version"], {
      cwd: dir,
      timeout: 30_000,
    });
    expect(child.stdout.toString().trim()).toBe(pkg.version);
  });

  it("answers spec", async () => {
    const { exitCode, messages } = await bare(["spec"]);
    expect(exitCode).toBe(0);
    const [spec] = ofType(messages, "SPEC") as {
      spec: { connectionSpecification: { required: string[] } };
    }[];
    expect(spec?.spec.connectionSpecification.required).toContain("bootstrap_servers");
  });

  it("checks a real broker", async () => {
    const sync = smallSync(broker.bootstrap);
    const files = writeSyncFiles(dir, sync);
    const { exitCode, messages } = await bare(["check", "--config", files.config]);
    expect(exitCode).toBe(0);
    expect(connectionStatus(messages)).toEqual({ status: "SUCCEEDED" });
  });

  for (const codec of ["none", "gzip", "snappy", "lz4", "zstd"]) {
    it(`writes records compressed with ${codec} that read back`, async () => {
      const sync = smallSync(broker.bootstrap, { compression_type: codec });
      const files = writeSyncFiles(dir, sync);
      const result = await bare(["write", "--config", files.config, "--catalog", files.catalog], sync.input);
      await expectLanded(broker.bootstrap, sync, result);
      expect(storedCodecs(broker.name, sync.topic)).toEqual([codec]);
    });
  }
});

describe("no autoloading", () => {
  // The Kafka client logs to stderr when DEBUG names it: a variable that visibly changes a run.
  const DEBUG = "DEBUG=plt:kafka:*";

  it("a DEBUG variable in the real environment does change the run (the control)", async () => {
    const files = writeSyncFiles(dir, smallSync(broker.bootstrap));
    const { stderr } = await bare(["check", "--config", files.config], "", [DEBUG]);
    expect(stderr).toContain("plt:kafka");
  });

  it("the same variable in a .env, and a bunfig.toml preload, beside the binary change nothing", async () => {
    const files = writeSyncFiles(dir, smallSync(broker.bootstrap));
    writeFileSync(join(dir, ".env"), `${DEBUG}\n`);
    writeFileSync(join(dir, "preload.js"), 'console.error("bunfig preload ran");\n');
    writeFileSync(join(dir, "bunfig.toml"), 'preload = ["./preload.js"]\n');
    try {
      const check = await bare(["check", "--config", files.config]);
      expect(check.stderr).toBe("");
      expect(connectionStatus(check.messages)).toEqual({ status: "SUCCEEDED" });
      const spec = await bare(["spec"]);
      expect(spec.stderr).toBe("");
    } finally {
      for (const name of [".env", "preload.js", "bunfig.toml"]) rmSync(join(dir, name), { force: true });
    }
  });
});
