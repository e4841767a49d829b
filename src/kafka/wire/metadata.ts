/**
 * Metadata, v4 to v12: where each partition's leader is, and which brokers exist. Kafka's grammar
 * (fields marked with the version that brought them; v9 on compact with tagged fields):
 *
 *   Metadata Request => [topics] allow_auto_topic_creation
 *       include_cluster_authorized_operations (v8–v10) include_topic_authorized_operations (v8+)
 *     topics => topic_id (v10+) name
 *   Metadata Response => throttle_time_ms [brokers] cluster_id controller_id [topics]
 *       cluster_authorized_operations (v8–v10)
 *     brokers => node_id host port rack
 *     topics => error_code name topic_id (v10+) is_internal [partitions] topic_authorized_operations (v8+)
 *       partitions => error_code partition_index leader_id leader_epoch (v7+) [replica_nodes]
 *         [isr_nodes] [offline_replicas] (v5+)
 */
import { type Reader, Writer } from "@platformatic/kafka";
import { APIS } from "./apis.ts";
import { type BrokerAddress, request, type WireRequest } from "./request.ts";

export interface MetadataArgs {
  topics: string[];
  allowAutoTopicCreation: boolean;
}

export interface PartitionMetadata {
  index: number;
  errorCode: number;
  leader: number;
}

export interface TopicMetadata {
  errorCode: number;
  partitions: PartitionMetadata[];
}

export interface ClusterMetadata {
  brokers: Map<number, BrokerAddress>;
  controllerId: number;
  topics: Map<string, TopicMetadata>;
}

export function metadataRequest(
  version: number,
  args: MetadataArgs,
): WireRequest<MetadataArgs, ClusterMetadata> {
  return request(APIS.metadata, version, args, { encode: encodeMetadata, decode: decodeMetadata });
}

const NO_TOPIC_ID = "00000000-0000-0000-0000-000000000000";

export function encodeMetadata(args: MetadataArgs, version: number, flexible: boolean): Writer {
  const writer = Writer.create().appendArray(
    args.topics,
    (w, name) => {
      if (version >= 10) w.appendUUID(NO_TOPIC_ID);
      w.appendString(name, flexible);
    },
    flexible,
    flexible,
  );
  writer.appendBoolean(args.allowAutoTopicCreation);
  if (version >= 8 && version <= 10) writer.appendBoolean(false);
  if (version >= 8) writer.appendBoolean(false);
  if (flexible) writer.appendTaggedFields();
  return writer;
}

export function decodeMetadata(reader: Reader, version: number, flexible: boolean): ClusterMetadata {
  const int32s = (r: Reader) => r.readArray((e) => e.readInt32(), flexible, false);
  reader.readInt32(); // throttle_time_ms
  const brokers = new Map<number, BrokerAddress>();
  reader.readArray(
    (r) => {
      const nodeId = r.readInt32();
      const host = r.readString(flexible);
      const port = r.readInt32();
      r.readNullableString(flexible); // rack
      brokers.set(nodeId, { host, port });
    },
    flexible,
    flexible,
  );
  reader.readNullableString(flexible); // cluster_id
  const controllerId = reader.readInt32();
  const topics = new Map<string, TopicMetadata>();
  reader.readArray(
    (r) => {
      const errorCode = r.readInt16();
      const name = r.readNullableString(flexible) ?? "";
      if (version >= 10) r.readUUID();
      r.readBoolean(); // is_internal
      const partitions = r.readArray(
        (p) => {
          const partition = { errorCode: p.readInt16(), index: p.readInt32(), leader: p.readInt32() };
          if (version >= 7) p.readInt32(); // leader_epoch
          int32s(p); // replica_nodes
          int32s(p); // isr_nodes
          if (version >= 5) int32s(p); // offline_replicas
          return partition;
        },
        flexible,
        flexible,
      );
      if (version >= 8) r.readInt32(); // topic_authorized_operations
      partitions.sort((a, b) => a.index - b.index);
      topics.set(name, { errorCode, partitions });
    },
    flexible,
    flexible,
  );
  if (version >= 8 && version <= 10) reader.readInt32(); // cluster_authorized_operations
  if (flexible) reader.readTaggedFields();
  return { brokers, controllerId, topics };
}
