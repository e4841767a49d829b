/**
 * What a transaction coordinator knows about a transactional id, as `kafka-transactions.sh describe`
 * prints it: FindCoordinator (key type TRANSACTION) on any broker, then DescribeTransactions on the
 * coordinator. For tests: it shows the transaction timeout a producer registered, read from the
 * broker rather than from the producer's own settings.
 *
 *   DescribeTransactions Request (Version: 0) => [transactional_ids] TAG_BUFFER
 */
import {
  Admin,
  type Broker,
  type Connection,
  describeTransactionsV0,
  FindCoordinatorKeyTypes,
  findCoordinatorV6,
  kGetBootstrapConnection,
  kGetConnection,
} from "@platformatic/kafka";

export interface TransactionDescription {
  state: string;
  timeoutMs: number;
  producerId: bigint;
  producerEpoch: number;
  /** Topic partitions in the ongoing transaction, as `topic:partition`. */
  partitions: string[];
}

export async function describeTransaction(
  bootstrap: string,
  transactionalId: string,
): Promise<TransactionDescription> {
  const admin = new Admin({ clientId: "destination-kafka-admin", bootstrapBrokers: bootstrap.split(",") });
  try {
    const any = await new Promise<Connection>((resolve, reject) =>
      admin[kGetBootstrapConnection]((error, connection) =>
        error || !connection ? reject(error) : resolve(connection),
      ),
    );
    const found = await findCoordinatorV6.api.async(any, FindCoordinatorKeyTypes.TRANSACTION, [
      transactionalId,
    ]);
    const coordinator = found.coordinators[0];
    if (coordinator?.errorCode !== 0 || !coordinator) {
      throw new Error(`no coordinator for ${transactionalId} (error ${coordinator?.errorCode})`);
    }
    const broker: Broker = { host: coordinator.host, port: coordinator.port };
    const connection = await new Promise<Connection>((resolve, reject) =>
      admin[kGetConnection](broker, (error, connection) =>
        error || !connection ? reject(error) : resolve(connection),
      ),
    );
    const described = await describeTransactionsV0.api.async(connection, [transactionalId]);
    const state = described.transactionStates[0];
    if (state?.errorCode !== 0 || !state) {
      throw new Error(`cannot describe ${transactionalId} (error ${state?.errorCode})`);
    }
    return {
      state: state.transactionState,
      timeoutMs: state.transactionTimeoutMs,
      producerId: state.producerId,
      producerEpoch: state.producerEpoch,
      partitions: state.topics.flatMap(({ topic, partitions }) => partitions.map((p) => `${topic}:${p}`)),
    };
  } finally {
    await admin.close();
  }
}
