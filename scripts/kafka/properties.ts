/**
 * Pure model of a KRaft cluster and the `server.properties` of each node.
 * Every node is a combined broker+controller; a cluster is a list of nodes
 * that all vote in the controller quorum. Today the harness runs one node
 * with one PLAINTEXT listener; SASL/TLS listeners and multi-node clusters
 * fit by adding entries to `listeners` / `nodes`.
 */
import { randomBytes } from "node:crypto";

export type SecurityProtocol = "PLAINTEXT" | "SSL" | "SASL_PLAINTEXT" | "SASL_SSL";

/** A client-facing listener. The first one of a node is the inter-broker listener. */
export interface ListenerSpec {
  name: string;
  protocol: SecurityProtocol;
  port: number;
}

export interface KafkaNode {
  nodeId: number;
  host: string;
  listeners: ListenerSpec[];
  controllerPort: number;
  logDir: string;
}

export interface KafkaCluster {
  clusterId: string;
  nodes: KafkaNode[];
}

/** Cluster-wide behaviour knobs. */
export interface ClusterSettings {
  autoCreateTopics: boolean;
  partitions: number;
  extraProperties: Record<string, string>;
}

const CONTROLLER_LISTENER = "CONTROLLER";

/** A Kafka cluster id: 16 random bytes, base64url without padding, never starting with '-'. */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/** `host:port` of the first client listener of every node, comma-separated. */
export function bootstrapOf(cluster: KafkaCluster): string {
  return cluster.nodes
    .map((node) => {
      const first = node.listeners[0];
      if (!first) throw new Error(`node ${node.nodeId} has no listeners`);
      return `${node.host}:${first.port}`;
    })
    .join(",");
}

/** Builds the properties of `node` inside `cluster`. */
export function brokerProperties(
  cluster: KafkaCluster,
  node: KafkaNode,
  settings: ClusterSettings,
): Record<string, string> {
  const interBroker = node.listeners[0];
  if (!interBroker) throw new Error(`node ${node.nodeId} has no listeners`);
  const replication = Math.min(3, cluster.nodes.length);
  const minIsr = replication > 1 ? 2 : 1;
  const protocolMap = [
    `${CONTROLLER_LISTENER}:PLAINTEXT`,
    ...node.listeners.map((l) => `${l.name}:${l.protocol}`),
  ];

  return {
    "process.roles": "broker,controller",
    "node.id": String(node.nodeId),
    "controller.quorum.voters": cluster.nodes
      .map((n) => `${n.nodeId}@${n.host}:${n.controllerPort}`)
      .join(","),
    listeners: [
      ...node.listeners.map((l) => `${l.name}://${node.host}:${l.port}`),
      `${CONTROLLER_LISTENER}://${node.host}:${node.controllerPort}`,
    ].join(","),
    "advertised.listeners": node.listeners.map((l) => `${l.name}://${node.host}:${l.port}`).join(","),
    "controller.listener.names": CONTROLLER_LISTENER,
    "listener.security.protocol.map": protocolMap.join(","),
    "inter.broker.listener.name": interBroker.name,
    "log.dirs": node.logDir,
    "num.partitions": String(settings.partitions),
    "default.replication.factor": String(replication),
    "auto.create.topics.enable": String(settings.autoCreateTopics),
    "offsets.topic.replication.factor": String(replication),
    "offsets.topic.num.partitions": "1",
    "transaction.state.log.replication.factor": String(replication),
    "transaction.state.log.min.isr": String(minIsr),
    "transaction.state.log.num.partitions": "1",
    "share.coordinator.state.topic.replication.factor": String(replication),
    "share.coordinator.state.topic.min.isr": String(minIsr),
    "group.initial.rebalance.delay.ms": "0",
    ...settings.extraProperties,
  };
}

/** Serialises properties in Java `.properties` syntax (values escaped minimally). */
export function renderProperties(props: Record<string, string>): string {
  const esc = (s: string): string => s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
  return `${Object.entries(props)
    .map(([k, v]) => `${esc(k)}=${esc(v)}`)
    .join("\n")}\n`;
}
