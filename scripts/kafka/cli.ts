/**
 * Command line for the local Kafka harness.
 *   bun scripts/kafka/cli.ts up [--name default] [--no-auto-create] [--port N] [--partitions N]
 *   bun scripts/kafka/cli.ts up --cluster 3 [--name cluster] [--no-auto-create] [--partitions N]
 *   bun scripts/kafka/cli.ts down [--name default | --all]
 *   bun scripts/kafka/cli.ts node stop|kill|restart --node ID [--name cluster]
 *   bun scripts/kafka/cli.ts status
 *   bun scripts/kafka/cli.ts secure [--name secure] [--authorizer]
 * `up` prints the log location, then the bootstrap address as the last line
 * of stdout; progress goes to stderr. With `--cluster N` it ensures a local
 * N-node KRaft cluster (scripts/kafka/cluster.ts) and prints each node's id,
 * address, pid and log, then the bootstrap list of all nodes as the last line;
 * `down --name <cluster>` stops it, `node` stops, kills or restarts one of its
 * nodes. `secure` ensures the secured broker
 * (scripts/kafka/secure.ts) and prints its log, listeners and PEM/secret file
 * locations (never the secrets themselves); `down --name secure` stops it.
 * With `--authorizer` the broker checks ACLs (give it another name, e.g.
 * `--name authorizer`, as the tests do); only User:ANONYMOUS, on the PLAINTEXT
 * listener, may do anything there.
 */
import { defineCommand, runMain } from "citty";
import { brokerStatus, ensureBroker, listBrokers, readBrokerState, stopBroker } from "./broker.ts";
import {
  clusterStatus,
  ensureCluster,
  killNode,
  listClusters,
  readClusterState,
  restartNode,
  stopCluster,
  stopNode,
} from "./cluster.ts";
import { ensureKafkaJars, KAFKA_VERSION } from "./jars.ts";

function positiveInt(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) {
    throw new Error(`--${flag} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return n;
}

const up = defineCommand({
  meta: {
    name: "up",
    description: "Ensure a local single-node Kafka broker (or an N-node cluster) is running",
  },
  args: {
    name: { type: "string", description: 'Broker name (default "default"; with --cluster, "cluster")' },
    "auto-create": {
      type: "boolean",
      default: true,
      description: "auto.create.topics.enable (use --no-auto-create to disable)",
    },
    port: { type: "string", description: "Client port (default: a free port)" },
    partitions: { type: "string", description: "num.partitions (default 1)" },
    cluster: { type: "string", description: "Start an N-node KRaft cluster instead (e.g. 3)" },
  },
  async run({ args }) {
    const t0 = Date.now();
    await ensureKafkaJars();
    const nodes = positiveInt("cluster", args.cluster);
    if (nodes !== undefined) {
      if (args.port) throw new Error("--port does not apply to --cluster (ports are picked freely)");
      const name = args.name ?? "cluster";
      const before = readClusterState(name);
      const cluster = await ensureCluster({
        name,
        nodes,
        autoCreateTopics: args["auto-create"],
        partitions: positiveInt("partitions", args.partitions),
      });
      const after = readClusterState(name);
      const reused = before !== null && after !== null && before.startedAt === after.startedAt;
      console.error(
        `kafka ${KAFKA_VERSION} cluster "${name}" of ${nodes} nodes ${reused ? "reused" : "started"} in ${Date.now() - t0} ms`,
      );
      for (const node of cluster.nodes) {
        console.log(`node ${node.nodeId}\t${node.bootstrap}\tpid ${node.pid}\tlog: ${node.logFile}`);
      }
      console.log(cluster.bootstrap);
      return;
    }
    const name = args.name ?? "default";
    const before = readBrokerState(name);
    const handle = await ensureBroker({
      name,
      autoCreateTopics: args["auto-create"],
      port: positiveInt("port", args.port),
      partitions: positiveInt("partitions", args.partitions),
    });
    const reused = before !== null && before.pid === handle.pid;
    console.error(
      `kafka ${KAFKA_VERSION} broker "${handle.name}" ${reused ? "reused" : "started"} (pid ${handle.pid}) in ${Date.now() - t0} ms`,
    );
    console.log(`log: ${handle.logFile}`);
    console.log(handle.bootstrap);
  },
});

const down = defineCommand({
  meta: { name: "down", description: "Stop local Kafka broker(s) or cluster(s); logs are kept" },
  args: {
    name: { type: "string", default: "default", description: "Broker or cluster name" },
    all: { type: "boolean", default: false, description: "Stop every broker and cluster" },
  },
  async run({ args }) {
    // A cluster's nodes stop together: one by one, the last would wait for a lost quorum.
    const clusters = args.all ? listClusters() : readClusterState(args.name) ? [args.name] : [];
    for (const name of clusters) {
      const state = readClusterState(name);
      await stopCluster(name);
      console.error(`stopped cluster "${name}" (${state?.nodes.length ?? 0} nodes)`);
    }
    const names = args.all ? listBrokers() : clusters.length > 0 ? [] : [args.name];
    for (const name of names) {
      const state = readBrokerState(name);
      await stopBroker(name);
      console.error(state ? `stopped "${name}" (pid ${state.pid})` : `"${name}" was not running`);
    }
  },
});

const node = defineCommand({
  meta: { name: "node", description: "Stop (SIGTERM), kill (SIGKILL) or restart one node of a cluster" },
  args: {
    action: { type: "positional", required: true, description: "stop | kill | restart" },
    name: { type: "string", default: "cluster", description: "Cluster name" },
    node: { type: "string", required: true, description: "Node id (1..N)" },
  },
  async run({ args }) {
    const t0 = Date.now();
    const nodeId = positiveInt("node", args.node);
    if (nodeId === undefined) throw new Error("--node is required");
    if (args.action === "stop") await stopNode(args.name, nodeId);
    else if (args.action === "kill") await killNode(args.name, nodeId);
    else if (args.action === "restart") {
      const handle = await restartNode(args.name, nodeId);
      console.log(`node ${handle.nodeId}\t${handle.bootstrap}\tpid ${handle.pid}\tlog: ${handle.logFile}`);
    } else throw new Error(`unknown action ${JSON.stringify(args.action)}: use stop, kill or restart`);
    console.error(`${args.action} node ${nodeId} of cluster "${args.name}" done in ${Date.now() - t0} ms`);
  },
});

const status = defineCommand({
  meta: { name: "status", description: "Show known brokers and clusters" },
  async run() {
    for (const name of listClusters()) {
      const s = await clusterStatus(name);
      const up = s.nodes.filter((n) => n.running).length;
      const nodes = s.nodes
        .map((n) => `${n.nodeId}:${n.running ? `up(sees ${n.brokersSeen ?? "?"})` : "down"}`)
        .join(" ");
      console.log(`cluster ${name}\t${s.healthy ? "healthy" : `${up}/${s.nodes.length} running`}\t${nodes}`);
    }
    const names = listBrokers();
    if (names.length === 0) console.log("no brokers");
    for (const name of names) {
      const s = await brokerStatus(name);
      const health = s.answering ? "up" : s.alive ? "not answering" : "dead";
      console.log(
        `${name}\t${health}\t${s.state?.bootstrap ?? "?"}\tpid ${s.state?.pid ?? "?"}\t${s.state?.logFile ?? ""}`,
      );
    }
  },
});

const secure = defineCommand({
  meta: { name: "secure", description: "Ensure the secured broker (SASL, SSL, mTLS listeners) is running" },
  args: {
    name: { type: "string", default: "secure", description: "Broker name" },
    authorizer: { type: "boolean", default: false, description: "Authorize requests with ACLs" },
  },
  async run({ args }) {
    const t0 = Date.now();
    const { ensureSecureBroker, SECRETS_FILE } = await import("./secure.ts");
    const before = readBrokerState(args.name);
    const broker = await ensureSecureBroker({ name: args.name, authorizer: args.authorizer });
    const after = readBrokerState(args.name);
    const reused = before !== null && after !== null && before.pid === after.pid;
    console.error(
      `kafka ${KAFKA_VERSION} secure broker "${broker.name}" ${reused ? "reused" : "started"} (pid ${after?.pid ?? "?"}) in ${Date.now() - t0} ms`,
    );
    console.log(`log: ${broker.logFile}`);
    for (const [key, address] of Object.entries(broker.listeners)) console.log(`${key}\t${address}`);
    console.log(`ca\t${broker.files.ca}`);
    console.log(`otherCa\t${broker.files.otherCa}`);
    console.log(`clientCert\t${broker.files.clientCert}`);
    console.log(`clientKey\t${broker.files.clientKey}`);
    console.log(`clientKeyEncrypted\t${broker.files.clientKeyEncrypted}`);
    console.log(`secrets\t${SECRETS_FILE}`);
  },
});

const main = defineCommand({
  meta: { name: "kafka", description: "Local Apache Kafka harness" },
  subCommands: { up, down, node, status, secure },
});

await runMain(main);
