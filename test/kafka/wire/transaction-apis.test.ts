import { describe, expect, it } from "bun:test";
import {
  addPartitionsToTxnRequest,
  endTxnRequest,
  findCoordinatorRequest,
  initProducerIdRequest,
} from "../../../src/kafka/wire/transaction-apis.ts";
import {
  arr,
  bool,
  bytesOf,
  carr,
  cat,
  cstr,
  int8,
  int16,
  int32,
  int64,
  readerOf,
  str,
  tags,
} from "../../helpers/bytes.ts";

const owner = { transactionalId: "tx", producerId: 7n, producerEpoch: 2 };

describe("FindCoordinator", () => {
  it("v1: one key of type transaction; the coordinator's address in the answer", () => {
    const request = findCoordinatorRequest(1, "tx");
    expect(bytesOf(request.encode())).toEqual(cat(str("tx"), int8(1)));
    const bytes = cat(int32(0), int16(0), str(null), int32(3), str("h3"), int32(9093));
    expect(request.decode(readerOf(bytes))).toEqual({
      errorCode: 0,
      errorMessage: null,
      nodeId: 3,
      host: "h3",
      port: 9093,
    });
  });

  it("v4: batched keys, compact; the first coordinator of the answer", () => {
    const request = findCoordinatorRequest(4, "tx");
    expect(bytesOf(request.encode())).toEqual(cat(int8(1), carr(cstr("tx")), tags()));
    const bytes = cat(
      int32(0),
      carr(cat(cstr("tx"), int32(3), cstr("h3"), int32(9093), int16(15), cstr("loading"), tags())),
      tags(),
    );
    expect(request.decode(readerOf(bytes))).toEqual({
      errorCode: 15,
      errorMessage: "loading",
      nodeId: 3,
      host: "h3",
      port: 9093,
    });
  });
});

describe("InitProducerId", () => {
  const args = { transactionalId: "tx", transactionTimeoutMs: 60_000 };

  it("v0: the transactional id and its timeout", () => {
    expect(bytesOf(initProducerIdRequest(0, args).encode())).toEqual(cat(str("tx"), int32(60_000)));
  });

  it("v3+: compact, asking as a new producer (-1 / -1)", () => {
    expect(bytesOf(initProducerIdRequest(4, args).encode())).toEqual(
      cat(cstr("tx"), int32(60_000), int64(-1n), int16(-1), tags()),
    );
  });

  it("an idempotent producer asks without a transactional id", () => {
    expect(
      bytesOf(initProducerIdRequest(0, { transactionalId: null, transactionTimeoutMs: 1 }).encode()),
    ).toEqual(cat(str(null), int32(1)));
  });

  it("reads the id and epoch", () => {
    const bytes = cat(int32(0), int16(0), int64(123n), int16(4), tags());
    expect(initProducerIdRequest(2, args).decode(readerOf(bytes))).toEqual({
      errorCode: 0,
      errorMessage: null,
      producerId: 123n,
      producerEpoch: 4,
    });
  });
});

describe("AddPartitionsToTxn and EndTxn", () => {
  it("AddPartitionsToTxn v0 groups partitions by topic and reads each partition's answer", () => {
    const partitions = [
      { topic: "a", partition: 0 },
      { topic: "a", partition: 2 },
      { topic: "b", partition: 1 },
    ];
    const request = addPartitionsToTxnRequest(0, { ...owner, partitions });
    expect(bytesOf(request.encode())).toEqual(
      cat(
        str("tx"),
        int64(7n),
        int16(2),
        arr(cat(str("a"), arr(int32(0), int32(2))), cat(str("b"), arr(int32(1)))),
      ),
    );
    const bytes = cat(int32(0), arr(cat(str("a"), arr(cat(int32(0), int16(0)), cat(int32(2), int16(51))))));
    expect(request.decode(readerOf(bytes))).toEqual([
      { topic: "a", partition: 0, errorCode: 0, errorMessage: null },
      { topic: "a", partition: 2, errorCode: 51, errorMessage: null },
    ]);
  });

  it("AddPartitionsToTxn v3 is compact", () => {
    const request = addPartitionsToTxnRequest(3, { ...owner, partitions: [{ topic: "a", partition: 0 }] });
    expect(bytesOf(request.encode())).toEqual(
      cat(cstr("tx"), int64(7n), int16(2), carr(cat(cstr("a"), carr(int32(0)), tags())), tags()),
    );
  });

  it("EndTxn commits or aborts", () => {
    expect(bytesOf(endTxnRequest(0, { ...owner, committed: true }).encode())).toEqual(
      cat(str("tx"), int64(7n), int16(2), bool(true)),
    );
    expect(bytesOf(endTxnRequest(3, { ...owner, committed: false }).encode())).toEqual(
      cat(cstr("tx"), int64(7n), int16(2), bool(false), tags()),
    );
    expect(
      endTxnRequest(0, { ...owner, committed: true }).decode(readerOf(cat(int32(0), int16(47)))),
    ).toEqual({
      errorCode: 47,
      errorMessage: null,
    });
  });
});
