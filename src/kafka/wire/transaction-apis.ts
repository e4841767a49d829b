/**
 * The requests of a producer id and of Kafka transactions (KIP-98), each at any version from the
 * oldest this connector speaks to the newest (see apis.ts); v2 or v3 on are compact with tagged
 * fields. Kafka's grammar, fields marked with the version that brought them:
 *
 *   FindCoordinator Request (v1–v3) => key key_type          (v4: key_type [coordinator_keys])
 *   FindCoordinator Response (v1–v3) => throttle_time_ms error_code error_message node_id host port
 *                            (v4) => throttle_time_ms [coordinators: key node_id host port error_code error_message]
 *   InitProducerId Request => transactional_id transaction_timeout_ms producer_id (v3+) producer_epoch (v3+)
 *   InitProducerId Response => throttle_time_ms error_code producer_id producer_epoch
 *   AddPartitionsToTxn Request (v0–v3) => transactional_id producer_id producer_epoch [topics: name [partitions]]
 *   AddPartitionsToTxn Response (v0–v3) => throttle_time_ms [results: name [results: partition_index error_code]]
 *   EndTxn Request => transactional_id producer_id producer_epoch committed
 *   EndTxn Response => throttle_time_ms error_code
 *
 * Versions 4 on of AddPartitionsToTxn are for brokers only ("Versions 3 and below are exclusively
 * used by clients"), so this connector stops at v3.
 */
import { type Reader, Writer } from "@platformatic/kafka";
import { APIS } from "./apis.ts";
import { type BrokerAddress, request, type WireRequest } from "./request.ts";

/** An error code with the broker's words, as every one of these answers carries. */
export interface Answer {
  errorCode: number;
  errorMessage: string | null;
}

export interface Coordinator extends Answer, BrokerAddress {
  nodeId: number;
}

/** FindCoordinator for a transactional id (key type 1). */
export function findCoordinatorRequest(
  version: number,
  transactionalId: string,
): WireRequest<string, Coordinator> {
  return request(APIS.findCoordinator, version, transactionalId, {
    encode: (key, v, flexible) => {
      const writer = Writer.create();
      if (v >= 4) writer.appendInt8(1).appendArray([key], (w, k) => w.appendString(k), true, false);
      else writer.appendString(key, flexible).appendInt8(1);
      if (flexible) writer.appendTaggedFields();
      return writer;
    },
    decode: (reader, v, flexible) => {
      reader.readInt32(); // throttle_time_ms
      if (v < 4) {
        const errorCode = reader.readInt16();
        const errorMessage = reader.readNullableString(flexible);
        return { errorCode, errorMessage, ...readNode(reader, flexible) };
      }
      const [first] = reader.readArray((r) => {
        r.readString();
        const node = readNode(r, true);
        return { ...node, errorCode: r.readInt16(), errorMessage: r.readNullableString() };
      });
      return (
        first ?? {
          errorCode: -1,
          errorMessage: "no coordinator in the answer",
          nodeId: -1,
          host: "",
          port: 0,
        }
      );
    },
  });
}

export interface InitProducerIdArgs {
  transactionalId: string | null;
  transactionTimeoutMs: number;
}

export interface ProducerIdentity extends Answer {
  producerId: bigint;
  producerEpoch: number;
}

/** A new producer id, or (with a transactional id) the id's next epoch, fencing older producers. */
export function initProducerIdRequest(
  version: number,
  args: InitProducerIdArgs,
): WireRequest<InitProducerIdArgs, ProducerIdentity> {
  return request(APIS.initProducerId, version, args, {
    encode: ({ transactionalId, transactionTimeoutMs }, v, flexible) => {
      const writer = Writer.create()
        .appendString(transactionalId, flexible)
        .appendInt32(transactionTimeoutMs);
      // -1 / -1: "a new producer", as Java's initTransactions() asks.
      if (v >= 3) writer.appendInt64(-1n).appendInt16(-1);
      if (flexible) writer.appendTaggedFields();
      return writer;
    },
    decode: (reader, _v, flexible) => {
      reader.readInt32(); // throttle_time_ms
      const errorCode = reader.readInt16();
      const identity = {
        errorCode,
        errorMessage: null,
        producerId: reader.readInt64(),
        producerEpoch: reader.readInt16(),
      };
      if (flexible) reader.readTaggedFields();
      return identity;
    },
  });
}

export interface TxnArgs {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
}

export interface AddPartitionsArgs extends TxnArgs {
  partitions: { topic: string; partition: number }[];
}

export interface PartitionAnswer extends Answer {
  topic: string;
  partition: number;
}

export function addPartitionsToTxnRequest(
  version: number,
  args: AddPartitionsArgs,
): WireRequest<AddPartitionsArgs, PartitionAnswer[]> {
  return request(APIS.addPartitionsToTxn, version, args, {
    encode: (a, _v, flexible) => {
      const byTopic = new Map<string, number[]>();
      for (const { topic, partition } of a.partitions)
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
      const writer = txnHeader(a, flexible).appendArray(
        [...byTopic],
        (w, [topic, partitions]) =>
          w
            .appendString(topic, flexible)
            .appendArray(partitions, (pw, p) => pw.appendInt32(p), flexible, false),
        flexible,
        flexible,
      );
      if (flexible) writer.appendTaggedFields();
      return writer;
    },
    decode: (reader, _v, flexible) => {
      reader.readInt32(); // throttle_time_ms
      const answers: PartitionAnswer[] = [];
      reader.readArray(
        (r) => {
          const topic = r.readString(flexible);
          r.readArray(
            (p) =>
              answers.push({ topic, partition: p.readInt32(), errorCode: p.readInt16(), errorMessage: null }),
            flexible,
            flexible,
          );
        },
        flexible,
        flexible,
      );
      if (flexible) reader.readTaggedFields();
      return answers;
    },
  });
}

export interface EndTxnArgs extends TxnArgs {
  committed: boolean;
}

export function endTxnRequest(version: number, args: EndTxnArgs): WireRequest<EndTxnArgs, Answer> {
  return request(APIS.endTxn, version, args, {
    encode: (a, _v, flexible) => {
      const writer = txnHeader(a, flexible).appendBoolean(a.committed);
      if (flexible) writer.appendTaggedFields();
      return writer;
    },
    decode: (reader, _v, flexible) => {
      reader.readInt32(); // throttle_time_ms
      const answer = { errorCode: reader.readInt16(), errorMessage: null };
      if (flexible) reader.readTaggedFields();
      return answer;
    },
  });
}

// --- internal ---

function txnHeader(args: TxnArgs, flexible: boolean): Writer {
  return Writer.create()
    .appendString(args.transactionalId, flexible)
    .appendInt64(args.producerId)
    .appendInt16(args.producerEpoch);
}

function readNode(reader: Reader, flexible: boolean): { nodeId: number; host: string; port: number } {
  return { nodeId: reader.readInt32(), host: reader.readString(flexible), port: reader.readInt32() };
}
