/**
 * The connector's entry point: `spec`, `check` and `write`, each loaded only when called so `spec`
 * never evaluates the Kafka client.
 */
import process from "node:process";
import { defineCommand, runMain } from "citty";
import pkg from "../package.json" with { type: "json" };
import { flushStdout } from "./protocol/emit.ts";

const main = defineCommand({
  meta: {
    name: "destination-kafka",
    version: pkg.version,
    description: "Airbyte destination for Apache Kafka",
  },
  subCommands: {
    spec: () => import("./commands/spec.ts").then((module) => module.default),
    check: () => import("./commands/check.ts").then((module) => module.default),
    write: () => import("./commands/write.ts").then((module) => module.default),
  },
});

await runMain(main);
// Every message was written with backpressure honoured; wait for stdout to flush, then end even if
// a broker connection is still half-open.
await flushStdout();
process.exit(process.exitCode ?? 0);
