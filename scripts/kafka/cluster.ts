/**
 * Local multi-node KRaft clusters on loopback, for tests that need replication
 * and faults: every node is a combined broker+controller and a quorum voter,
 * each its own detached JVM (the capped heap of broker.ts), with ports from
 * `freeLoopbackPorts`. With three nodes, topics default to replication factor 3
 * and `min.insync.replicas=2`, and so do the internal topics (offsets,
 * transaction state: properties.ts).
 *
 * Each node is a broker of broker.ts called `<cluster>-node<id>` (its folder is
 * `.cache/brokers/<cluster>-node<id>/`, with server.properties, broker.log,
 * data/ and, while it runs, broker.json), so `status`, `down --all` and the test
 * runner's clean-up see the nodes. The cluster itself is described by
 * `.cache/clusters/<name>.json` (id, settings, each node's ports).
 *
 * With `netns`, the nodes run inside a network namespace of netns.ts, bound to
 * its address, so tests can slow, drop or cut the traffic to them.
 *
 * Faults on demand: `stopNode` (SIGTERM, a clean controlled shutdown),
 * `killNode` (SIGKILL), `restartNode` (the same node again, same ports and data
 * dir, waiting until it has rejoined). `partitionState` / `awaitPartition` read
 * a partition's leader and ISR through @platformatic/kafka's Admin.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { Admin } from "@platformatic/kafka";
import {
  type BrokerState,
  brokerFailureReport,
  brokerPaths,
  formatStorage,
  isBrokerRunning,
  readBrokerState,
  signalBroker,
  spawnBrokerProcess,
  stopBroker,
} from "./broker.ts";
import { ensureKafkaJars, KAFKA_VERSION, kafkaClassPath } from "./jars.ts";
import { assertLoopback, freeLoopbackPorts } from "./loopback.ts";
import { inNamespace, type NetworkNamespace } from "./netns.ts";
import { CLUSTERS_DIR, clusterFile } from "./paths.ts";
import { probeMetadata } from "./probe.ts";
import {
  brokerProperties,
  type ClusterSettings,
  type KafkaCluster,
  type KafkaNode,
  newClusterId,
  renderProperties,
} from "./properties.ts";

export interface ClusterOptions {
  name: string;
  /** Number of nodes (1–9); default 3. */
  nodes?: number;
  /** `auto.create.topics.enable`; default true. */
  autoCreateTopics?: boolean;
  /** `num.partitions` for auto-created topics; default 1. */
  partitions?: number;
  /** Extra broker properties for every node, applied last (override the defaults). */
  extraProperties?: Record<string, string>;
  /** How long to wait for every node to answer and see all the others; default 120 s. */
  startTimeoutMs?: number;
  /**
   * Run every node inside this network namespace (netns.ts), bound only to its address instead
   * of 127.0.0.1. A cluster is started afresh when this differs from the running one's.
   */
  netns?: Pick<NetworkNamespace, "name" | "address">;
}

export interface ClusterNodeHandle {
  nodeId: number;
  /** This node's client address, e.g. "127.0.0.1:41234". */
  bootstrap: string;
  pid: number;
  logFile: string;
  /** The node's name as a broker of broker.ts (`<cluster>-node<id>`). */
  brokerName: string;
  dir: string;
}

export interface ClusterHandle {
  name: string;
  clusterId: string;
  /** Every node's client address, comma-separated. */
  bootstrap: string;
  nodes: ClusterNodeHandle[];
}

/** One node in `.cache/clusters/<name>.json`. */
export interface ClusterNodeState {
  nodeId: number;
  brokerName: string;
  port: number;
  controllerPort: number;
  /** The address the node binds to; absent: 127.0.0.1. */
  host?: string;
  /** The network namespace the node runs in; absent: this one. */
  netns?: string;
}

/** Contents of `.cache/clusters/<name>.json`. */
export interface ClusterState {
  name: string;
  clusterId: string;
  kafkaVersion: string;
  settings: ClusterSettings;
  nodes: ClusterNodeState[];
  startedAt: string;
  startupMs: number;
}

export interface ClusterNodeStatus {
  nodeId: number;
  bootstrap: string;
  /** The node's JVM is running. */
  running: boolean;
  pid: number | null;
  /** How many brokers the node's own metadata lists (null: it did not answer). */
  brokersSeen: number | null;
}

export interface ClusterStatus {
  name: string;
  state: ClusterState | null;
  nodes: ClusterNodeStatus[];
  /** Every node runs and sees every node. */
  healthy: boolean;
}

/** A partition as the cluster's metadata describes it. */
export interface PartitionState {
  /** Node id of the leader; -1 while there is none. */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

/**
 * Applied to every node before `extraProperties`: a stopped or killed broker is
 * fenced (and leaves every ISR) after 6 s instead of 9 s, so fault tests fail
 * over quickly; heartbeats every second keep that safe on a busy machine.
 */
export const CLUSTER_DEFAULT_PROPERTIES: Readonly<Record<string, string>> = {
  "broker.heartbeat.interval.ms": "1000",
  "broker.session.timeout.ms": "6000",
};

const DEFAULT_NODES = 3;
const DEFAULT_START_TIMEOUT_MS = 120_000;
const DEFAULT_REJOIN_TIMEOUT_MS = 90_000;
/** Healing a partly running cluster gets this long before it is started afresh. */
const HEAL_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 20_000;
const HOST = "127.0.0.1";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The broker name of node `nodeId` of cluster `name`. */
export function nodeBrokerName(name: string, nodeId: number): string {
  return `${name}-node${nodeId}`;
}

/** Reads `.cache/clusters/<name>.json`, or null when absent or unreadable. */
export function readClusterState(name: string): ClusterState | null {
  const file = clusterFile(name);
  if (!existsSync(file)) return null;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    return isClusterState(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/** Names of clusters that have a description (running or not). */
export function listClusters(): string[] {
  if (!existsSync(CLUSTERS_DIR)) return [];
  return readdirSync(CLUSTERS_DIR)
    .filter((file) => file.endsWith(".json"))
    .map((file) => file.slice(0, -".json".length))
    .sort();
}

/**
 * The running cluster `opts.name` if it was started with the same options and
 * every node answers and sees all the others. Nodes of a matching cluster that
 * are down (a test stopped or killed one and did not restart it) are restarted
 * first. Otherwise a fresh cluster is started.
 */
export async function ensureCluster(opts: ClusterOptions): Promise<ClusterHandle> {
  const state = readClusterState(opts.name);
  if (state && sameCluster(state, opts)) {
    const status = await clusterStatus(opts.name);
    if (status.healthy) return handleOf(state);
    if (status.nodes.some((node) => node.running)) {
      try {
        const classPath = kafkaClassPath(await ensureKafkaJars());
        const exits = new Map<number, { reason: string | null }>();
        for (const node of status.nodes) {
          if (!node.running)
            exits.set(node.nodeId, await spawnNode(state, nodeOf(state, node.nodeId), classPath));
        }
        await waitForCluster(state, exits, Date.now() + HEAL_TIMEOUT_MS);
        return handleOf(state);
      } catch {
        // start afresh below
      }
    }
  }
  return startCluster(opts);
}

/**
 * Starts a fresh cluster called `opts.name` (stopping any previous one of that
 * name and wiping its nodes' folders) and resolves once every node answers a
 * metadata request and lists all the nodes as brokers.
 */
export async function startCluster(opts: ClusterOptions): Promise<ClusterHandle> {
  const count = opts.nodes ?? DEFAULT_NODES;
  if (!Number.isInteger(count) || count < 1 || count > 9) {
    throw new Error(`cluster "${opts.name}": nodes must be an integer from 1 to 9, got ${count}`);
  }
  clusterFile(opts.name); // validates the name before anything is stopped or wiped
  const classPath = kafkaClassPath(await ensureKafkaJars());
  await stopCluster(opts.name);
  const names = Array.from({ length: count }, (_, i) => nodeBrokerName(opts.name, i + 1));
  for (const brokerName of names) {
    await stopBroker(brokerName); // a node left over from a lost description
    const p = brokerPaths(brokerName);
    await rm(p.dir, { recursive: true, force: true });
    await mkdir(p.dir, { recursive: true });
  }

  const ports = await freeLoopbackPorts(2 * count);
  const nodes: KafkaNode[] = names.map((brokerName, i) => ({
    nodeId: i + 1,
    host: opts.netns?.address ?? HOST,
    listeners: [{ name: "PLAINTEXT", protocol: "PLAINTEXT", port: portAt(ports, i) }],
    controllerPort: portAt(ports, count + i),
    logDir: brokerPaths(brokerName).data,
  }));
  const cluster: KafkaCluster = { clusterId: newClusterId(), nodes };
  const settings = clusterSettings(opts);
  const started = Date.now();
  const state: ClusterState = {
    name: opts.name,
    clusterId: cluster.clusterId,
    kafkaVersion: KAFKA_VERSION,
    settings,
    nodes: nodes.map((node, i) => ({
      nodeId: node.nodeId,
      brokerName: names[i] ?? nodeBrokerName(opts.name, node.nodeId),
      port: portAt(ports, i),
      controllerPort: node.controllerPort,
      ...(opts.netns ? { host: opts.netns.address, netns: opts.netns.name } : {}),
    })),
    startedAt: new Date(started).toISOString(),
    startupMs: -1,
  };

  await Promise.all(
    state.nodes.map(async (node, i) => {
      const p = brokerPaths(node.brokerName);
      const kafkaNode = nodes[i];
      if (!kafkaNode) throw new Error(`cluster "${opts.name}": node ${node.nodeId} is missing`);
      await writeFile(p.properties, renderProperties(brokerProperties(cluster, kafkaNode, settings)), {
        mode: 0o600,
      });
      await formatStorage(classPath, cluster.clusterId, p.properties, p.dir);
    }),
  );
  await writeClusterState(state);

  const exits = new Map<number, { reason: string | null }>();
  try {
    for (const node of state.nodes) exits.set(node.nodeId, await spawnNode(state, node, classPath));
    await waitForCluster(state, exits, started + (opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS));
  } catch (error) {
    await stopNodes(state, 2_000);
    await rm(clusterFile(opts.name), { force: true });
    throw error;
  }
  state.startupMs = Date.now() - started;
  await writeClusterState(state);
  return handleOf(state);
}

/**
 * Stops every node of cluster `name` at once (SIGTERM, then SIGKILL after
 * ~20 s) and removes the description and the nodes' broker.json; logs and
 * data stay for debugging.
 */
export async function stopCluster(name: string): Promise<void> {
  const state = readClusterState(name);
  if (state) await stopNodes(state, STOP_GRACE_MS);
  await rm(clusterFile(name), { force: true });
}

/** Stops node `nodeId` cleanly (SIGTERM: controlled shutdown, leadership moves first). */
export async function stopNode(name: string, nodeId: number, graceMs = STOP_GRACE_MS): Promise<void> {
  await endNode(clusterState(name), nodeId, "SIGTERM", graceMs);
}

/** Kills node `nodeId` (SIGKILL: no shutdown, as a crash or a power cut). */
export async function killNode(name: string, nodeId: number): Promise<void> {
  await endNode(clusterState(name), nodeId, "SIGKILL");
}

/**
 * Starts node `nodeId` again with its own properties, ports and data (after
 * stopping it cleanly if it still runs), and resolves once it has rejoined: it
 * answers, and it and every other running node list all of the cluster's
 * running nodes as brokers (so it is registered and unfenced).
 */
export async function restartNode(
  name: string,
  nodeId: number,
  opts: { timeoutMs?: number } = {},
): Promise<ClusterNodeHandle> {
  const state = clusterState(name);
  const node = nodeOf(state, nodeId);
  if (nodeRunning(node) !== null) await endNode(state, nodeId, "SIGTERM", STOP_GRACE_MS);
  const classPath = kafkaClassPath(await ensureKafkaJars());
  const exit = await spawnNode(state, node, classPath);
  await waitForCluster(
    state,
    new Map([[nodeId, exit]]),
    Date.now() + (opts.timeoutMs ?? DEFAULT_REJOIN_TIMEOUT_MS),
    true,
  );
  return nodeHandle(node);
}

/** Each node's process and what its metadata says, without changing anything. */
export async function clusterStatus(name: string): Promise<ClusterStatus> {
  const state = readClusterState(name);
  if (!state) return { name, state, nodes: [], healthy: false };
  const nodes = await Promise.all(
    state.nodes.map(async (node): Promise<ClusterNodeStatus> => {
      const pid = nodeRunning(node);
      const answer = pid === null ? null : await probeMetadata(addressOf(node), 2_000);
      return {
        nodeId: node.nodeId,
        bootstrap: addressOf(node),
        running: pid !== null,
        pid,
        brokersSeen: answer && answer.clusterId === state.clusterId ? answer.brokerCount : null,
      };
    }),
  );
  const healthy = nodes.every((node) => node.running && node.brokersSeen === state.nodes.length);
  return { name, state, nodes, healthy };
}

/** The cluster as it is now (pid of a node that is down: -1). Throws if it has no description. */
export function clusterHandle(name: string): ClusterHandle {
  return handleOf(clusterState(name));
}

/**
 * Client addresses of the nodes whose JVM runs, comma-separated: a bootstrap
 * list that does not start with a dead node. Throws when none runs.
 */
export function liveBootstrap(name: string): string {
  const state = clusterState(name);
  const live = state.nodes.filter((node) => nodeRunning(node) !== null).map(addressOf);
  if (live.length === 0) throw new Error(`cluster "${name}": no node is running`);
  return live.join(",");
}

/** Leader, replicas and ISR of `topic`'s partition, fresh from the cluster's metadata. */
export async function partitionState(
  bootstrap: string,
  topic: string,
  partition = 0,
  timeoutMs = 5_000,
): Promise<PartitionState> {
  assertLoopback(bootstrap);
  const admin = new Admin({
    clientId: "kafka-harness-cluster",
    bootstrapBrokers: bootstrap.split(","),
    retries: 0,
    timeout: timeoutMs,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`metadata of ${topic}: no answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    const metadata = await Promise.race([admin.metadata({ topics: [topic], forceUpdate: true }), timeout]);
    const found = metadata.topics.get(topic)?.partitions[partition];
    if (!found) throw new Error(`topic ${topic} has no partition ${partition}`);
    return {
      leader: found.leader,
      leaderEpoch: found.leaderEpoch,
      replicas: [...found.replicas],
      isr: [...found.isr],
      offlineReplicas: [...found.offlineReplicas],
    };
  } finally {
    clearTimeout(timer);
    await admin.close().catch(() => undefined);
  }
}

/** The node id leading `topic`'s partition (-1 while there is none). */
export async function partitionLeader(bootstrap: string, topic: string, partition = 0): Promise<number> {
  return (await partitionState(bootstrap, topic, partition)).leader;
}

/**
 * Polls the partition through cluster `name`'s running nodes until `accept`
 * holds, and returns that state; throws after `timeoutMs` with the last state
 * seen (e.g. waiting for a new leader after a kill, or a restarted node back
 * in the ISR).
 */
export async function awaitPartition(
  name: string,
  topic: string,
  accept: (state: PartitionState) => boolean,
  opts: { partition?: number; timeoutMs?: number; what?: string } = {},
): Promise<PartitionState> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: PartitionState | string = "nothing yet";
  for (;;) {
    try {
      const state = await partitionState(liveBootstrap(name), topic, opts.partition ?? 0, 3_000);
      if (accept(state)) return state;
      last = state;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${topic}[${opts.partition ?? 0}] on cluster "${name}": ${opts.what ?? "condition"} not reached in ${opts.timeoutMs ?? 30_000} ms; last: ${JSON.stringify(last)}`,
      );
    }
    await sleep(250);
  }
}

// --- internal ---

function isClusterState(value: unknown): value is ClusterState {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.name === "string" &&
    typeof v.clusterId === "string" &&
    typeof v.kafkaVersion === "string" &&
    typeof v.settings === "object" &&
    v.settings !== null &&
    Array.isArray(v.nodes) &&
    v.nodes.every(
      (n: unknown) =>
        typeof n === "object" &&
        n !== null &&
        typeof (n as Record<string, unknown>).nodeId === "number" &&
        typeof (n as Record<string, unknown>).brokerName === "string" &&
        typeof (n as Record<string, unknown>).port === "number",
    )
  );
}

function clusterState(name: string): ClusterState {
  const state = readClusterState(name);
  if (!state) throw new Error(`no cluster "${name}" (start it with ensureCluster)`);
  return state;
}

function nodeOf(state: ClusterState, nodeId: number): ClusterNodeState {
  const node = state.nodes.find((n) => n.nodeId === nodeId);
  if (!node) {
    throw new Error(
      `cluster "${state.name}" has no node ${nodeId} (nodes: ${state.nodes.map((n) => n.nodeId).join(", ")})`,
    );
  }
  return node;
}

function portAt(ports: number[], index: number): number {
  const port = ports[index];
  if (port === undefined) throw new Error(`no free port at index ${index}`);
  return port;
}

const addressOf = (node: ClusterNodeState): string => `${node.host ?? HOST}:${node.port}`;

function clusterSettings(opts: ClusterOptions): ClusterSettings {
  const extra: Record<string, string> = { ...CLUSTER_DEFAULT_PROPERTIES, ...(opts.extraProperties ?? {}) };
  return {
    autoCreateTopics: opts.autoCreateTopics ?? true,
    partitions: opts.partitions ?? 1,
    extraProperties: Object.fromEntries(
      Object.keys(extra)
        .sort()
        .map((k) => [k, String(extra[k])]),
    ),
  };
}

function sameCluster(state: ClusterState, opts: ClusterOptions): boolean {
  return (
    state.kafkaVersion === KAFKA_VERSION &&
    state.nodes.length === (opts.nodes ?? DEFAULT_NODES) &&
    JSON.stringify(state.settings) === JSON.stringify(clusterSettings(opts)) &&
    state.nodes.every((node) => node.netns === opts.netns?.name)
  );
}

/** The pid of the node's JVM if it runs (per its broker.json), else null. */
function nodeRunning(node: ClusterNodeState): number | null {
  const broker = readBrokerState(node.brokerName);
  return broker && isBrokerRunning(node.brokerName, broker.pid) ? broker.pid : null;
}

function nodeHandle(node: ClusterNodeState): ClusterNodeHandle {
  const p = brokerPaths(node.brokerName);
  return {
    nodeId: node.nodeId,
    bootstrap: addressOf(node),
    pid: nodeRunning(node) ?? -1,
    logFile: p.log,
    brokerName: node.brokerName,
    dir: p.dir,
  };
}

function handleOf(state: ClusterState): ClusterHandle {
  return {
    name: state.name,
    clusterId: state.clusterId,
    bootstrap: state.nodes.map(addressOf).join(","),
    nodes: state.nodes.map(nodeHandle),
  };
}

async function writeClusterState(state: ClusterState): Promise<void> {
  const file = clusterFile(state.name);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(state, null, 2)}\n`);
}

/** Spawns a node's JVM from its existing properties and data, and records it in its broker.json. */
async function spawnNode(
  state: ClusterState,
  node: ClusterNodeState,
  classPath: string,
): Promise<{ reason: string | null }> {
  const p = brokerPaths(node.brokerName);
  const started = Date.now();
  const { pid, exit } = await spawnBrokerProcess(
    node.brokerName,
    classPath,
    "java",
    [],
    node.netns ? inNamespace({ name: node.netns }) : [],
  );
  const address = addressOf(node);
  const broker: BrokerState = {
    name: node.brokerName,
    bootstrap: address,
    logFile: p.log,
    pid,
    dir: p.dir,
    clusterId: state.clusterId,
    kafkaVersion: state.kafkaVersion,
    settings: state.settings,
    requestedPort: null,
    startedAt: new Date(started).toISOString(),
    startupMs: -1,
    listeners: { PLAINTEXT: address },
    // Never matches ensureBroker's or runningListenerBroker's reuse: a node is not a lone broker.
    fingerprint: `node ${node.nodeId} of cluster ${state.name}`,
    cluster: { name: state.name, nodeId: node.nodeId, nodes: state.nodes.length },
  };
  await writeFile(p.state, `${JSON.stringify(broker, null, 2)}\n`);
  return exit;
}

/**
 * Waits until every running node of the cluster answers for this cluster id
 * and lists all of them as brokers. `exits` are the nodes just spawned: one that
 * exits fails the wait at once. With `runningOnly`, nodes that are down are
 * left out (restarting one node while another is stopped).
 */
async function waitForCluster(
  state: ClusterState,
  exits: Map<number, { reason: string | null }>,
  deadline: number,
  runningOnly = false,
): Promise<void> {
  for (;;) {
    for (const [nodeId, exit] of exits) {
      if (exit.reason !== null) {
        const node = nodeOf(state, nodeId);
        throw new Error(
          brokerFailureReport(
            node.brokerName,
            `node ${nodeId} of cluster "${state.name}" exited during start-up (${exit.reason})`,
          ),
        );
      }
    }
    const expected = runningOnly
      ? state.nodes.filter((node) => exits.has(node.nodeId) || nodeRunning(node) !== null)
      : state.nodes;
    const answers = await Promise.all(expected.map((node) => probeMetadata(addressOf(node), 2_000)));
    const waiting = expected.filter((_, i) => {
      const answer = answers[i];
      return !answer || answer.clusterId !== state.clusterId || answer.brokerCount !== expected.length;
    });
    if (waiting.length === 0) return;
    if (Date.now() > deadline) {
      const reports = waiting.map((node) =>
        brokerFailureReport(
          node.brokerName,
          `node ${node.nodeId} (${addressOf(node)}) did not answer for cluster ${state.clusterId} with ${expected.length} brokers in time`,
        ),
      );
      throw new Error(`cluster "${state.name}" is not up:\n${reports.join("\n\n")}`);
    }
    await sleep(500);
  }
}

async function endNode(
  state: ClusterState,
  nodeId: number,
  how: "SIGTERM" | "SIGKILL",
  graceMs = STOP_GRACE_MS,
): Promise<void> {
  const node = nodeOf(state, nodeId);
  const pid = nodeRunning(node);
  if (pid !== null) await signalBroker(node.brokerName, pid, how, graceMs);
  await rm(brokerPaths(node.brokerName).state, { force: true });
}

/**
 * All nodes at once: one at a time, the last would wait for a controller
 * quorum that is already gone.
 */
async function stopNodes(state: ClusterState, graceMs: number): Promise<void> {
  await Promise.all(state.nodes.map((node) => endNode(state, node.nodeId, "SIGTERM", graceMs)));
}
