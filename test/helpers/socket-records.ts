/**
 * The same records as JSONL lines and as protobuf socket messages, for the tests that compare
 * the two paths: each value given once as the JSON text a JSONL source writes and once as the
 * typed protobuf value a socket-mode source sends for it, the properties in the sorted order the
 * protobuf values follow (and the JSONL data keeps).
 */
import type { CatalogStream } from "../../src/protocol/catalog.ts";
import type { RecordObject, ValueObject } from "./airbyte-socket-proto.ts";

/** A catalog of one stream, public.users, whose records have two values: id, then name. */
export const ID_NAME_CATALOG: CatalogStream[] = [
  {
    stream: { name: "users", namespace: "public" },
    destinationSyncMode: "append",
    primaryKey: [],
    jsonSchema: { type: "object", properties: { name: { type: "string" }, id: { type: "integer" } } },
  },
];

const nullable = (schema: Record<string, unknown>) => ({ ...schema, type: ["null", schema.type] });

/** A stream with a property of every kind Airbyte's protobuf values carry. */
export const USERS_SCHEMA = {
  type: "object",
  properties: {
    active: nullable({ type: "boolean" }),
    amount: nullable({ type: "number" }),
    big: nullable({ type: "number" }),
    born: nullable({ type: "string", format: "date" }),
    created: nullable({ type: "string", format: "date-time", airbyte_type: "timestamp_with_timezone" }),
    id: nullable({ type: "integer" }),
    local_ts: nullable({ type: "string", format: "date-time", airbyte_type: "timestamp_without_timezone" }),
    name: nullable({ type: "string" }),
    price: nullable({ type: "number" }),
    profile: nullable({ type: "object" }),
    tags: nullable({ type: "array" }),
    wake: nullable({ type: "string", format: "time", airbyte_type: "time_without_timezone" }),
    wake_tz: nullable({ type: "string", format: "time", airbyte_type: "time_with_timezone" }),
  },
};

/** One property's value, both ways. */
export type Cell = [json: string, proto: ValueObject];

const bytes = (text: string) => new TextEncoder().encode(text);
const NULL: Cell = ["null", { isNull: true }];

/** Rows of cells, in USERS_SCHEMA's sorted property order. */
export const EVERY_KIND: Cell[][] = [
  [
    ["true", { boolean: true }],
    ["1234.5678901234567890", { bigDecimal: "1234.5678901234567890" }],
    ["123456789012345678901234567890", { bigInteger: "123456789012345678901234567890" }],
    ['"2024-02-29"', { date: 19_782 }],
    [
      '"2024-02-29T13:00:00.5+01:00"',
      { timestampWithTimezone: { epochSecond: 1_709_208_000, nano: 500_000_000, offsetSeconds: 3600 } },
    ],
    ["7", { integer: "7" }],
    [
      '"2024-02-29T01:00:00"',
      { timestampWithoutTimezone: { dateDaysSinceEpoch: 19_782, nanosOfDay: 3_600e9 } },
    ],
    ['"Zoë \\"q\\""', { string: 'Zoë "q"' }],
    ["9.99", { number: 9.99 }],
    ['{"x":{"y":null}}', { json: bytes('{"x":{"y":null}}') }],
    ['["a",1]', { json: bytes('["a",1]') }],
    ['"07:00:00.123"', { timeWithoutTimezone: 25_200_123_000_000 }],
    ['"07:00:00-05:00"', { timeWithTimezone: { nanosOfDay: 25_200e9, offsetSeconds: -18_000 } }],
  ],
  [
    NULL,
    NULL,
    ["-9223372036854775808", { integer: "-9223372036854775808" }],
    NULL,
    NULL,
    ["-42", { integer: "-42" }],
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
  ],
  [
    ["false", { boolean: false }],
    ["0", { bigDecimal: "0" }],
    ["-1", { bigInteger: "-1" }],
    ['"1969-12-31"', { date: -1 }],
    ['"1970-01-01T00:00:00Z"', { timestampWithTimezone: { epochSecond: 0, nano: 0, offsetSeconds: 0 } }],
    ["8", { integer: "8" }],
    [
      '"1969-12-31T23:59:59.999999"',
      { timestampWithoutTimezone: { dateDaysSinceEpoch: -1, nanosOfDay: 86_399_999_999_000 } },
    ],
    ['""', { string: "" }],
    ["-0.5", { number: -0.5 }],
    ["{}", { json: bytes("{}") }],
    ["[]", { json: bytes("[]") }],
    ['"00:00:00"', { timeWithoutTimezone: 0 }],
    ['"23:59:59Z"', { timeWithTimezone: { nanosOfDay: 86_399e9, offsetSeconds: 0 } }],
  ],
];

const NAMES = Object.keys(USERS_SCHEMA.properties).sort();
const EMITTED_AT = 1_700_000_000_123;

/** The rows as JSONL RECORD lines of public.users (with `partition_id` when given), each ending in LF. */
export function jsonlLines(rows: Cell[][], partitionId?: string): string[] {
  return rows.map((cells) => {
    const data = `{${cells.map(([json], i) => `${JSON.stringify(NAMES[i])}:${json}`).join(",")}}`;
    const partition = partitionId === undefined ? "" : `,"partition_id":${JSON.stringify(partitionId)}`;
    return `{"type":"RECORD","record":{"namespace":"public","stream":"users","data":${data},"emitted_at":${EMITTED_AT}${partition}}}\n`;
  });
}

/** The rows as protobuf record messages of public.users, for `frame`. */
export function protobufFrames(rows: Cell[][], partitionId = "p1"): { record: RecordObject }[] {
  return rows.map((cells) => ({
    record: {
      streamNamespace: "public",
      streamName: "users",
      emittedAtMs: EMITTED_AT,
      partitionId,
      data: cells.map(([, proto]) => proto),
    },
  }));
}
