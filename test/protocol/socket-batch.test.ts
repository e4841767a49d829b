import { describe, expect, it } from "bun:test";
import { type ParsedLine, parseLine, type RecordLine } from "../../src/protocol/parse.ts";
import { ScannedRecord } from "../../src/protocol/record-scan.ts";
import { packBatch, unpackBatch } from "../../src/protocol/socket-batch.ts";
import type { SocketMessage } from "../../src/protocol/socket-messages.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

/** What a message says, comparable across threads. */
const view = ({ number, parsed, partitionId }: SocketMessage) =>
  parsed.kind === "record"
    ? {
        number,
        partitionId,
        stream: parsed.stream,
        emittedAt: parsed.emittedAt,
        data: text(parsed.dataBytes),
        meta: text(parsed.metaBytes),
        parsed: parsed.data,
      }
    : { number, parsed };

describe("packBatch / unpackBatch", () => {
  it("give back every message in order: records with their streams, partitions and meta, and the rest", () => {
    const state = parseLine(
      bytes('{"type":"STATE","state":{"type":"GLOBAL","global":{},"partition_id":"p1","id":1}}'),
    ) as ParsedLine;
    const messages: SocketMessage[] = [
      {
        number: 1,
        parsed: new ScannedRecord({ name: "users", namespace: "public" }, 5, bytes('{"a":1}'), undefined),
        partitionId: "p1",
      },
      { number: 2, parsed: state },
      {
        number: 3,
        parsed: new ScannedRecord(
          { name: "users", namespace: undefined },
          6,
          bytes("{}"),
          bytes('{"changes":[]}'),
        ),
        partitionId: "p2",
      },
      {
        number: 4,
        parsed: { kind: "invalid", reason: "it has 1 values", stream: { name: "x", namespace: undefined } },
      },
      {
        number: 5,
        parsed: new ScannedRecord({ name: "users", namespace: "public" }, 7, bytes('{"b":"Zoë"}'), bytes("")),
        partitionId: undefined,
      },
    ];
    const { batch, transfer } = packBatch(messages);
    expect(batch.streams).toHaveLength(2);
    expect(batch.partitions).toEqual([undefined, "p1", "p2"]);
    // The record bytes travel in one buffer, transferred with the arrays around it.
    expect(transfer).toContain(batch.bytes.buffer);
    const structured = structuredClone(batch, { transfer });
    expect(unpackBatch(structured).map(view)).toEqual(messages.map(view));
    expect((unpackBatch(structured)[4]?.parsed as RecordLine | undefined)?.metaBytes).toEqual(
      new Uint8Array(),
    );
  });

  it("pack an empty batch", () => {
    expect(unpackBatch(packBatch([]).batch)).toEqual([]);
  });
});
