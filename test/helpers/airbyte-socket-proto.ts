/**
 * protobufjs over test/helpers/airbyte-socket.proto: the reference encoder and decoder of Airbyte's
 * socket messages, for the feeder and for the property tests of our own decoder.
 */
import { join } from "node:path";
import protobuf from "protobufjs";

const root = protobuf.loadSync(join(import.meta.dir, "airbyte-socket.proto"));

export const AirbyteMessageProtobuf = root.lookupType("io.airbyte.protocol.protobuf.AirbyteMessageProtobuf");

/** A protobufjs-shaped AirbyteValueProtobuf (camelCase members, 64-bit values as numbers or strings). */
export type ValueObject = Record<string, unknown>;

export interface RecordObject {
  streamNamespace?: string;
  streamName: string;
  emittedAtMs: number;
  partitionId: string;
  data: ValueObject[];
  meta?: { changes: { field: string; change: number; reason: number }[] };
}

/** One message, varint32-length-delimited as on the socket. */
export function frame(
  message: { record: RecordObject } | { airbyteProtocolMessage: string } | { probe: object },
) {
  return AirbyteMessageProtobuf.encodeDelimited(AirbyteMessageProtobuf.fromObject(message)).finish();
}

/** The message of one frame's bytes (without its length prefix). */
export function decodeReference(bytes: Uint8Array) {
  return AirbyteMessageProtobuf.decode(bytes);
}
