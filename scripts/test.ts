/**
 * `npm test`: lint, type-check, then the whole `bun test` suite against real local Kafka brokers
 * (the integration tests start them through the harness). Brokers and registries this run started are stopped at
 * the end; ones that were already up are left alone. The last line is `N passed, N failed`, taken
 * from bun's own summary.
 *
 * `npm run test:unit` (`--unit`): only the unit tier (test-tiers.ts), no lint, no brokers: the
 * edit-and-test loop. Other arguments go to `bun test`.
 */
import { brokerStatus, listBrokers, stopBroker } from "./kafka/broker.ts";
import { removeStaleDisks } from "./kafka/disk.ts";
import { removeStaleNamespaces } from "./kafka/netns.ts";
import { listRegistries, registryStatus, stopRegistry } from "./registry/registry.ts";
import { unitTestFiles } from "./test-tiers.ts";

const BIN = `${import.meta.dir}/../node_modules/.bin`;
const unit = process.argv.includes("--unit");
const args = process.argv.slice(2).filter((arg) => arg !== "--unit");

if (!unit) {
  await step("lint (biome)", [`${BIN}/biome`, "ci", "."]);
  await step("types (tsc --noEmit)", [`${BIN}/tsc`, "--noEmit", "-p", "."]);
}

// The unit tier starts no broker or registry, so it leaves them all alone.
const stopStarted = unit ? async () => {} : await stopperOfStarted();

const counts = { pass: 0, fail: 0, skip: 0, todo: 0 };
// Paths are given with ./ so that bun takes them as files, not as name filters.
const files = unit ? unitTestFiles().map((file) => `./${file}`) : [];
const child = Bun.spawn([process.execPath, "test", ...files, ...args], {
  stdout: "inherit",
  stderr: "pipe",
  env: { ...process.env, FORCE_COLOR: "0" },
});
const decoder = new TextDecoder();
let tail = "";
for await (const chunk of child.stderr) {
  process.stderr.write(chunk);
  const lines = (tail + decoder.decode(chunk, { stream: true })).split("\n");
  tail = lines.pop() ?? "";
  for (const line of lines) {
    const match = /^\s*(\d+) (pass|fail|skip|todo)$/.exec(line);
    if (match?.[1] && match[2]) counts[match[2] as keyof typeof counts] = Number(match[1]);
  }
}
const exitCode = await child.exited;

await stopStarted();
// The tests delete the network namespaces and unmount the disks they make; this catches those of a
// test process that died.
if (!unit) {
  await removeStaleNamespaces();
  await removeStaleDisks();
}

if (counts.skip + counts.todo > 0)
  console.error(`${counts.skip + counts.todo} tests were skipped: none may be.`);
console.log(`${counts.pass} passed, ${counts.fail} failed`);
process.exit(exitCode !== 0 || counts.skip + counts.todo > 0 ? 1 : 0);

// --- internal ---

/** Notes the brokers and registries that answer now; the function returned stops the others. */
async function stopperOfStarted(): Promise<() => Promise<void>> {
  const upBefore = new Set<string>();
  for (const name of listBrokers()) if ((await brokerStatus(name)).answering) upBefore.add(name);
  const registriesBefore = new Set<string>();
  for (const name of listRegistries()) if ((await registryStatus(name)).answering) registriesBefore.add(name);
  return async () => {
    for (const name of listBrokers()) if (!upBefore.has(name)) await stopBroker(name);
    for (const name of listRegistries()) if (!registriesBefore.has(name)) await stopRegistry(name);
  };
}

async function step(label: string, command: string[]): Promise<void> {
  console.error(`== ${label}`);
  const code = await Bun.spawn(command, { stdout: "inherit", stderr: "inherit" }).exited;
  if (code !== 0) {
    console.error(`${label} failed`);
    console.log("0 passed, 0 failed");
    process.exit(code);
  }
}
