import { describe, expect, it } from "bun:test";
import { APIS } from "../../../src/kafka/wire/apis.ts";
import { type Needs, requirementsOf, unmetRequirement } from "../../../src/kafka/wire/requirements.ts";
import { BROKER_APIS } from "../../helpers/fake-wire.ts";

const plain: Needs = { compression: "none", idempotent: false, transactional: false, createTopics: false };
const where = "the broker at k1:9092";
const check = (needs: Partial<Needs>, release: string) =>
  unmetRequirement(requirementsOf({ ...plain, ...needs }), BROKER_APIS[release] ?? new Map(), where);

describe("what a config needs of a broker", () => {
  it.each(["1.0", "2.8", "4.x"])(
    "Kafka %s meets the default config, idempotence, transactions and create_topics",
    (release) => {
      expect(check({}, release)).toBeUndefined();
      expect(check({ idempotent: true }, release)).toBeUndefined();
      expect(check({ idempotent: true, transactional: true }, release)).toBeUndefined();
      expect(check({ createTopics: true }, release)).toBeUndefined();
      expect(check({ truncate: true }, release)).toBeUndefined();
    },
  );

  it("overwrite needs DeleteRecords: a broker without it is refused naming the sync mode", () => {
    const noDelete = new Map(BROKER_APIS["1.0"]);
    noDelete.delete(APIS.deleteRecords.key);
    expect(unmetRequirement(requirementsOf({ ...plain, truncate: true }), noDelete, where)?.message).toBe(
      "destination_sync_mode overwrite (or a truncate refresh) needs Apache Kafka 0.11 or newer (DeleteRecords v0+): the broker at k1:9092 is older — it does not offer DeleteRecords at all.",
    );
    expect(unmetRequirement(requirementsOf(plain), noDelete, where)).toBeUndefined();
  });

  it("a broker before 0.11 cannot take record batches: a config_error naming the release", () => {
    const error = check({}, "0.10.2");
    expect(error?.failureType).toBe("config_error");
    expect(error?.message).toBe(
      "writing record batches (message format v2) needs Apache Kafka 0.11 or newer (Produce v3+): the broker at k1:9092 is older — it offers Produce v0–v2.",
    );
  });

  it("zstd needs Kafka 2.1: refused on 1.0, fine on 2.8", () => {
    expect(check({ compression: "zstd" }, "1.0")?.message).toBe(
      "compression_type zstd needs Apache Kafka 2.1 or newer (Produce v7+): the broker at k1:9092 is older — it offers Produce v0–v5.",
    );
    expect(check({ compression: "zstd" }, "2.8")).toBeUndefined();
  });

  it("transactions on a broker without the transaction APIs name transactional_id", () => {
    const error = check({ idempotent: true, transactional: true }, "0.10.2");
    expect(error?.message).toStartWith("writing record batches");
    const noTxn = new Map(BROKER_APIS["1.0"]);
    noTxn.delete(APIS.endTxn.key);
    expect(unmetRequirement(requirementsOf({ ...plain, transactional: true }), noTxn, where)?.message).toBe(
      "transactional_id needs Apache Kafka 0.11 or newer (EndTxn v0+): the broker at k1:9092 is older — it does not offer EndTxn at all.",
    );
  });

  it("a broker that dropped every version we speak is said to be newer, not older", () => {
    const future = new Map(BROKER_APIS["4.x"]);
    future.set(APIS.produce.key, { min: 14, max: 16 });
    expect(unmetRequirement(requirementsOf(plain), future, where)?.message).toBe(
      "the broker at k1:9092 accepts Produce only from v14 on, newer than this connector speaks (up to v11), so writing record batches (message format v2) cannot work with it.",
    );
  });
});
