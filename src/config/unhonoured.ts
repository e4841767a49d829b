/**
 * Producer settings that no runtime here can honour. They are accepted (existing configs carry
 * them) and documented as having no effect; a non-default value gets a WARN so nobody relies on it.
 */
import type { Config } from "./schema.ts";

export interface UnhonouredSetting {
  field: keyof Config;
  why: string;
}

/** Settings set to a non-default value that have no effect here, each with the reason. */
export function unhonouredSettings(config: Config): UnhonouredSetting[] {
  const out: UnhonouredSetting[] = [];
  if (config.client_dns_lookup !== "use_all_dns_ips") {
    out.push({ field: "client_dns_lookup", why: "the runtime's resolver decides which addresses are tried" });
  }
  if (config.send_buffer_bytes !== 131072) {
    out.push({ field: "send_buffer_bytes", why: "neither Bun nor Deno lets a client set SO_SNDBUF" });
  }
  if (config.receive_buffer_bytes !== 32768) {
    out.push({ field: "receive_buffer_bytes", why: "neither Bun nor Deno lets a client set SO_RCVBUF" });
  }
  if (config.socket_connection_setup_timeout_max_ms !== 30000) {
    out.push({
      field: "socket_connection_setup_timeout_max_ms",
      why: "connection attempts use socket_connection_setup_timeout_ms each, without exponential growth",
    });
  }
  return out;
}
