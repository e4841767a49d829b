/**
 * The cluster as the produce path sees it: brokers reached through a Wire, each asked once what it
 * accepts (ApiVersions) and held to what the config needs (requirements.ts), every request sent at
 * the highest version both sides speak, and topic metadata cached until a send says it is stale.
 */
import { ProtocolError } from "@platformatic/kafka";
import { apiVersionsRequest } from "./api-versions.ts";
import { APIS, type ApiSpec, type BrokerApis, chooseVersion } from "./apis.ts";
import { type ClusterMetadata, metadataRequest, type TopicMetadata } from "./metadata.ts";
import type { BrokerAddress, Wire, WireRequest } from "./request.ts";
import { type Requirement, unmetRequirement } from "./requirements.ts";

export interface Cluster {
  /** Sends the request `build` makes at the version of `api` that `broker` and we both speak. */
  call<Args, Response>(
    broker: BrokerAddress,
    api: ApiSpec,
    build: (version: number) => WireRequest<Args, Response>,
  ): Promise<Response>;
  /** The first bootstrap broker that answers ApiVersions (and meets the requirements). */
  bootstrap(): Promise<BrokerAddress>;
  /** Metadata of `topics`, from the cache unless `refresh` or a topic is not in it. */
  metadata(topics: string[], options: { autoCreate: boolean; refresh?: boolean }): Promise<Snapshot>;
  close(): Promise<void>;
}

/** What a send needs to know of its topics: their partitions and where the brokers are. */
export interface Snapshot {
  brokers: ReadonlyMap<number, BrokerAddress>;
  controllerId: number;
  topics: ReadonlyMap<string, TopicMetadata>;
}

/** As Java's metadata.max.age.ms: partitions added to a topic are seen within five minutes. */
const METADATA_MAX_AGE_MS = 300_000;

export function createCluster(
  wire: Wire,
  bootstrapServers: BrokerAddress[],
  requirements: Requirement[],
  now: () => number = Date.now,
): Cluster {
  const versions = new Map<string, Promise<BrokerApis>>();
  const topics = new Map<string, TopicMetadata>();
  const brokers = new Map<number, BrokerAddress>();
  let controllerId = -1;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let answering: BrokerAddress | undefined;

  const versionsOf = (broker: BrokerAddress): Promise<BrokerApis> => {
    const key = `${broker.host}:${broker.port}`;
    let known = versions.get(key);
    if (!known) {
      known = wire.call(broker, apiVersionsRequest()).then((apis) => {
        const unmet = unmetRequirement(requirements, apis, `the broker at ${key}`);
        if (unmet) throw unmet;
        return apis;
      });
      // A broker that could not be asked is asked again next time.
      known.catch(() => versions.delete(key));
      versions.set(key, known);
    }
    return known;
  };

  const call: Cluster["call"] = async (broker, api, build) => {
    const version = chooseVersion(api, await versionsOf(broker));
    if (version === undefined) {
      // requirements.ts names what the config needs; this is an API no requirement covered.
      throw new ProtocolError(
        "UNSUPPORTED_VERSION",
        `the broker at ${broker.host}:${broker.port} does not speak ${api.name} v${api.min}–v${api.max}`,
      );
    }
    return wire.call(broker, build(version));
  };

  const bootstrap = async (): Promise<BrokerAddress> => {
    if (answering) return answering;
    const failures: unknown[] = [];
    for (const broker of bootstrapServers) {
      try {
        await versionsOf(broker);
        answering = broker;
        return broker;
      } catch (error) {
        // A broker too old for the config is the answer, not a reason to try the next one.
        if (isConfigError(error)) throw error;
        failures.push(error);
      }
    }
    throw failures.length === 1 ? failures[0] : new AggregateError(failures, "no bootstrap broker answered");
  };

  /**
   * Asks for metadata the broker that answered last, else each broker the cluster named and each
   * bootstrap server in turn, as Java asks its least loaded node: a broker that went away (a
   * leader killed, a restart) is not the only one asked.
   */
  const ask = async (names: string[], autoCreate: boolean): Promise<ClusterMetadata> => {
    const candidates = uniqueAddresses([
      ...(answering ? [answering] : []),
      ...brokers.values(),
      ...bootstrapServers,
    ]);
    const failures: unknown[] = [];
    for (const broker of candidates) {
      try {
        const answer = await call(broker, APIS.metadata, (version) =>
          metadataRequest(version, { topics: names, allowAutoTopicCreation: autoCreate }),
        );
        answering = broker;
        return answer;
      } catch (error) {
        if (isConfigError(error)) throw error;
        failures.push(error);
      }
    }
    answering = undefined;
    throw failures.length === 1 ? failures[0] : new AggregateError(failures, "no broker answered");
  };

  const fetch = async (names: string[], autoCreate: boolean): Promise<void> => {
    const answer = await ask(names, autoCreate);
    fetchedAt = now();
    brokers.clear();
    for (const [id, address] of answer.brokers) brokers.set(id, address);
    controllerId = answer.controllerId;
    for (const [name, topic] of answer.topics) {
      if (topic.errorCode === 0 && topic.partitions.length > 0) topics.set(name, topic);
      else topics.delete(name);
    }
    const failed = names
      .map((name) => [name, answer.topics.get(name)] as const)
      .find(([, t]) => t?.errorCode !== 0);
    if (failed) throw new ProtocolError(failed[1]?.errorCode ?? 3, null, { topic: failed[0] });
  };

  return {
    call,
    bootstrap,
    async metadata(names, { autoCreate, refresh = false }) {
      const stale = now() - fetchedAt > METADATA_MAX_AGE_MS;
      if (refresh || stale || names.some((name) => !topics.has(name))) await fetch(names, autoCreate);
      return { brokers, controllerId, topics };
    },
    close: () => wire.close(),
  };
}

// --- internal ---

function uniqueAddresses(addresses: BrokerAddress[]): BrokerAddress[] {
  const seen = new Map<string, BrokerAddress>();
  for (const address of addresses) seen.set(`${address.host}:${address.port}`, address);
  return [...seen.values()];
}

function isConfigError(error: unknown): boolean {
  return (error as { failureType?: string } | undefined)?.failureType === "config_error";
}
