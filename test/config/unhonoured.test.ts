import { describe, expect, it } from "bun:test";
import { unhonouredSettings } from "../../src/config/unhonoured.ts";
import { configWith } from "../helpers/config.ts";

describe("unhonouredSettings", () => {
  it("says nothing for the defaults, though every one of these fields has one", () => {
    expect(unhonouredSettings(configWith())).toEqual([]);
  });

  it.each([
    ["client_dns_lookup", "default", "the runtime's resolver decides"],
    ["send_buffer_bytes", 1, "SO_SNDBUF"],
    ["receive_buffer_bytes", 1, "SO_RCVBUF"],
    ["socket_connection_setup_timeout_max_ms", "1000", "without exponential growth"],
  ])("%s set to another value has no effect, and says why", (field, value, why) => {
    const settings = unhonouredSettings(configWith({ [field]: value }));
    expect(settings.map((setting) => String(setting.field))).toEqual([field]);
    expect(settings[0]?.why).toContain(why);
  });
});
