/**
 * `check`'s registry step: when value_format or key_format is avro or json_schema, the registry must
 * answer (its global config), so a wrong URL, refused credentials or an untrusted certificate fail
 * `check` rather than the sync's first record.
 */
import { registryUses } from "../config/registry.ts";
import type { Config } from "../config/schema.ts";
import { createRegistryClient } from "./client.ts";

/** A note for the user when a registry format is configured (the registry answered); else undefined. */
export async function checkRegistry(config: Config): Promise<string | undefined> {
  const uses = registryUses(config);
  if (uses.length === 0 || !config.schema_registry) return undefined;
  const client = createRegistryClient(config.schema_registry, config.request_timeout_ms);
  const { compatibility, url } = await client.ping();
  const settings = uses.map(({ field, format }) => `${field} ${format}`).join(" and ");
  const what =
    uses.length > 1
      ? "register each stream's schemas there"
      : uses[0]?.field === "key_format"
        ? "registers each stream's key schema there"
        : "registers each stream's schema there";
  return `The Schema Registry at ${url} answered (global compatibility ${compatibility}); ${settings} ${what}.`;
}
