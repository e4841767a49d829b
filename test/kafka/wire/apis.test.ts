import { describe, expect, it } from "bun:test";
import { APIS, chooseVersion, isFlexible } from "../../../src/kafka/wire/apis.ts";
import { BROKER_APIS } from "../../helpers/fake-wire.ts";

const broker = (min: number, max: number) => new Map([[APIS.produce.key, { min, max }]]);

describe("version choice", () => {
  it.each([
    ["a broker that speaks more than we do", broker(0, 13), 11],
    ["a broker that speaks less", broker(0, 5), 5],
    ["a broker whose oldest version is our newest", broker(11, 13), 11],
    ["a broker that stops before our oldest", broker(0, 2), undefined],
    ["a broker that starts after our newest", broker(12, 13), undefined],
    ["a broker without the API", new Map(), undefined],
  ])("%s → %p", (_label, offered, expected) => {
    expect(chooseVersion(APIS.produce, offered)).toBe(expected);
  });

  it.each([
    ["1.0", { produce: 5, metadata: 5, initProducerId: 0 }],
    ["2.8", { produce: 9, metadata: 11, initProducerId: 4 }],
    ["4.x", { produce: 11, metadata: 12, initProducerId: 4 }],
  ])("Kafka %s", (release, expected) => {
    const offered = BROKER_APIS[release];
    if (!offered) throw new Error(release);
    expect({
      produce: chooseVersion(APIS.produce, offered),
      metadata: chooseVersion(APIS.metadata, offered),
      initProducerId: chooseVersion(APIS.initProducerId, offered),
    }).toEqual(expected);
  });

  it("flexible encoding from each API's flexible version on", () => {
    expect([8, 9].map((v) => isFlexible(APIS.produce, v))).toEqual([false, true]);
    expect([1, 2].map((v) => isFlexible(APIS.initProducerId, v))).toEqual([false, true]);
  });
});
