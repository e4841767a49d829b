/**
 * Command line for the local Schema Registry harness (Apicurio Registry, see registry.ts).
 *   bun scripts/registry/cli.ts up [--name default]
 *   bun scripts/registry/cli.ts down [--name default | --all]
 *   bun scripts/registry/cli.ts status
 * `up` prints the log location, then the Confluent-compatible API URL (a client's registry URL)
 * as the last line of stdout; progress goes to stderr.
 */
import { defineCommand, runMain } from "citty";
import {
  DEFAULT_REGISTRY_NAME,
  ensureRegistry,
  listRegistries,
  readRegistryState,
  registryStatus,
  residentMiB,
  stopRegistry,
} from "./registry.ts";

const up = defineCommand({
  meta: { name: "up", description: "Ensure a local Apicurio Registry (Confluent-compatible API) is running" },
  args: {
    name: { type: "string", default: DEFAULT_REGISTRY_NAME, description: "Registry name" },
  },
  async run({ args }) {
    const t0 = Date.now();
    const before = readRegistryState(args.name);
    const handle = await ensureRegistry({ name: args.name });
    const reused = before !== null && before.pid === handle.pid;
    const rss = residentMiB(handle.pid);
    console.error(
      `apicurio registry ${handle.version} (Java ${handle.javaMajor}) "${handle.name}" ${reused ? "reused" : "started"} (pid ${handle.pid}) in ${Date.now() - t0} ms${rss === undefined ? "" : `, ${rss} MiB resident`}`,
    );
    console.log(`log: ${handle.logFile}`);
    console.log(handle.url);
  },
});

const down = defineCommand({
  meta: { name: "down", description: "Stop local registries (their schemas are lost; logs are kept)" },
  args: {
    name: { type: "string", default: DEFAULT_REGISTRY_NAME, description: "Registry name" },
    all: { type: "boolean", default: false, description: "Stop every registry" },
  },
  async run({ args }) {
    for (const name of args.all ? listRegistries() : [args.name]) {
      const state = readRegistryState(name);
      await stopRegistry(name);
      console.error(state ? `stopped "${name}" (pid ${state.pid})` : `"${name}" was not running`);
    }
  },
});

const status = defineCommand({
  meta: { name: "status", description: "Show known registries" },
  async run() {
    const names = listRegistries();
    if (names.length === 0) console.log("no registries");
    for (const name of names) {
      const s = await registryStatus(name);
      const health = s.answering ? "up" : s.alive ? "not answering" : "dead";
      console.log(
        `${name}\t${health}\t${s.state?.url ?? "?"}\tpid ${s.state?.pid ?? "?"}\t${s.state?.logFile ?? ""}`,
      );
    }
  },
});

const main = defineCommand({
  meta: { name: "registry", description: "Local Schema Registry (Apicurio) for tests" },
  subCommands: { up, down, status },
});

await runMain(main);
