import { describe, expect, it } from "bun:test";
import { unhonouredSettings } from "../../src/config/unhonoured.ts";
import { retryDelayMs, toProducerOptions } from "../../src/kafka/client-options.ts";
import { configWith } from "../helpers/config.ts";

describe("toProducerOptions", () => {
  it("maps every setting the client has an equivalent for", () => {
    const options = toProducerOptions(
      configWith({
        bootstrap_servers: "a:1, b:2",
        client_id: "me",
        acks: "all",
        enable_idempotence: true,
        compression_type: "zstd",
        max_in_flight_requests_per_connection: 3,
        socket_connection_setup_timeout_ms: "1234",
        request_timeout_ms: 4321,
        delivery_timeout_ms: 10000,
        retries: 7,
      }),
    );
    expect(options).toMatchObject({
      clientId: "me",
      bootstrapBrokers: ["a:1", "b:2"],
      acks: -1,
      idempotent: true,
      compression: "zstd",
      maxInflights: 3,
      connectTimeout: 1234,
      requestTimeout: 4321,
      timeout: 4321,
      retries: 7,
      autocreateTopics: true,
    });
  });

  it.each([
    ["0", 0],
    ["1", 1],
    ["all", -1],
  ])("acks %p → %p", (acks, expected) => {
    expect(toProducerOptions(configWith({ acks })).acks).toBe(expected);
  });

  it("sync_producer keeps one request in flight", () => {
    expect(toProducerOptions(configWith({ sync_producer: true })).maxInflights).toBe(1);
  });

  it("returns a fresh object each time (the client writes into it)", () => {
    const config = configWith();
    expect(toProducerOptions(config)).not.toBe(toProducerOptions(config));
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
