/**
 * A fake Kafka cluster behind the Wire interface, for the produce path's tests without a broker:
 * it answers ApiVersions from a version table per broker, Metadata from a topic layout, and
 * Produce through a handler the test programs (default: accept), keeping every batch that was
 * accepted so the tests can read back what "landed" and in which order.
 */
import { Reader, readRecordsBatch } from "@platformatic/kafka";
import { APIS, type BrokerApis } from "../../src/kafka/wire/apis.ts";
import type { Clock } from "../../src/kafka/wire/clock.ts";
import type { ClusterMetadata, MetadataArgs } from "../../src/kafka/wire/metadata.ts";
import type { PartitionResult, ProduceArgs } from "../../src/kafka/wire/produce.ts";
import type { BrokerAddress, Wire, WireRequest } from "../../src/kafka/wire/request.ts";

/**
 * ApiVersions answers, for the APIs the connector uses: 1.0, 2.8 and 4.x as Kafka 1.0.2, 2.8.2 and
 * 4.4.0 answered in the compat run (docs/COMPATIBILITY.md; ApiVersions' own range is not recorded
 * there; ListOffsets and DeleteRecords as 1.0.2 and 4.4.0 answered when those were added, 2.8's
 * as its protocol guide lists them); 0.10.2 as a release before message format v2 (Produce up to
 * v2) would.
 */
export const BROKER_APIS: Record<string, BrokerApis> = {
  "0.10.2": apis({ 0: [0, 2], 3: [0, 2], 18: [0, 1], 19: [0, 1] }),
  "1.0": apis({
    0: [0, 5],
    2: [0, 2],
    3: [0, 5],
    10: [0, 1],
    18: [0, 1],
    19: [0, 2],
    21: [0, 0],
    22: [0, 0],
    24: [0, 0],
    26: [0, 0],
  }),
  "2.8": apis({
    0: [0, 9],
    2: [0, 6],
    3: [0, 11],
    10: [0, 3],
    18: [0, 3],
    19: [0, 7],
    21: [0, 2],
    22: [0, 4],
    24: [0, 3],
    26: [0, 3],
  }),
  "4.x": apis({
    0: [0, 13],
    2: [1, 11],
    3: [0, 13],
    10: [0, 6],
    18: [0, 4],
    19: [2, 7],
    21: [0, 2],
    22: [0, 5],
    24: [0, 5],
    26: [0, 5],
  }),
};

export interface Landed {
  topic: string;
  partition: number;
  values: string[];
  producerId: bigint;
  firstSequence: number;
  transactional: boolean;
}

export interface ProduceCall {
  broker: BrokerAddress;
  version: number;
  args: ProduceArgs;
}

/** Per produce request: the results to answer, an error to fail with, or undefined to accept all. */
export type ProduceHandler = (
  call: ProduceCall,
  index: number,
) => PartitionResult[] | Error | undefined | Promise<PartitionResult[] | undefined>;

export interface FakeClusterOptions {
  /** Kafka release per broker, keys of BROKER_APIS; node ids are the array's indexes. */
  brokers: string[];
  /** Partition count per topic; partition p's leader is node p % brokers. */
  topics: Record<string, number>;
  onProduce?: ProduceHandler;
  /** Answers any request first (by API name); undefined: the fake's own answer. An Error is thrown. */
  onRequest?: (api: string, args: unknown, broker: BrokerAddress) => unknown;
}

export function fakeCluster(options: FakeClusterOptions) {
  const addresses = options.brokers.map((_, i) => ({ host: `broker${i}`, port: 9092 }));
  const calls: { broker: BrokerAddress; api: string; version: number; args: unknown }[] = [];
  const produceCalls: ProduceCall[] = [];
  const landed: Landed[] = [];
  const nodeOf = (broker: BrokerAddress) => addresses.findIndex((a) => a.host === broker.host);
  const metadata = (asked: string[]): ClusterMetadata => ({
    brokers: new Map(addresses.map((address, id) => [id, address])),
    controllerId: 0,
    topics: new Map(
      Object.entries(options.topics)
        .filter(([name]) => asked.includes(name))
        .map(([name, count]) => [
          name,
          {
            errorCode: 0,
            partitions: Array.from({ length: count }, (_, index) => ({
              index,
              errorCode: 0,
              leader: index % addresses.length,
            })),
          },
        ]),
    ),
  });
  const wire: Wire = {
    async call<Args, Response>(
      broker: BrokerAddress,
      request: WireRequest<Args, Response>,
    ): Promise<Response> {
      await Promise.resolve();
      calls.push({ broker, api: request.api.name, version: request.version, args: request.args });
      const override = options.onRequest?.(request.api.name, request.args, broker);
      if (override instanceof Error) throw override;
      if (override !== undefined) return override as Response;
      const release = options.brokers[nodeOf(broker)] as string;
      if (request.api.key === APIS.apiVersions.key) return BROKER_APIS[release] as Response;
      if (request.api.key === APIS.metadata.key)
        return metadata((request.args as MetadataArgs).topics) as Response;
      if (request.api.key !== APIS.produce.key) throw new Error(`the fake has no ${request.api.name}`);
      const call = { broker, version: request.version, args: request.args as ProduceArgs };
      produceCalls.push(call);
      const answer = await options.onProduce?.(call, produceCalls.length - 1);
      if (answer instanceof Error) throw answer;
      const results =
        answer ??
        call.args.batches.map(({ topic, partition }) => ({
          topic,
          partition,
          errorCode: 0,
          errorMessage: null,
        }));
      for (const batch of call.args.batches) {
        const result = results.find((r) => r.topic === batch.topic && r.partition === batch.partition);
        if (result?.errorCode !== 0) continue;
        const decoded = readRecordsBatch(Reader.from(batch.bytes));
        landed.push({
          topic: batch.topic,
          partition: batch.partition,
          values: decoded.records.map((record) => String(record.value)),
          producerId: decoded.producerId,
          firstSequence: decoded.firstSequence,
          transactional: (decoded.attributes & 0x10) !== 0,
        });
      }
      return results as Response;
    },
    close: async () => undefined,
  };
  return { wire, addresses, calls, produceCalls, landed };
}

/** A clock the test moves by hand: `sleep` resolves at once and advances time by its delay. */
export function fakeClock(start = 1_000_000): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

/** A result of one partition, for ProduceHandlers. */
export const result = (topic: string, partition: number, errorCode = 0): PartitionResult => ({
  topic,
  partition,
  errorCode,
  errorMessage: null,
});

// --- internal ---

function apis(table: Record<number, [number, number]>): BrokerApis {
  return new Map(Object.entries(table).map(([key, [min, max]]) => [Number(key), { min, max }]));
}
