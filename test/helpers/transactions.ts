/**
 * Reading transactional writes back the way a downstream consumer does, with a client independent of
 * the connector's own (kcat, i.e. librdkafka; installed through scripts/kafka/kcat.ts when missing),
 * and asking the transaction coordinator what it holds. Loopback brokers only.
 */
import { consumeWithKcat } from "../../scripts/kafka/kcat.ts";
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
  const messages = await consumeWithKcat(bootstrap, topic, isolation, timeoutMs);
  const data = messages.map(
    (message) => JSON.parse(message.payload ?? "null")._airbyte_data as Record<string, unknown>,
  );
  return { data };
}

/** What the coordinator of a loopback broker holds for `transactionalId`. */
export function describeTransaction(bootstrap: string, transactionalId: string) {
  assertLoopback(bootstrap);
  return transactions.describeTransaction(bootstrap, transactionalId);
}
