/**
 * One socket frame → the AirbyteMessageProtobuf it holds, per the Bulk CDK's published schema
 * (airbyte-cdk/bulk/core/base/src/main/proto/airbyte_message.proto, airbyte_record_message.proto,
 * airbyte_record_message_meta.proto): a record (1), a whole AirbyteMessage as JSON text (2: STATE,
 * TRACE, …), or a probe (3, a heartbeat). A record's `data` is positional — one value per property
 * of the stream's json_schema, in sorted name order — and each value is typed (proto-values.ts turns
 * them into JSON). Fields this version does not know are skipped, as protobuf requires.
 */
import { FIXED64, LENGTH_DELIMITED, ProtoError, ProtoReader, VARINT } from "./protobuf-wire.ts";

export type ProtoMessage =
  | { kind: "record"; record: ProtoRecord }
  | { kind: "json"; json: string }
  | { kind: "probe" };

export interface ProtoRecord {
  /** undefined when the field is absent (the CDK's `hasStreamNamespace()`). */
  namespace: string | undefined;
  stream: string;
  emittedAtMs: number;
  partitionId: string;
  values: ProtoValue[];
  /** The record's meta changes; undefined without a meta field. */
  changes: ProtoChange[] | undefined;
}

/** One AirbyteValueProtobuf: the `value` oneof member that was set, or null. */
export type ProtoValue =
  | { kind: "null" }
  | { kind: "boolean"; value: boolean }
  /** A string's UTF-8 bytes, a view into the frame: most are copied into the JSON as they are. */
  | { kind: "string"; bytes: Uint8Array }
  | { kind: "bigInteger" | "bigDecimal"; value: string }
  /** sint64, as decimal text (it may exceed 2^53). */
  | { kind: "integer"; value: string }
  | { kind: "number"; value: number }
  /** Days since 1970-01-01. */
  | { kind: "date"; days: number }
  | { kind: "timeWithoutTimezone"; nanosOfDay: number }
  | { kind: "timeWithTimezone"; nanosOfDay: number; offsetSeconds: number }
  | { kind: "timestampWithoutTimezone"; days: number; nanosOfDay: number }
  | { kind: "timestampWithTimezone"; epochSecond: number; nano: number; offsetSeconds: number }
  /** JSON text of an array, object, union or unknown value. */
  | { kind: "json"; bytes: Uint8Array };

export interface ProtoChange {
  field: string;
  change: string;
  reason: string;
}

/** Throws ProtoError when `frame` is not an AirbyteMessageProtobuf with a payload. */
export function decodeMessage(frame: Uint8Array): ProtoMessage {
  const reader = new ProtoReader(frame);
  let message: ProtoMessage | undefined;
  while (reader.pos < reader.end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === LENGTH_DELIMITED) {
      message = { kind: "record", record: readRecord(reader, reader.delimitedEnd()) };
    } else if (field === 2 && wire === LENGTH_DELIMITED) message = { kind: "json", json: reader.string() };
    else if (field === 3 && wire === LENGTH_DELIMITED) {
      reader.pos = reader.delimitedEnd();
      message = { kind: "probe" };
    } else reader.skip(wire);
  }
  if (!message) throw new ProtoError("the message has no record, protocol message or probe");
  return message;
}

// --- internal ---

const NULL: ProtoValue = { kind: "null" };

function readRecord(reader: ProtoReader, end: number): ProtoRecord {
  const record: ProtoRecord = {
    namespace: undefined,
    stream: "",
    emittedAtMs: 0,
    partitionId: "",
    values: [],
    changes: undefined,
  };
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire === LENGTH_DELIMITED && field === 5)
      record.values.push(readValue(reader, reader.delimitedEnd()));
    else if (wire === LENGTH_DELIMITED && field === 1) record.namespace = reader.string();
    else if (wire === LENGTH_DELIMITED && field === 2) record.stream = reader.string();
    else if (wire === VARINT && field === 3) record.emittedAtMs = reader.uint64Number();
    else if (wire === LENGTH_DELIMITED && field === 4) record.partitionId = reader.string();
    else if (wire === LENGTH_DELIMITED && field === 6)
      record.changes = readMeta(reader, reader.delimitedEnd());
    else reader.skip(wire);
  }
  ended(reader, end);
  return record;
}

function readValue(reader: ProtoReader, end: number): ProtoValue {
  let value: ProtoValue = NULL;
  let isNull = false;
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    const expected = WIRE_OF_VALUE_FIELD[field];
    if (expected === undefined || expected !== wire) {
      reader.skip(wire);
      continue;
    }
    switch (field) {
      case 1:
        value = { kind: "boolean", value: reader.bool() };
        break;
      case 2:
        value = { kind: "string", bytes: reader.delimited() };
        break;
      case 3:
        value = { kind: "integer", value: reader.sint64Text() };
        break;
      case 4:
        value = { kind: "bigInteger", value: reader.string() };
        break;
      case 5:
        value = { kind: "number", value: reader.double() };
        break;
      case 6:
        value = { kind: "bigDecimal", value: reader.string() };
        break;
      case 7:
        value = { kind: "date", days: reader.sint64Number() };
        break;
      case 8: {
        const [nanosOfDay = 0, offsetSeconds = 0] = readVarintFields(
          reader,
          reader.delimitedEnd(),
          OFFSET_TIME,
        );
        value = { kind: "timeWithTimezone", nanosOfDay, offsetSeconds };
        break;
      }
      case 9:
        value = { kind: "timeWithoutTimezone", nanosOfDay: reader.uint64Number() };
        break;
      case 10: {
        const [epochSecond = 0, nano = 0, offsetSeconds = 0] = readVarintFields(
          reader,
          reader.delimitedEnd(),
          OFFSET_DATE_TIME,
        );
        value = { kind: "timestampWithTimezone", epochSecond, nano, offsetSeconds };
        break;
      }
      case 11: {
        const [days = 0, nanosOfDay = 0] = readVarintFields(reader, reader.delimitedEnd(), LOCAL_DATE_TIME);
        value = { kind: "timestampWithoutTimezone", days, nanosOfDay };
        break;
      }
      case 12:
        value = { kind: "json", bytes: reader.delimited() };
        break;
      default:
        isNull = reader.bool();
    }
  }
  ended(reader, end);
  return isNull ? NULL : value;
}

/** The wire type of each AirbyteValueProtobuf field (13 is is_null). */
const WIRE_OF_VALUE_FIELD: (number | undefined)[] = [
  undefined,
  VARINT,
  LENGTH_DELIMITED,
  VARINT,
  LENGTH_DELIMITED,
  FIXED64,
  LENGTH_DELIMITED,
  VARINT,
  LENGTH_DELIMITED,
  VARINT,
  LENGTH_DELIMITED,
  LENGTH_DELIMITED,
  LENGTH_DELIMITED,
  VARINT,
];

type VarintKind = "uint64" | "sint64" | "uint32" | "sint32";

/** OffsetTime, OffsetDateTime and LocalDateTime: fields 1, 2, 3 are varints of these kinds. */
const OFFSET_TIME: readonly VarintKind[] = ["uint64", "sint32"];
const OFFSET_DATE_TIME: readonly VarintKind[] = ["sint64", "uint32", "sint32"];
const LOCAL_DATE_TIME: readonly VarintKind[] = ["sint64", "uint64"];

/** A nested message whose fields 1, 2, … are varints read as `kinds` says; an absent field is 0. */
function readVarintFields(reader: ProtoReader, end: number, kinds: readonly VarintKind[]): number[] {
  const values = kinds.map(() => 0);
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = (tag >>> 3) - 1;
    const kind = (tag & 7) === VARINT ? kinds[field] : undefined;
    if (kind === "uint64") values[field] = reader.uint64Number();
    else if (kind === "sint64") values[field] = reader.sint64Number();
    else if (kind === "uint32") values[field] = reader.uint32();
    else if (kind === "sint32") values[field] = reader.sint32();
    else reader.skip(tag & 7);
  }
  ended(reader, end);
  return values;
}

const CHANGES = ["NULLED", "TRUNCATED"];
const REASONS = [
  "SOURCE_RECORD_SIZE_LIMITATION",
  "DESTINATION_RECORD_SIZE_LIMITATION",
  "PLATFORM_RECORD_SIZE_LIMITATION",
  "SOURCE_FIELD_SIZE_LIMITATION",
  "DESTINATION_FIELD_SIZE_LIMITATION",
  "PLATFORM_FIELD_SIZE_LIMITATION",
  "SOURCE_SERIALIZATION_ERROR",
  "DESTINATION_SERIALIZATION_ERROR",
  "PLATFORM_SERIALIZATION_ERROR",
  "SOURCE_RETRIEVAL_ERROR",
  "DESTINATION_TYPECAST_ERROR",
];

function readMeta(reader: ProtoReader, end: number): ProtoChange[] {
  const changes: ProtoChange[] = [];
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === ((1 << 3) | LENGTH_DELIMITED)) changes.push(readChange(reader, reader.delimitedEnd()));
    else reader.skip(tag & 7);
  }
  ended(reader, end);
  return changes;
}

function readChange(reader: ProtoReader, end: number): ProtoChange {
  let field = "";
  let change = 0;
  let reason = 0;
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === ((1 << 3) | LENGTH_DELIMITED)) field = reader.string();
    else if (tag === ((2 << 3) | VARINT)) change = reader.uint32();
    else if (tag === ((3 << 3) | VARINT)) reason = reader.uint32();
    else reader.skip(tag & 7);
  }
  ended(reader, end);
  const changeName = CHANGES[change];
  const reasonName = REASONS[reason];
  if (changeName === undefined || reasonName === undefined)
    throw new ProtoError("a meta change has a change or reason this version does not know");
  return { field, change: changeName, reason: reasonName };
}

/** A nested message must end exactly where its length said. */
function ended(reader: ProtoReader, end: number): void {
  if (reader.pos !== end) throw new ProtoError("a field runs past the end of the message that holds it");
}
