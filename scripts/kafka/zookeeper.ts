/**
 * The ZooKeeper server a ZooKeeper-era broker (before 3.3: releases.ts) keeps its metadata in: the
 * one among the broker's own jars (`org.apache.zookeeper.server.ZooKeeperServerMain`), a detached
 * JVM bound to 127.0.0.1 with its admin server off, living in the broker's folder
 * (zookeeper.properties, zookeeper.log, zookeeper/). Ready once it answers the `srvr` command,
 * the one four-letter word every ZooKeeper release allows.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { type SpawnedJvm, spawnDetached, terminate } from "../jvm-process.ts";
import { renderProperties } from "./properties.ts";

export interface ZooKeeperFiles {
  properties: string;
  log: string;
  data: string;
}

const STOP_GRACE_MS = 10_000;

/** The files of the ZooKeeper that lives in broker folder `dir`. */
export function zookeeperFiles(dir: string): ZooKeeperFiles {
  return {
    properties: join(dir, "zookeeper.properties"),
    log: join(dir, "zookeeper.log"),
    data: join(dir, "zookeeper"),
  };
}

/** A standalone ZooKeeper on 127.0.0.1:`port`, nothing else listening (no admin server on 8080). */
export function zookeeperProperties(dataDir: string, port: number): Record<string, string> {
  return {
    dataDir,
    clientPort: String(port),
    clientPortAddress: "127.0.0.1",
    "admin.enableServer": "false",
    "4lw.commands.whitelist": "srvr",
    maxClientCnxns: "0",
  };
}

/**
 * Starts the ZooKeeper of broker folder `dir` on `port` with `java` and the broker's class path, and
 * resolves once it answers; on a timeout or an early exit it is stopped and this throws.
 */
export async function startZooKeeper(
  dir: string,
  port: number,
  runtime: { java: string; classPath: string; jvmFlags: readonly string[] },
  timeoutMs: number,
): Promise<SpawnedJvm> {
  const files = zookeeperFiles(dir);
  await mkdir(files.data, { recursive: true });
  await writeFile(files.properties, renderProperties(zookeeperProperties(files.data, port)));
  const args = [
    "-Xmx128m",
    "-XX:+UseSerialGC",
    ...runtime.jvmFlags,
    "-cp",
    runtime.classPath,
    "org.apache.zookeeper.server.ZooKeeperServerMain",
    files.properties,
  ];
  const jvm = await spawnDetached(runtime.java, args, dir, files.log);
  const deadline = Date.now() + timeoutMs;
  while (!(await answersSrvr(port))) {
    if (jvm.exit.reason !== null || Date.now() > deadline) {
      await stopZooKeeper(dir, jvm.pid);
      throw new Error(
        `ZooKeeper in ${dir} ${jvm.exit.reason ? `exited (${jvm.exit.reason})` : "did not answer in time"}; see ${files.log}`,
      );
    }
    await Bun.sleep(200);
  }
  return jvm;
}

/** Stops the ZooKeeper of broker folder `dir` (only if `pid` is still that JVM). */
export function stopZooKeeper(dir: string, pid: number): Promise<void> {
  return terminate(pid, zookeeperFiles(dir).properties, STOP_GRACE_MS);
}

// --- internal ---

/** True if 127.0.0.1:`port` answers `srvr` like a ZooKeeper server within a second. */
function answersSrvr(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    let reply = "";
    const socket = connect({ host: "127.0.0.1", port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("connect", () => socket.write("srvr\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
    });
    socket.once("end", () => done(reply.includes("Zookeeper version")));
    socket.once("error", () => done(false));
  });
}
