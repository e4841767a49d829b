/**
 * Reading transactional writes back the way a downstream consumer does, with a client independent of
 * the connector's own (kcat, i.e. librdkafka; installed through bench/tools/kcat.ts when missing),
 * and asking the transaction coordinator what it holds. Loopback brokers only.
 */
import { ensureKcat } from "../../bench/tools/kcat.ts";
import { assertLoopback } from "../../scripts/kafka/loopback.ts";
import * as transactions from "../../scripts/kafka/transactions.ts";

export interface ReadBack {
  /** `_airbyte_data` of each record, in offset order. */
  data: Record<string, unknown>[];
}

/**
 * Every record of `topic` up to its end, with `isolation.level` as given: with read_committed the end
 * is the last stable offset, so an open transaction's records are not read and aborted ones never are.
 */
export async function readWithKcat(
  bootstrap: string,
  topic: string,
  isolation: "read_committed" | "read_uncommitted",
  timeoutMs = 20_000,
): Promise<ReadBack> {
  assertLoopback(bootstrap);
  await ensureKcat(() => {});
  const child = Bun.spawn(
    ["kcat", "-C", "-b", bootstrap, "-t", topic, "-e", "-q", "-J", "-X", `isolation.level=${isolation}`],
    { stdout: "pipe", stderr: "pipe" },
  );
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  if (code !== 0) throw new Error(`kcat exited ${code}: ${stderr.slice(-500)}`);
  const data = stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(JSON.parse(line).payload)._airbyte_data as Record<string, unknown>);
  return { data };
}

/** What the coordinator of a loopback broker holds for `transactionalId`. */
export function describeTransaction(bootstrap: string, transactionalId: string) {
  assertLoopback(bootstrap);
  return transactions.describeTransaction(bootstrap, transactionalId);
}
