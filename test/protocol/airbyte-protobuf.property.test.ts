/**
 * Our hand-written decoder of Airbyte's socket messages gives what protobufjs (a well-kept,
 * general decoder, loading test/helpers/airbyte-socket.proto) gives, for any message protobufjs
 * encodes: every record member, every kind of value with 64-bit values exact, meta changes, the
 * JSON protocol messages and probes; and the framing reader finds the same frames wherever the
 * chunk boundaries fall.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type Long from "long";
import { decodeMessage } from "../../src/protocol/airbyte-protobuf.ts";
import { readFrames } from "../../src/protocol/protobuf-wire.ts";
import { AirbyteMessageProtobuf, decodeReference, frame } from "../helpers/airbyte-socket-proto.ts";

const RUNS = { numRuns: 500, plugins: [fc.interruptAfterTimeLimit(8_000)] };

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String);
const uint64Safe = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const int64Safe = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
const sint32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

const value = fc.oneof(
  fc.record({ boolean: fc.boolean() }),
  fc.record({ string: fc.string({ unit: "grapheme", maxLength: 30 }) }),
  fc.record({ integer: int64 }),
  fc.record({ bigInteger: fc.bigInt().map(String) }),
  fc.record({ number: fc.double() }),
  fc.record({ bigDecimal: fc.string({ maxLength: 20 }) }),
  fc.record({ date: int64Safe }),
  fc.record({ timeWithTimezone: fc.record({ nanosOfDay: uint64Safe, offsetSeconds: sint32 }) }),
  fc.record({ timeWithoutTimezone: uint64Safe }),
  fc.record({
    timestampWithTimezone: fc.record({
      epochSecond: int64Safe,
      nano: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      offsetSeconds: sint32,
    }),
  }),
  fc.record({
    timestampWithoutTimezone: fc.record({ dateDaysSinceEpoch: int64Safe, nanosOfDay: uint64Safe }),
  }),
  fc.record({ json: fc.uint8Array({ maxLength: 20 }) }),
  fc.record({ isNull: fc.constant(true) }),
  // A value with nothing set is null too.
  fc.constant({}),
);

const record = fc.record(
  {
    streamNamespace: fc.string({ maxLength: 10 }),
    streamName: fc.string({ maxLength: 10 }),
    emittedAtMs: uint64Safe,
    partitionId: fc.string({ maxLength: 10 }),
    data: fc.array(value, { maxLength: 8 }),
    meta: fc.record({
      changes: fc.array(
        fc.record({
          field: fc.string({ maxLength: 8 }),
          change: fc.integer({ min: 0, max: 1 }),
          reason: fc.integer({ min: 0, max: 10 }),
        }),
        { maxLength: 3 },
      ),
    }),
  },
  { requiredKeys: ["streamName", "emittedAtMs", "partitionId", "data"] },
);

const message = fc.oneof(
  record.map((r) => ({ record: r })),
  fc.string().map((json) => ({ airbyteProtocolMessage: json })),
  fc.constant({ probe: {} }),
);

const num = (v: number | Long | undefined | null): number => (v == null ? 0 : Number(String(v)));

/** protobufjs's decoded message, in our decoder's shape (defaults filled as protobuf 3 reads them). */
function expected(bytes: Uint8Array): unknown {
  // biome-ignore lint/suspicious/noExplicitAny: protobufjs messages are untyped at runtime.
  const m = decodeReference(bytes) as any;
  if (m.type === "airbyteProtocolMessage") return { kind: "json", json: m.airbyteProtocolMessage };
  if (m.type === "probe") return { kind: "probe" };
  const r = m.record;
  return {
    kind: "record",
    record: {
      namespace: r.streamNamespace ?? undefined,
      stream: r.streamName,
      emittedAtMs: num(r.emittedAtMs),
      partitionId: r.partitionId,
      // biome-ignore lint/suspicious/noExplicitAny: as above.
      values: r.data.map((v: any): unknown => {
        if (v.isNull || !v.value) return { kind: "null" };
        const member = v[v.value];
        switch (v.value) {
          case "boolean":
          case "string":
          case "bigInteger":
          case "bigDecimal":
          case "number":
            return { kind: v.value, value: member };
          case "integer":
            return { kind: "integer", value: String(member) };
          case "date":
            return { kind: "date", days: num(member) };
          case "timeWithoutTimezone":
            return { kind: "timeWithoutTimezone", nanosOfDay: num(member) };
          case "timeWithTimezone":
            return {
              kind: "timeWithTimezone",
              nanosOfDay: num(member.nanosOfDay),
              offsetSeconds: member.offsetSeconds,
            };
          case "timestampWithTimezone":
            return {
              kind: "timestampWithTimezone",
              epochSecond: num(member.epochSecond),
              nano: member.nano,
              offsetSeconds: member.offsetSeconds,
            };
          case "timestampWithoutTimezone":
            return {
              kind: "timestampWithoutTimezone",
              days: num(member.dateDaysSinceEpoch),
              nanosOfDay: num(member.nanosOfDay),
            };
          default:
            return { kind: "json", bytes: new Uint8Array(member) };
        }
      }),
      changes: r.meta
        ? // biome-ignore lint/suspicious/noExplicitAny: as above.
          r.meta.changes.map((c: any) => ({
            field: c.field,
            change: ["NULLED", "TRUNCATED"][c.change],
            reason: AirbyteMessageProtobuf.lookupEnum("AirbyteRecordChangeReasonType").valuesById[c.reason],
          }))
        : undefined,
    },
  };
}

/** Our decode, with json bytes as plain arrays so both sides compare alike. */
const ours = (bytes: Uint8Array): unknown => {
  const decoded = decodeMessage(bytes);
  if (decoded.kind !== "record") return decoded;
  const values = decoded.record.values.map((v) => {
    if (v.kind === "json") return { ...v, bytes: new Uint8Array(v.bytes) };
    // Strings stay UTF-8 views for the JSON writer; protobufjs gives text.
    return v.kind === "string" ? { kind: "string", value: new TextDecoder().decode(v.bytes) } : v;
  });
  return { ...decoded, record: { ...decoded.record, values } };
};

describe("decodeMessage equals protobufjs", () => {
  test("for every message protobufjs encodes", () => {
    fc.assert(
      fc.property(message, (m) => {
        const framed = frame(m);
        // Skip the length prefix: decodeMessage takes one frame's body.
        const body = AirbyteMessageProtobuf.encode(AirbyteMessageProtobuf.fromObject(m)).finish();
        expect(framed.subarray(framed.length - body.length)).toEqual(body);
        expect(ours(body)).toEqual(expected(body));
      }),
      RUNS,
    );
  });

  test("and refuses what is not a whole message", () => {
    const body = AirbyteMessageProtobuf.encode(
      AirbyteMessageProtobuf.fromObject({
        record: { streamName: "s", partitionId: "p", data: [{ integer: "-1" }] },
      }),
    ).finish();
    for (let cut = 1; cut < body.length; cut++) {
      expect({ cut, error: () => decodeMessage(body.subarray(0, cut)) }.error).toThrow();
    }
    expect(() => decodeMessage(new Uint8Array())).toThrow(
      "the message has no record, protocol message or probe",
    );
  });
});

describe("readFrames", () => {
  test("finds every frame wherever the chunks are cut, and reports the cut in the last one", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(message, { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }),
        fc.boolean(),
        async (messages, cuts, truncate) => {
          const frames = messages.map((m) => frame(m));
          let all: Uint8Array = Buffer.concat(frames);
          if (truncate) all = all.subarray(0, all.length - 1);
          const chunks: Uint8Array[] = [];
          for (let at = 0, i = 0; at < all.length; i++) {
            const size = cuts[i % cuts.length] as number;
            chunks.push(all.slice(at, at + size));
            at += size;
          }
          async function* source() {
            yield* chunks;
          }
          const seen: Uint8Array[] = [];
          const problems: string[] = [];
          for await (const batch of readFrames(source(), 1 << 20)) {
            for (const f of batch.frames) seen.push(new Uint8Array(f));
            if (batch.problem) problems.push(batch.problem);
          }
          const bodies = messages.map((m) =>
            AirbyteMessageProtobuf.encode(AirbyteMessageProtobuf.fromObject(m)).finish(),
          );
          const whole = truncate ? bodies.slice(0, -1) : bodies;
          expect(seen).toEqual(whole.map((b) => new Uint8Array(b)));
          expect(problems.length).toBe(truncate ? 1 : 0);
          if (truncate) expect(problems[0]).toStartWith("it ended with ");
        },
      ),
      RUNS,
    );
  });

  test("refuses a frame longer than the limit before buffering it", async () => {
    async function* source() {
      yield new Uint8Array([0x80, 0x80, 0x04]); // 65536
    }
    const batches = [];
    for await (const batch of readFrames(source(), 1000)) batches.push(batch);
    expect(batches).toEqual([
      { frames: [], problem: "a frame of 65536 bytes is longer than the limit of 1000" },
    ]);
  });
});
