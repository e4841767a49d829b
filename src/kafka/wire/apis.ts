/**
 * The Kafka APIs this connector speaks, each with the range of versions it implements. A broker
 * says which versions it accepts (ApiVersions); a request goes out at the highest version both
 * sides know. From version `flexibleFrom` on, an API's messages use Kafka's compact encoding and
 * tagged fields (KIP-482), and its requests a v2 header.
 */

export interface ApiSpec {
  key: number;
  name: string;
  /** Oldest and newest version this connector implements. */
  min: number;
  max: number;
  flexibleFrom: number;
}

const api = (key: number, name: string, min: number, max: number, flexibleFrom: number): ApiSpec => ({
  key,
  name,
  min,
  max,
  flexibleFrom,
});

/**
 * Produce from v3: RecordBatch (magic 2) needs it, so Kafka 0.11 is the oldest broker. Metadata from
 * v4, the first with allow_auto_topic_creation. CreateTopics from v2 (Kafka 4.0 dropped v0 and v1);
 * v2 to v4 share one layout, and v5 on are flexible with more in the answer than we read.
 * ListOffsets from v1, the first with one offset per partition (Kafka 1.0 offers v0–v2, 4.x
 * v1 on); DeleteRecords from v0, as Kafka 0.11 brought it.
 */
export const APIS = {
  produce: api(0, "Produce", 3, 11, 9),
  listOffsets: api(2, "ListOffsets", 1, 10, 6),
  metadata: api(3, "Metadata", 4, 12, 9),
  findCoordinator: api(10, "FindCoordinator", 1, 4, 3),
  apiVersions: api(18, "ApiVersions", 1, 1, 3),
  createTopics: api(19, "CreateTopics", 2, 4, 5),
  deleteRecords: api(21, "DeleteRecords", 0, 2, 2),
  initProducerId: api(22, "InitProducerId", 0, 4, 2),
  addPartitionsToTxn: api(24, "AddPartitionsToTxn", 0, 3, 3),
  endTxn: api(26, "EndTxn", 0, 3, 3),
} as const;

/** A broker's accepted versions of each API it offers, by API key (from ApiVersions). */
export type BrokerApis = ReadonlyMap<number, { min: number; max: number }>;

/** The highest version of `spec` that this connector and the broker both accept, if any. */
export function chooseVersion(spec: ApiSpec, broker: BrokerApis): number | undefined {
  const offered = broker.get(spec.key);
  if (!offered) return undefined;
  const version = Math.min(spec.max, offered.max);
  return version >= Math.max(spec.min, offered.min) ? version : undefined;
}

export function isFlexible(spec: ApiSpec, version: number): boolean {
  return version >= spec.flexibleFrom;
}
