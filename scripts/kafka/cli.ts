/**
 * Command line for the local Kafka harness.
 *   bun scripts/kafka/cli.ts up [--name default] [--no-auto-create] [--port N] [--partitions N]
 *   bun scripts/kafka/cli.ts down [--name default | --all]
 *   bun scripts/kafka/cli.ts status
 *   bun scripts/kafka/cli.ts secure [--name secure]
 * `up` prints the log location, then the bootstrap address as the last line
 * of stdout; progress goes to stderr. `secure` ensures the secured broker
 * (scripts/kafka/secure.ts) and prints its log, listeners and PEM/secret file
 * locations (never the secrets themselves); `down --name secure` stops it.
 */
import { defineCommand, runMain } from "citty";
import { brokerStatus, ensureBroker, listBrokers, readBrokerState, stopBroker } from "./broker.ts";
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
  meta: { name: "up", description: "Ensure a local single-node Kafka broker is running" },
  args: {
    name: { type: "string", default: "default", description: "Broker name" },
    "auto-create": {
      type: "boolean",
      default: true,
      description: "auto.create.topics.enable (use --no-auto-create to disable)",
    },
    port: { type: "string", description: "Client port (default: a free port)" },
    partitions: { type: "string", description: "num.partitions (default 1)" },
  },
  async run({ args }) {
    const t0 = Date.now();
    await ensureKafkaJars();
    const before = readBrokerState(args.name);
    const handle = await ensureBroker({
      name: args.name,
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
  meta: { name: "down", description: "Stop local Kafka broker(s); logs are kept" },
  args: {
    name: { type: "string", default: "default", description: "Broker name" },
    all: { type: "boolean", default: false, description: "Stop every broker" },
  },
  async run({ args }) {
    const names = args.all ? listBrokers() : [args.name];
    for (const name of names) {
      const state = readBrokerState(name);
      await stopBroker(name);
      console.error(state ? `stopped "${name}" (pid ${state.pid})` : `"${name}" was not running`);
    }
  },
});

const status = defineCommand({
  meta: { name: "status", description: "Show known brokers" },
  async run() {
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
  },
  async run({ args }) {
    const t0 = Date.now();
    const { ensureSecureBroker, SECRETS_FILE } = await import("./secure.ts");
    const before = readBrokerState(args.name);
    const broker = await ensureSecureBroker({ name: args.name });
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
  subCommands: { up, down, status, secure },
});

await runMain(main);
