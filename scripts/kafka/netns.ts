/**
 * Network namespaces for network-fault tests: a namespace joined to this one by a veth pair, with
 * addresses from 198.18.0.0/15 (RFC 2544's benchmarking range, never a real network), so a broker
 * started inside (cluster.ts `netns`) binds only to the namespace's own address and every packet
 * between it and the connector crosses the pair, where the faults are applied:
 *
 *   latency    packets into the namespace wait `delayMs` (RTT + delayMs), as `netem delay` on this
 *              side's end of the pair; held by nfqueue-delay.py through an iptables NFQUEUE rule
 *   loss       `percent` % of packets dropped at random, in each direction (iptables statistic)
 *   blackhole  every packet dropped, both ways
 *
 * Why not `tc netem`: this machine's kernel is built without sch_netem (and without nftables'
 * queue expression); it has network namespaces, veth, and iptables with NFQUEUE and statistic.
 * When the kernel refuses a namespace or a rule, the call throws saying so: a fault test then
 * fails, it never passes without its fault.
 *
 * Each namespace is described in `.cache/netns/<name>.json` with the pid of the process that made
 * it, so loopback.ts lets its address through, and a namespace whose maker is gone (a test run
 * that was killed) is deleted by `removeStaleNamespaces`, which the next `createNamespace` and the
 * test runner's end call. Needs root; installs iproute2 and iptables with apt-get when missing.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ensureDebianPackages } from "../image/deps.ts";
import { run } from "../image/run.ts";
import { isRunning } from "../jvm-process.ts";
import { NETNS_DIR } from "./paths.ts";

export interface NetworkNamespace {
  name: string;
  /** The namespace's own address (its end of the pair): brokers inside bind only to it. */
  address: string;
  /** This side's address of the pair. */
  hostAddress: string;
  /** This side's end of the pair. */
  hostDevice: string;
  /** The namespace's end of the pair. */
  device: string;
}

export type NetworkFault =
  | { kind: "latency"; delayMs: number }
  | { kind: "loss"; percent: number }
  | { kind: "blackhole" };

export interface ActiveFault {
  /** Packets the fault's rules have taken so far (held or dropped): proof that it is in effect. */
  packetsTaken(): Promise<number>;
  /** Removes the fault; packets held for latency are let go first. */
  clear(): Promise<void>;
}

/** The command prefix that runs a program inside `ns`. */
export const inNamespace = (ns: Pick<NetworkNamespace, "name">): string[] => ["ip", "netns", "exec", ns.name];

/**
 * A new namespace joined to this one by a veth pair, up and addressed. Throws, naming the command
 * and the kernel's answer, when namespaces or veth pairs are not available.
 */
export async function createNamespace(): Promise<NetworkNamespace> {
  await ensureNetworkTools();
  await removeStaleNamespaces();
  const index = await freeIndex();
  const ns = namespaceAt(index);
  await mkdir(NETNS_DIR, { recursive: true });
  await writeFile(descriptionFile(ns.name), `${JSON.stringify({ ...ns, pid: process.pid }, null, 2)}\n`);
  try {
    await run(["ip", "netns", "add", ns.name]);
    await run([
      "ip",
      "link",
      "add",
      ns.hostDevice,
      "type",
      "veth",
      "peer",
      "name",
      ns.device,
      "netns",
      ns.name,
    ]);
    await run(["ip", "addr", "add", `${ns.hostAddress}/30`, "dev", ns.hostDevice]);
    await run(["ip", "link", "set", ns.hostDevice, "up", ...WIRE_SIZED]);
    const inside = inNamespace(ns);
    await run([...inside, "ip", "addr", "add", `${ns.address}/30`, "dev", ns.device]);
    await run([...inside, "ip", "link", "set", ns.device, "up", ...WIRE_SIZED]);
    await run([...inside, "ip", "link", "set", "lo", "up"]);
  } catch (error) {
    await deleteNamespace(ns);
    throw new Error(
      `network namespaces are not available here (the network-fault tests need them): ${(error as Error).message}`,
    );
  }
  return ns;
}

/** Ends every process still inside `ns`, deletes it (and with it the pair) and its description. */
export async function deleteNamespace(ns: Pick<NetworkNamespace, "name" | "hostDevice">): Promise<void> {
  if (existsSync(`/run/netns/${ns.name}`)) {
    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
      const pids = await namespacePids(ns.name);
      for (const pid of pids) process.kill(pid, signal);
      const deadline = Date.now() + 5_000;
      while (pids.some(isRunning) && Date.now() < deadline) await Bun.sleep(100);
    }
    await run(["ip", "netns", "del", ns.name]);
  }
  await run(["ip", "link", "del", ns.hostDevice]).catch(() => undefined); // already gone with its peer
  await rm(descriptionFile(ns.name), { force: true });
}

/** Deletes the namespaces whose maker has exited (a run that was killed or did not clean up). */
export async function removeStaleNamespaces(): Promise<void> {
  if (!existsSync(NETNS_DIR)) return;
  for (const file of readdirSync(NETNS_DIR).filter((name) => name.endsWith(".json"))) {
    const described = readDescription(join(NETNS_DIR, file));
    if (described && !isRunning(described.pid)) await deleteNamespace(described);
  }
}

/** Applies `fault` to the traffic between this namespace and `ns`. One fault at a time. */
export async function applyFault(ns: NetworkNamespace, fault: NetworkFault): Promise<ActiveFault> {
  const iptables = [...inNamespace(ns), "iptables-legacy", "-w"];
  const added: string[][] = [];
  const add = async (rule: string[]) => {
    await run([...iptables, "-A", ...rule]);
    added.push(rule);
  };
  let delayer: { stop(): Promise<void> } | undefined;
  try {
    switch (fault.kind) {
      case "latency":
        delayer = await startDelayer(ns, fault.delayMs);
        await add(["INPUT", "-i", ns.device, "-j", "NFQUEUE", "--queue-num", String(DELAY_QUEUE)]);
        break;
      case "loss": {
        const random = ["-m", "statistic", "--mode", "random", "--probability", String(fault.percent / 100)];
        await add(["INPUT", "-i", ns.device, ...random, "-j", "DROP"]);
        await add(["OUTPUT", "-o", ns.device, ...random, "-j", "DROP"]);
        break;
      }
      case "blackhole":
        await add(["INPUT", "-i", ns.device, "-j", "DROP"]);
        await add(["OUTPUT", "-o", ns.device, "-j", "DROP"]);
        break;
    }
  } catch (error) {
    for (const rule of added) await run([...iptables, "-D", ...rule]).catch(() => undefined);
    await delayer?.stop();
    throw new Error(`could not apply ${fault.kind} in namespace ${ns.name}: ${(error as Error).message}`);
  }
  return {
    packetsTaken: async () => {
      // `iptables-save -c` prints each rule as `[packets:bytes] -A CHAIN ...`.
      const saved = await run([...inNamespace(ns), "iptables-legacy-save", "-c"]);
      return [...saved.matchAll(/^\[(\d+):\d+\] -A (?:INPUT|OUTPUT) /gm)].reduce(
        (sum, match) => sum + Number(match[1]),
        0,
      );
    },
    clear: async () => {
      for (const rule of added) await run([...iptables, "-D", ...rule]);
      if (fault.kind === "latency") await Bun.sleep(fault.delayMs + 100); // the held packets leave
      await delayer?.stop();
    },
  };
}

// --- internal ---

const PREFIX = "dkf";
/**
 * No segmentation offload on the pair: TCP hands it packets of one MSS, as a wire carries them,
 * rather than 64 KiB ones, so "5 % of packets" and a delay per packet mean what they do on a network.
 */
const WIRE_SIZED = ["gso_max_size", "1500", "gso_max_segs", "1"];
const DELAY_QUEUE = 0;
const DELAYER = join(import.meta.dir, "nfqueue-delay.py");

const descriptionFile = (name: string) => join(NETNS_DIR, `${name}.json`);

/** Namespace `index` (0–255): 198.18.<index>.0/30, devices `dkf<index>h` here and `dkf<index>n` inside. */
function namespaceAt(index: number): NetworkNamespace {
  return {
    name: `${PREFIX}-${index}`,
    address: `198.18.${index}.2`,
    hostAddress: `198.18.${index}.1`,
    hostDevice: `${PREFIX}${index}h`,
    device: `${PREFIX}${index}n`,
  };
}

function readDescription(file: string): (NetworkNamespace & { pid: number }) | null {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    if (typeof parsed.name !== "string" || typeof parsed.pid !== "number") return null;
    const index = Number(/^dkf-(\d+)$/.exec(parsed.name)?.[1]);
    return Number.isInteger(index) ? { ...namespaceAt(index), pid: parsed.pid } : null;
  } catch {
    return null;
  }
}

/** The first index with no namespace, no description and no address of ours on this side. */
async function freeIndex(): Promise<number> {
  const addresses = await run(["ip", "-4", "-o", "addr", "show"]);
  for (let index = 0; index < 256; index++) {
    const ns = namespaceAt(index);
    if (existsSync(`/run/netns/${ns.name}`) || existsSync(descriptionFile(ns.name))) continue;
    if (addresses.includes(` 198.18.${index}.`)) continue;
    return index;
  }
  throw new Error("no free namespace index (198.18.0.0/24 … 198.18.255.0/24 are all in use)");
}

async function namespacePids(name: string): Promise<number[]> {
  const listed = await run(["ip", "netns", "pids", name]);
  return listed
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid !== process.pid);
}

/** iproute2 and iptables from apt-get when missing, and python3 for the delayer. */
async function ensureNetworkTools(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("network-fault tests need root (ip netns, iptables)");
  await ensureDebianPackages(["iproute2", "iptables"]);
  if (!Bun.which("python3")) throw new Error("python3 is needed for the latency fault (nfqueue-delay.py)");
}

/** Runs nfqueue-delay.py inside `ns` and resolves once it has bound its queue. */
async function startDelayer(ns: NetworkNamespace, delayMs: number): Promise<{ stop(): Promise<void> }> {
  const child = Bun.spawn([...inNamespace(ns), "python3", DELAYER, String(DELAY_QUEUE), String(delayMs)], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const stop = async () => {
    child.kill("SIGTERM");
    await child.exited;
  };
  const reader = child.stdout.getReader();
  const first = await Promise.race([
    reader.read().then(({ value }) => new TextDecoder().decode(value ?? new Uint8Array())),
    Bun.sleep(10_000).then(() => "timed out"),
  ]);
  reader.releaseLock();
  if (!first.startsWith("ready")) {
    await stop();
    const stderr = await new Response(child.stderr).text();
    throw new Error(`nfqueue-delay.py did not start (${first.trim() || "no output"}): ${stderr.trim()}`);
  }
  return { stop };
}
