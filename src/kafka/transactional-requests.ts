/**
 * Two requests of @platformatic/kafka 2.12's transactional producer, corrected on one producer:
 *
 * - InitProducerId. The client fills `transaction_timeout_ms` with its own `timeout` option, which
 *   is also every Produce request's broker-side timeout (ours: `request_timeout_ms`), and asks for
 *   producer id 0 / epoch 0 where Kafka's grammar means "a new producer" by -1 / -1; a coordinator
 *   that knows the transactional id already answers PRODUCER_FENCED, so a second run could never
 *   start. Ours carries `transaction_timeout_ms` and -1 / -1, as Java's initTransactions() sends:
 *
 *     InitProducerId Request (Version: 5) => transactional_id transaction_timeout_ms producer_id producer_epoch TAG_BUFFER
 *
 * - AddPartitionsToTxn. The client takes the highest version the broker offers, but Kafka's
 *   definition says "Versions 3 and below are exclusively used by clients and versions 4 and above
 *   are used by brokers" (a broker with an authorizer wants ClusterAction for them). Ours is v3,
 *   which the client's own v3 encoder writes from the same arguments.
 *
 * Both go out on the client's own connection to the transaction coordinator, with its retries.
 */
import {
  type API,
  addPartitionsToTxnV3,
  type Callback,
  type Connection,
  kGetApi,
  type Producer,
} from "@platformatic/kafka";

/** Makes `producer` send the two requests above as Kafka's clients should. */
export function correctTransactionalRequests(producer: Producer, transactionTimeoutMs: number): void {
  const client = producer as unknown as ApiSource;
  const getApi = client[kGetApi].bind(producer);
  client[kGetApi] = (name, callback) =>
    getApi(name, (error, api) => {
      if (error || !api) callback(error, api as AnyApi);
      else if (name === "InitProducerId")
        callback(null, initProducerId(api as InitProducerIdApi, transactionTimeoutMs));
      else if (name === "AddPartitionsToTxn" && api.version > 3)
        callback(null, addPartitionsToTxnV3.api as AnyApi);
      else callback(null, api);
    });
}

// --- internal ---

type AnyApi = API<unknown[], unknown>;
type InitProducerIdApi = API<[string | null, number, bigint, number], unknown>;

interface ApiSource {
  [kGetApi](name: string, callback: Callback<AnyApi>): void;
}

/** The client's InitProducerId of the negotiated version, with our timeout and a new producer's ids. */
function initProducerId(api: InitProducerIdApi, timeoutMs: number): AnyApi {
  const send = (connection: Connection, transactionalId: string | null, ...rest: unknown[]) => {
    const callback = rest.at(-1) as Callback<unknown>;
    api(connection, transactionalId, timeoutMs, -1n, -1, callback);
  };
  const async = (connection: Connection, transactionalId: string | null) =>
    api.async(connection, transactionalId, timeoutMs, -1n, -1);
  return Object.assign(send, { async, key: api.key, version: api.version }) as unknown as AnyApi;
}
