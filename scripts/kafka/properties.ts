/**
 * Pure model of a KRaft cluster and the `server.properties` of each node.
 * Every node is a combined broker+controller; a cluster is a list of nodes
 * that all vote in the controller quorum. A listener may carry SASL and/or
 * TLS settings, which become `listener.name.<listener>.*` properties; SCRAM
 * credentials are written into the metadata log when storage is formatted
 * (`storageFormatArguments`). Multi-node clusters fit by adding `nodes`: with
 * three or more, topics default to replication factor 3 and
 * `min.insync.replicas=2`, internal topics too (cluster.ts).
 */
import { randomBytes } from "node:crypto";

export type SecurityProtocol = "PLAINTEXT" | "SSL" | "SASL_PLAINTEXT" | "SASL_SSL";

export type SaslMechanism = "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512" | "OAUTHBEARER";

export type ScramMechanism = Extract<SaslMechanism, `SCRAM-${string}`>;

/** Server side of SASL on a SASL_PLAINTEXT / SASL_SSL listener. */
export interface SaslListenerSettings {
  mechanisms: SaslMechanism[];
  /** PLAIN users, name → password (the broker's JAAS `user_<name>` entries); needed with PLAIN. */
  plainUsers?: Record<string, string>;
  /**
   * OAUTHBEARER tokens validated as signed JWTs against a JWKS (KIP-768's
   * OAuthBearerValidatorCallbackHandler) instead of the default unsecured validator. The broker
   * JVM must allow the URL (system property org.apache.kafka.sasl.oauthbearer.allowed.urls).
   */
  jwtValidation?: JwtValidation;
}

/** Where a broker finds the keys that sign tokens, and what the tokens must say. */
export interface JwtValidation {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** Leeway on `exp`/`iat`; Kafka's default is 30 s. */
  clockSkewSeconds?: number;
}

/** Server side of TLS on an SSL / SASL_SSL listener. Files are PEM (`ssl.keystore.type=PEM`). */
export interface TlsListenerSettings {
  /** The unencrypted PKCS#8 private key followed by the certificate chain, in one PEM file. */
  keystoreFile: string;
  /** CA certificates that sign client certificates; required unless `clientAuth` is "none". */
  truststoreFile?: string;
  clientAuth: "none" | "requested" | "required";
}

/** A client-facing listener. The first one of a node is the inter-broker listener. */
export interface ListenerSpec {
  name: string;
  protocol: SecurityProtocol;
  port: number;
  /** Required for SASL_PLAINTEXT and SASL_SSL, refused otherwise. */
  sasl?: SaslListenerSettings;
  /** Required for SSL and SASL_SSL, refused otherwise. */
  tls?: TlsListenerSettings;
}

/** A SCRAM user created when storage is formatted (`kafka-storage format --add-scram`). */
export interface ScramCredential {
  mechanism: ScramMechanism;
  username: string;
  password: string;
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
  /** SCRAM users to write into the metadata log at format time. */
  scramCredentials?: ScramCredential[];
}

/** Cluster-wide behaviour knobs. */
export interface ClusterSettings {
  autoCreateTopics: boolean;
  partitions: number;
  extraProperties: Record<string, string>;
}

const CONTROLLER_LISTENER = "CONTROLLER";

const LOGIN_MODULES: Record<SaslMechanism, string> = {
  PLAIN: "org.apache.kafka.common.security.plain.PlainLoginModule",
  "SCRAM-SHA-256": "org.apache.kafka.common.security.scram.ScramLoginModule",
  "SCRAM-SHA-512": "org.apache.kafka.common.security.scram.ScramLoginModule",
  OAUTHBEARER: "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule",
};

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

/** Builds the properties of `node` inside `cluster` (KRaft: every node a broker and a controller). */
export function brokerProperties(
  cluster: KafkaCluster,
  node: KafkaNode,
  settings: ClusterSettings,
): Record<string, string> {
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
    "controller.listener.names": CONTROLLER_LISTENER,
    "listener.security.protocol.map": protocolMap.join(","),
    ...commonProperties(cluster, node, settings),
  };
}

/**
 * The properties of a single-node broker that keeps its metadata in the ZooKeeper at
 * `zookeeperConnect` (releases before 3.3; zookeeper.ts). `node.controllerPort` is not used.
 */
export function zookeeperBrokerProperties(
  cluster: KafkaCluster,
  node: KafkaNode,
  settings: ClusterSettings,
  zookeeperConnect: string,
): Record<string, string> {
  return {
    "broker.id": String(node.nodeId),
    "zookeeper.connect": zookeeperConnect,
    listeners: node.listeners.map((l) => `${l.name}://${node.host}:${l.port}`).join(","),
    "listener.security.protocol.map": node.listeners.map((l) => `${l.name}:${l.protocol}`).join(","),
    ...commonProperties(cluster, node, settings),
  };
}

/**
 * The `listener.name.<listener>.*` properties for the SASL and TLS settings of
 * one listener ({} for a plain PLAINTEXT listener). Throws when the settings do
 * not fit the protocol.
 *
 * Kafka looks up per-listener settings under the lower-cased listener name, and
 * a SASL mechanism's JAAS config under `listener.name.<l>.<mechanism>.sasl.jaas.config`
 * (`JaasContext.loadServerContext`): every enabled mechanism needs one, even
 * SCRAM, whose credentials live in the metadata log.
 */
export function listenerSecurityProperties(listener: ListenerSpec): Record<string, string> {
  const usesSasl = listener.protocol === "SASL_PLAINTEXT" || listener.protocol === "SASL_SSL";
  const usesTls = listener.protocol === "SSL" || listener.protocol === "SASL_SSL";
  const where = `listener ${listener.name} (${listener.protocol})`;
  if (usesSasl !== (listener.sasl !== undefined)) {
    throw new Error(`${where}: SASL settings ${usesSasl ? "are required" : "are not allowed"}`);
  }
  if (usesTls !== (listener.tls !== undefined)) {
    throw new Error(`${where}: TLS settings ${usesTls ? "are required" : "are not allowed"}`);
  }
  const prefix = `listener.name.${listener.name.toLowerCase()}.`;
  const props: Record<string, string> = {};
  if (listener.sasl) Object.assign(props, saslProperties(prefix, where, listener.sasl));
  if (listener.tls) Object.assign(props, tlsProperties(prefix, where, listener.tls));
  return props;
}

/** `kafka.tools.StorageTool format` arguments that add the cluster's SCRAM users. */
export function storageFormatArguments(cluster: KafkaCluster): string[] {
  return (cluster.scramCredentials ?? []).flatMap((c) => {
    for (const [field, value] of [
      ["username", c.username],
      ["password", c.password],
    ] as const) {
      // ScramParser splits on ',' and '=' and wants the value inside [...]; keep values plain.
      if (!/^[A-Za-z0-9._~-]+$/.test(value)) {
        throw new Error(`SCRAM ${field} for ${c.mechanism} must match [A-Za-z0-9._~-]+`);
      }
    }
    return ["--add-scram", `${c.mechanism}=[name=${c.username},password=${c.password}]`];
  });
}

/** A JAAS config line: `<module> required k="v" ...;` with values quoted and escaped. */
export function jaasConfig(loginModule: string, options: Record<string, string>): string {
  const quote = (v: string): string => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  const parts = Object.entries(options).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(k))
      throw new Error(`invalid JAAS option name ${JSON.stringify(k)}`);
    return `${k}=${quote(v)}`;
  });
  return `${[loginModule, "required", ...parts].join(" ")};`;
}

/** Listeners, storage, topic defaults and internal topics: the same whatever keeps the metadata. */
function commonProperties(
  cluster: KafkaCluster,
  node: KafkaNode,
  settings: ClusterSettings,
): Record<string, string> {
  const interBroker = node.listeners[0];
  if (!interBroker) throw new Error(`node ${node.nodeId} has no listeners`);
  const replication = Math.min(3, cluster.nodes.length);
  const minIsr = replication > 1 ? 2 : 1;
  return {
    "advertised.listeners": node.listeners.map((l) => `${l.name}://${node.host}:${l.port}`).join(","),
    "inter.broker.listener.name": interBroker.name,
    "log.dirs": node.logDir,
    "num.partitions": String(settings.partitions),
    "default.replication.factor": String(replication),
    "min.insync.replicas": String(minIsr),
    "auto.create.topics.enable": String(settings.autoCreateTopics),
    "offsets.topic.replication.factor": String(replication),
    "offsets.topic.num.partitions": "1",
    "transaction.state.log.replication.factor": String(replication),
    "transaction.state.log.min.isr": String(minIsr),
    "transaction.state.log.num.partitions": "1",
    "share.coordinator.state.topic.replication.factor": String(replication),
    "share.coordinator.state.topic.min.isr": String(minIsr),
    "group.initial.rebalance.delay.ms": "0",
    ...Object.assign({}, ...node.listeners.map(listenerSecurityProperties)),
    ...settings.extraProperties,
  };
}

function saslProperties(prefix: string, where: string, sasl: SaslListenerSettings): Record<string, string> {
  if (sasl.mechanisms.length === 0) throw new Error(`${where}: no SASL mechanisms`);
  const props: Record<string, string> = {
    [`${prefix}sasl.enabled.mechanisms`]: sasl.mechanisms.join(","),
  };
  for (const mechanism of sasl.mechanisms) {
    props[`${prefix}${mechanism.toLowerCase()}.sasl.jaas.config`] = jaasConfig(
      LOGIN_MODULES[mechanism],
      mechanismOptions(mechanism, where, sasl),
    );
  }
  const jwt = sasl.jwtValidation;
  if (jwt) {
    if (!sasl.mechanisms.includes("OAUTHBEARER"))
      throw new Error(`${where}: JWT validation needs OAUTHBEARER`);
    const oauth = `${prefix}oauthbearer.`;
    Object.assign(props, {
      [`${oauth}sasl.server.callback.handler.class`]:
        "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler",
      [`${oauth}sasl.oauthbearer.jwks.endpoint.url`]: jwt.jwksUrl,
      [`${oauth}sasl.oauthbearer.expected.issuer`]: jwt.issuer,
      [`${oauth}sasl.oauthbearer.expected.audience`]: jwt.audience,
      ...(jwt.clockSkewSeconds === undefined
        ? {}
        : { [`${oauth}sasl.oauthbearer.clock.skew.seconds`]: String(jwt.clockSkewSeconds) }),
    });
  }
  return props;
}

function mechanismOptions(
  mechanism: SaslMechanism,
  where: string,
  sasl: SaslListenerSettings,
): Record<string, string> {
  switch (mechanism) {
    case "PLAIN": {
      const users = Object.entries(sasl.plainUsers ?? {});
      if (users.length === 0) throw new Error(`${where}: PLAIN needs at least one user`);
      return Object.fromEntries(users.map(([name, password]) => [`user_${name}`, password]));
    }
    case "OAUTHBEARER":
      // The default server callback handler is OAuthBearerUnsecuredValidatorCallbackHandler
      // (unsigned "alg":"none" JWTs with a string `sub` and a numeric `exp`). The broker's own
      // login through the same module asks the unsecured login handler for a token, which
      // needs a subject.
      return { unsecuredLoginStringClaim_sub: "broker" };
    default:
      return {};
  }
}

function tlsProperties(prefix: string, where: string, tls: TlsListenerSettings): Record<string, string> {
  if (tls.clientAuth !== "none" && tls.truststoreFile === undefined) {
    throw new Error(`${where}: ssl.client.auth=${tls.clientAuth} needs a truststore`);
  }
  return {
    [`${prefix}ssl.keystore.type`]: "PEM",
    [`${prefix}ssl.keystore.location`]: tls.keystoreFile,
    ...(tls.truststoreFile === undefined
      ? {}
      : {
          [`${prefix}ssl.truststore.type`]: "PEM",
          [`${prefix}ssl.truststore.location`]: tls.truststoreFile,
        }),
    [`${prefix}ssl.client.auth`]: tls.clientAuth,
  };
}

/** Serialises properties in Java `.properties` syntax (values escaped minimally). */
export function renderProperties(props: Record<string, string>): string {
  const esc = (s: string): string => s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
  return `${Object.entries(props)
    .map(([k, v]) => `${esc(k)}=${esc(v)}`)
    .join("\n")}\n`;
}
