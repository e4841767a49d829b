/**
 * The transaction timeout the broker is told. @platformatic/kafka 2.12 fills InitProducerId's
 * `transaction_timeout_ms` with its own `timeout` option, which is also every Produce request's
 * broker-side timeout (ours: `request_timeout_ms`), and it asks for producer id 0 / epoch 0 where
 * Kafka's grammar means "a new producer" by -1 / -1:
 *
 *   InitProducerId Request (Version: 5) => transactional_id transaction_timeout_ms producer_id producer_epoch TAG_BUFFER
 *
 * So the client's own InitProducerId is replaced, on this producer only, by ours: the same request
 * on the client's connection to the transaction coordinator, with `transaction_timeout_ms` and -1 / -1,
 * as the Java producer's initTransactions() sends. A new producer with the same transactional id thus
 * fences the one before it, whose open transaction the coordinator aborts.
 */
import { type API, type Callback, type Connection, kGetApi, type Producer } from "@platformatic/kafka";

/** Makes `producer` tell the coordinator `timeoutMs` whenever it initializes its producer id. */
export function tellTransactionTimeout(producer: Producer, timeoutMs: number): void {
  const client = producer as unknown as ApiSource;
  const getApi = client[kGetApi].bind(producer);
  client[kGetApi] = (name, callback) =>
    getApi(name, (error, api) => {
      if (error || name !== "InitProducerId" || !api) callback(error, api as API<unknown[], unknown>);
      else callback(null, initProducerId(api as InitProducerIdApi, timeoutMs) as API<unknown[], unknown>);
    });
}

// --- internal ---

type InitProducerIdArgs = [string | null, number, bigint, number];
type InitProducerIdApi = API<InitProducerIdArgs, unknown>;

interface ApiSource {
  [kGetApi](name: string, callback: Callback<API<unknown[], unknown>>): void;
}

/** The client's InitProducerId of the negotiated version, with our timeout and a new producer's ids. */
function initProducerId(api: InitProducerIdApi, timeoutMs: number): InitProducerIdApi {
  const send = (connection: Connection, transactionalId: string | null, ...rest: unknown[]) => {
    const callback = rest.at(-1) as Callback<unknown>;
    api(connection, transactionalId, timeoutMs, -1n, -1, callback);
  };
  const async = (connection: Connection, transactionalId: string | null) =>
    api.async(connection, transactionalId, timeoutMs, -1n, -1);
  return Object.assign(send, { async, key: api.key, version: api.version }) as unknown as InitProducerIdApi;
}
