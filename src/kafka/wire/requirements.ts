/**
 * What a config needs of every broker it talks to, checked against the broker's ApiVersions at
 * `check` and when `write` first reaches each broker, so an old broker is a config_error that names
 * the feature and the release it arrived in — never a closed connection and a timeout.
 */
import { ConnectorError } from "../../errors.ts";
import { APIS, type ApiSpec, type BrokerApis, chooseVersion } from "./apis.ts";

export interface Requirement {
  api: ApiSpec;
  /** The oldest version of `api` that has what the feature needs. */
  minVersion: number;
  /** What the user asked for that needs it, for the message. */
  feature: string;
  /** The Kafka release that brought that version. */
  since: string;
}

/** The parts of a config that decide what the brokers must offer. */
export interface Needs {
  compression: string;
  idempotent: boolean;
  transactional: boolean;
  createTopics: boolean;
  /** A stream overwrites its topic (catalog: overwrite, or a truncate refresh). */
  truncate?: boolean;
}

export function requirementsOf(needs: Needs): Requirement[] {
  const list: Requirement[] = [
    need(APIS.produce, 3, "writing record batches (message format v2)", "0.11"),
    need(APIS.metadata, 4, "looking up topics", "0.11"),
  ];
  if (needs.compression === "zstd") list.push(need(APIS.produce, 7, "compression_type zstd", "2.1"));
  if (needs.idempotent || needs.transactional)
    list.push(
      need(APIS.initProducerId, 0, needs.transactional ? "transactional_id" : "enable_idempotence", "0.11"),
    );
  if (needs.transactional)
    for (const api of [APIS.findCoordinator, APIS.addPartitionsToTxn, APIS.endTxn])
      list.push(need(api, api.min, "transactional_id", "0.11"));
  if (needs.createTopics) list.push(need(APIS.createTopics, 2, "create_topics", "0.11"));
  if (needs.truncate) {
    const feature = "destination_sync_mode overwrite (or a truncate refresh)";
    list.push(need(APIS.listOffsets, 1, feature, "0.10.1"), need(APIS.deleteRecords, 0, feature, "0.11"));
  }
  return list;
}

/**
 * The first requirement `broker` fails, as the config_error the user sees; undefined when it meets
 * them all. `where` names the broker ("the broker at host:port").
 */
export function unmetRequirement(
  requirements: Requirement[],
  broker: BrokerApis,
  where: string,
): ConnectorError | undefined {
  for (const requirement of requirements) {
    const version = chooseVersion(requirement.api, broker);
    if (version !== undefined && version >= requirement.minVersion) continue;
    const { api } = requirement;
    const offered = broker.get(api.key);
    const message =
      offered && offered.min > api.max
        ? `${where} accepts ${api.name} only from v${offered.min} on, newer than this connector speaks (up to v${api.max}), so ${requirement.feature} cannot work with it.`
        : `${requirement.feature} needs Apache Kafka ${requirement.since} or newer (${api.name} v${requirement.minVersion}+): ${where} is older — it ${offered ? `offers ${api.name} v${offered.min}–v${offered.max}` : `does not offer ${api.name} at all`}.`;
    return new ConnectorError(message, "config_error", "UNSUPPORTED_BROKER");
  }
  return undefined;
}

// --- internal ---

function need(api: ApiSpec, minVersion: number, feature: string, since: string): Requirement {
  return { api, minVersion, feature, since };
}
