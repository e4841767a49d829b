/**
 * The Airbyte image without a Docker engine: scripts/image/rootfs.ts assembles the tree the
 * Dockerfile's `FROM scratch` stage copies, this test holds the Dockerfile's own ENTRYPOINT, ENV,
 * USER, WORKDIR and LABEL against that tree, then runs the connector inside it under chroot, as
 * the image's non-root user, through `sh -c 'eval "$AIRBYTE_ENTRYPOINT …"'` as Airbyte on
 * Kubernetes does: spec, check, and a write fed on stdin whose records are read back from Kafka.
 * Needs root (chroot, mount) and busybox-static, which it installs with apt-get when missing.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { ensureDebianPackages } from "../../scripts/image/deps.ts";
import { assembleRootfs, IMAGE, type Rootfs } from "../../scripts/image/rootfs.ts";
import { RUNTIME_ENV } from "../../scripts/image/runtime-env.ts";
import { connectionStatus, ofType } from "../helpers/connector.ts";
import { type TestBroker, testBroker } from "../helpers/kafka.ts";
import { hostBinary } from "./binary.ts";
import { inChroot } from "./chroot.ts";
import { type ImageConfig, imageConfig, readStages, type Stage } from "./dockerfile.ts";
import { removeTree, scratchDir } from "./scratch.ts";
import { expectLanded, smallSync, writeSyncFiles } from "./sync.ts";

const REPO = resolve(import.meta.dir, "../..");
/** What Docker puts in PATH when the image sets none. */
const DOCKER_DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

let broker: TestBroker;
let rootfs: Rootfs;
let stages: Stage[];
let image: ImageConfig;
let account: { uid: number; gid: number; home: string };

beforeAll(async () => {
  stages = readStages(join(REPO, "Dockerfile"));
  const final = stages.at(-1);
  if (!final) throw new Error("the Dockerfile has no stage");
  image = imageConfig(final);
  await ensureDebianPackages(["busybox-static", "ca-certificates"]);
  const [started, binary] = await Promise.all([testBroker(), hostBinary()]);
  broker = started;
  rootfs = await assembleRootfs(binary, await scratchDir("rootfs"));
  account = passwdEntry(image.user ?? "root");
}, 300_000);

afterAll(async () => {
  if (rootfs) await removeTree(rootfs.root);
});

/** Runs `script` inside the image as a container runtime would start it. */
const container = (script: string, stdin = "") =>
  inChroot({
    root: rootfs.root,
    userspec: `${image.user}:${image.user}`,
    env: { PATH: DOCKER_DEFAULT_PATH, HOME: account.home, ...image.env },
    workdir: image.workdir ?? "/",
    script,
    stdin,
  });

describe("the Dockerfile and the root filesystem agree", () => {
  it("the final stage is FROM scratch plus exactly the tree rootfs.ts assembles", () => {
    expect(image.from).toBe("scratch");
    const final = stages.at(-1)?.instructions.filter((i) => ["COPY", "ADD", "RUN"].includes(i.keyword));
    expect(final).toEqual([{ keyword: "COPY", args: "--from=rootfs /rootfs/ /" }]);
    const assemble = stages.find((stage) => stage.name === "rootfs")?.instructions.at(-1);
    expect(assemble?.args).toMatch(/^bun scripts\/image\/rootfs\.ts .*--out \/rootfs$/);
  });

  it("AIRBYTE_ENTRYPOINT is the ENTRYPOINT, an absolute path to an executable in the tree", () => {
    expect(image.entrypoint).toEqual([IMAGE.binary]);
    expect(image.env.AIRBYTE_ENTRYPOINT).toBe(image.entrypoint.join(" "));
    const binary = statSync(join(rootfs.root, IMAGE.binary));
    expect(binary.mode & 0o111).toBe(0o111);
  });

  it("sets the runtime environment the benchmark measures the binary with", () => {
    expect(image.env).toMatchObject(RUNTIME_ENV);
  });

  it("USER is airbyte, a non-root user of the tree whose home is the WORKDIR /airbyte, which it owns", () => {
    expect(image.user).toBe("airbyte");
    expect(account.uid).not.toBe(0);
    expect(account.home).toBe("/airbyte");
    expect(image.workdir).toBe("/airbyte");
    const home = statSync(join(rootfs.root, "/airbyte"));
    expect({
      dir: home.isDirectory(),
      uid: home.uid,
      gid: home.gid,
      ownerWrites: (home.mode & 0o200) !== 0,
    }).toEqual({ dir: true, uid: account.uid, gid: account.gid, ownerWrites: true });
  });

  it("labels name the connector and carry package.json's version", () => {
    expect(image.labels).toEqual({
      "io.airbyte.name": "airbyte/destination-kafka",
      "io.airbyte.version": pkg.version,
    });
  });

  it("the tree holds the binary, its libraries, sh and a few small files: nothing else", () => {
    const files = walk(rootfs.root).sort();
    const expected = [...rootfs.entries.map((entry) => entry.path), IMAGE.shell].sort();
    expect(files).toEqual(expected);
    expect(rootfs.libraries.length).toBeGreaterThan(0);
    for (const library of rootfs.libraries) expect(files).toContain(library);
    const binaryBytes = statSync(join(rootfs.root, IMAGE.binary)).size;
    expect(rootfs.totalBytes - binaryBytes).toBeLessThan(8 * 2 ** 20);
  });
});

describe("inside the image, as Airbyte starts it", () => {
  it("runs as the airbyte user, who can write /airbyte and nothing of the system", async () => {
    const result = await container("echo probe > /airbyte/probe && echo x > /usr/local/bin/x");
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain("can't create /usr/local/bin/x: Permission denied");
    const probe = statSync(join(rootfs.root, "airbyte/probe"));
    expect([probe.uid, probe.gid]).toEqual([account.uid, account.gid]);
    expect(existsSync(join(rootfs.root, "usr/local/bin/x"))).toBe(false);
  });

  it('answers spec through sh: eval "$AIRBYTE_ENTRYPOINT spec"', async () => {
    const { exitCode, messages, stderr } = await container('eval "$AIRBYTE_ENTRYPOINT spec"');
    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: "" });
    expect(ofType(messages, "SPEC")).toHaveLength(1);
  });

  it("checks a real broker", async () => {
    const files = filesInImage(smallSync(broker.bootstrap));
    const { exitCode, messages } = await container(
      `eval "$AIRBYTE_ENTRYPOINT check --config ${files.config}"`,
    );
    expect(exitCode).toBe(0);
    expect(connectionStatus(messages)).toEqual({ status: "SUCCEEDED" });
  });

  it("writes what it reads on stdin, and the records land in Kafka", async () => {
    const sync = smallSync(broker.bootstrap, { compression_type: "lz4" });
    const files = filesInImage(sync);
    const result = await container(
      `eval "$AIRBYTE_ENTRYPOINT write --config ${files.config} --catalog ${files.catalog}"`,
      sync.input,
    );
    await expectLanded(broker.bootstrap, sync, result);
  });
});

// --- internal ---

function passwdEntry(user: string) {
  const line = readFileSync(join(rootfs.root, "etc/passwd"), "utf8")
    .split("\n")
    .find((entry) => entry.split(":")[0] === user);
  if (!line) throw new Error(`USER ${user} is not in the image's /etc/passwd`);
  const [, , uid, gid, , home] = line.split(":");
  return { uid: Number(uid), gid: Number(gid), home: home ?? "" };
}

/** Puts the sync's files where Airbyte mounts them for the connector (absolute paths inside the image). */
function filesInImage(sync: ReturnType<typeof smallSync>) {
  const dir = join(rootfs.root, "airbyte/config");
  mkdirSync(dir, { recursive: true });
  chownSync(dir, account.uid, account.gid);
  const names = writeSyncFiles(dir, sync);
  return { config: `/airbyte/config/${names.config}`, catalog: `/airbyte/config/${names.catalog}` };
}

/** Every non-directory path in the tree, as image paths; skips /proc and what the tests wrote in /airbyte. */
function walk(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const imagePath = `/${relative(root, path)}`;
    if (imagePath === "/proc" || imagePath === "/airbyte") continue;
    if (entry.isDirectory()) out.push(...walk(root, path));
    else out.push(imagePath);
  }
  return out;
}
