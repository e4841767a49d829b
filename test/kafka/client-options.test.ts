import { describe, expect, it } from "bun:test";
import { unhonouredSettings } from "../../src/config/unhonoured.ts";
import {
  bootstrapAddresses,
  retryDelayMs,
  toConnectionOptions,
  toNeeds,
  toProducerSettings,
} from "../../src/kafka/client-options.ts";
import { configWith } from "../helpers/config.ts";

describe("client options", () => {
  const config = configWith({
    bootstrap_servers: "a:1, [::1]:2",
    acks: "all",
    compression_type: "zstd",
    max_in_flight_requests_per_connection: 3,
    socket_connection_setup_timeout_ms: "1234",
    request_timeout_ms: 4321,
    delivery_timeout_ms: 10000,
    retries: 7,
  });

  it("maps every connection setting", () => {
    expect(toConnectionOptions(config)).toEqual({
      connectTimeout: 1234,
      requestTimeout: 4321,
      maxInflights: 3,
    });
  });

  it("maps every produce setting, and lets the broker auto-create topics only without create_topics", () => {
    expect(toProducerSettings(config)).toEqual({
      acks: -1,
      requestTimeoutMs: 4321,
      deliveryTimeoutMs: 10000,
      retries: 7,
      compression: "zstd",
      autoCreateTopics: true,
    });
    const creating = configWith({ create_topics: { partitions: 1, replication_factor: 1 } });
    expect(toProducerSettings(creating).autoCreateTopics).toBe(false);
  });

  it.each([
    ["0", 0],
    ["1", 1],
    ["all", -1],
  ])("acks %p → %p", (acks, expected) => {
    expect(toProducerSettings(configWith({ acks })).acks).toBe(expected);
  });

  it("sync_producer keeps one request in flight", () => {
    expect(toConnectionOptions(configWith({ sync_producer: true })).maxInflights).toBe(1);
  });

  it("reads host:port lists, IPv6 in brackets", () => {
    expect(bootstrapAddresses("a:1, [::1]:2,")).toEqual([
      { host: "a", port: 1 },
      { host: "::1", port: 2 },
    ]);
  });

  it("names what the config needs of the brokers", () => {
    const transactional = { transactional_id: "t", enable_idempotence: true, acks: "all" };
    expect(toNeeds(configWith({ ...transactional, compression_type: "zstd" }))).toEqual({
      compression: "zstd",
      idempotent: true,
      transactional: true,
      createTopics: false,
    });
  });

  it("backs off like Java: 100 ms doubling up to 1 s", () => {
    expect([1, 2, 3, 4, 5, 10].map(retryDelayMs)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
});

describe("settings no runtime can honour", () => {
  it("are silent at their defaults", () => {
    expect(unhonouredSettings(configWith())).toEqual([]);
  });

  it("are each named when set", () => {
    const fields = unhonouredSettings(
      configWith({
        client_dns_lookup: "default",
        send_buffer_bytes: -1,
        receive_buffer_bytes: 65536,
        socket_connection_setup_timeout_max_ms: "60000",
      }),
    ).map((setting) => setting.field);
    expect(fields).toEqual([
      "client_dns_lookup",
      "send_buffer_bytes",
      "receive_buffer_bytes",
      "socket_connection_setup_timeout_max_ms",
    ]);
  });
});
