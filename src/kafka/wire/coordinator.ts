/**
 * Producer ids and transactions against the cluster (KIP-98): an idempotent producer takes a fresh
 * id from any broker; a transactional one finds its coordinator, takes its id's next epoch (which
 * fences any older producer of the same transactional_id and ends what it left open), registers
 * each partition with the open transaction before its first batch, and ends the transaction.
 * Bounded by `maxBlockMs`, as Java's initTransactions() and commitTransaction() are.
 */
import { ProtocolError } from "@platformatic/kafka";
import { retryDelayMs } from "../client-options.ts";
import { APIS } from "./apis.ts";
import { askUntil } from "./ask.ts";
import type { Clock } from "./clock.ts";
import type { Cluster } from "./cluster.ts";
import type { Identity } from "./producer.ts";
import type { BrokerAddress } from "./request.ts";
import {
  type Answer,
  addPartitionsToTxnRequest,
  endTxnRequest,
  findCoordinatorRequest,
  initProducerIdRequest,
} from "./transaction-apis.ts";

export interface CoordinatorSettings {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  maxBlockMs: number;
}

export interface Coordinator {
  /** The producer id and epoch to write with (asked once). */
  identity(): Promise<Identity>;
  /** Registers partitions with the open transaction. */
  addPartitions(identity: Identity, partitions: { topic: string; partition: number }[]): Promise<void>;
  /** Commits (or aborts) the open transaction. */
  endTransaction(identity: Identity, commit: boolean): Promise<void>;
}

export function createCoordinator(
  cluster: Cluster,
  settings: CoordinatorSettings,
  clock: Clock,
): Coordinator {
  const { transactionalId } = settings;
  let located: Promise<BrokerAddress> | undefined;
  let identity: Promise<Identity> | undefined;
  const forget = () => {
    located = undefined;
  };

  /** The transaction coordinator, or for an idempotent producer any broker. */
  const where = (): Promise<BrokerAddress> => {
    if (located) return located;
    const id = transactionalId;
    located =
      id === null
        ? cluster.bootstrap()
        : cluster.bootstrap().then(async (broker) => {
            const found = await askUntil(clock, clock.now() + settings.maxBlockMs, () =>
              cluster.call(broker, APIS.findCoordinator, (version) => findCoordinatorRequest(version, id)),
            );
            return { host: found.host, port: found.port };
          });
    located.catch(forget);
    return located;
  };

  const ask = <T extends Answer>(
    call: (coordinator: BrokerAddress) => Promise<T>,
    delayMs?: (attempt: number, failure: Error) => number,
  ) => askUntil(clock, clock.now() + settings.maxBlockMs, async () => call(await where()), forget, delayMs);

  return {
    identity() {
      identity ??= ask((broker) =>
        cluster.call(broker, APIS.initProducerId, (version) =>
          initProducerIdRequest(version, {
            transactionalId,
            transactionTimeoutMs: settings.transactionTimeoutMs,
          }),
        ),
      ).then(({ producerId, producerEpoch }) => ({ producerId, producerEpoch, transactionalId }));
      identity.catch(() => {
        identity = undefined;
      });
      return identity;
    },
    async addPartitions(owner, partitions) {
      const args = { ...txnArgs(owner), partitions };
      // The answer is per partition; the first refusal stands for all, and the partitions the
      // coordinator did not try because of it (OPERATION_NOT_ATTEMPTED) are asked again with it.
      await ask(async (broker) => {
        const answers = await cluster.call(broker, APIS.addPartitionsToTxn, (version) =>
          addPartitionsToTxnRequest(version, args),
        );
        const refused = answers.filter((answer) => answer.errorCode !== 0);
        return (
          refused.find((answer) => answer.errorCode !== OPERATION_NOT_ATTEMPTED) ??
          refused[0] ?? { errorCode: 0, errorMessage: null }
        );
      }, addPartitionsDelayMs);
    },
    async endTransaction(owner, commit) {
      await ask((broker) =>
        cluster.call(broker, APIS.endTxn, (version) =>
          endTxnRequest(version, { ...txnArgs(owner), committed: commit }),
        ),
      );
    },
  };
}

// --- internal ---

const OPERATION_NOT_ATTEMPTED = 55;

/**
 * Java's TransactionManager retries an AddPartitionsToTxn refused with CONCURRENT_TRANSACTIONS
 * after 20 ms (ADD_PARTITIONS_RETRY_BACKOFF_MS) instead of its usual backoff: the refusal means the
 * previous transaction's commit is still being written, which takes milliseconds, and the next
 * transaction's first send waits for it. With the usual 100 ms, doubling, every commit cost a
 * tenth of a second or more.
 */
export const ADD_PARTITIONS_RETRY_BACKOFF_MS = 20;

function addPartitionsDelayMs(attempt: number, failure: Error): number {
  const concurrent = failure instanceof ProtocolError && failure.apiId === "CONCURRENT_TRANSACTIONS";
  return concurrent ? ADD_PARTITIONS_RETRY_BACKOFF_MS : retryDelayMs(attempt);
}

function txnArgs(identity: Identity) {
  return {
    transactionalId: identity.transactionalId ?? "",
    producerId: identity.producerId,
    producerEpoch: identity.producerEpoch,
  };
}
