import { afterEach, describe, expect, it } from "bun:test";
import { type API, addPartitionsToTxnV3, type Callback, kGetApi, Producer } from "@platformatic/kafka";
import { correctTransactionalRequests } from "../../src/kafka/transactional-requests.ts";

type AnyApi = API<unknown[], unknown>;
interface ApiSource {
  [kGetApi](name: string, callback: Callback<AnyApi>): void;
}

/** A fake API of `version` that records the arguments it is called with. */
function fakeApi(key: number, version: number, calls: unknown[][]): AnyApi {
  const api = (_connection: unknown, ...args: unknown[]) => {
    calls.push(args.slice(0, -1));
    (args.at(-1) as Callback<unknown>)(null, {});
  };
  return Object.assign(api, { async: async () => ({}), key, version }) as unknown as AnyApi;
}

const producers: Producer[] = [];
afterEach(async () => {
  for (const producer of producers.splice(0)) await producer.close();
});

/** A producer (never connected) whose client offers `apis`, corrected with `timeoutMs`. */
function corrected(apis: Record<string, AnyApi>, timeoutMs: number) {
  const producer = new Producer({ clientId: "t", bootstrapBrokers: ["127.0.0.1:1"], idempotent: true });
  producers.push(producer);
  const client = producer as unknown as ApiSource;
  client[kGetApi] = (name, callback) => callback(null, apis[name] as AnyApi);
  correctTransactionalRequests(producer, timeoutMs);
  return (name: string) =>
    new Promise<AnyApi>((resolve, reject) =>
      client[kGetApi](name, (error, api) => (error || !api ? reject(error) : resolve(api))),
    );
}

describe("the transactional producer's requests", () => {
  it("InitProducerId carries transaction_timeout_ms and asks for a new producer id (-1 / -1)", async () => {
    const calls: unknown[][] = [];
    const getApi = corrected({ InitProducerId: fakeApi(22, 5, calls) }, 45_678);
    const api = await getApi("InitProducerId");
    expect(api.version).toBe(5);
    // What the client passes: its `timeout` option (request_timeout_ms) and producer id 0, epoch 0.
    await new Promise((resolve) =>
      (api as unknown as (...args: unknown[]) => void)({}, "tx-1", 30_000, 0n, 0, resolve),
    );
    expect(calls).toEqual([["tx-1", 45_678, -1n, -1]]);
  });

  it("AddPartitionsToTxn is sent as v3, the highest version Kafka lets clients use", async () => {
    const getApi = corrected({ AddPartitionsToTxn: fakeApi(24, 5, []) }, 1000);
    expect(await getApi("AddPartitionsToTxn")).toBe(addPartitionsToTxnV3.api as unknown as AnyApi);
  });

  it("leaves every other request as the client chose it", async () => {
    const produce = fakeApi(0, 11, []);
    const getApi = corrected({ Produce: produce }, 1000);
    expect(await getApi("Produce")).toBe(produce);
  });
});
