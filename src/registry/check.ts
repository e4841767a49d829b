/**
 * `check`'s registry step: with value_format avro or json_schema, the registry must answer (its
 * global config), so a wrong URL, refused credentials or an untrusted certificate fail `check`
 * rather than the sync's first record.
 */
import type { Config } from "../config/schema.ts";
import { createRegistryClient } from "./client.ts";

/** A note for the user when a registry format is configured (the registry answered); else undefined. */
export async function checkRegistry(config: Config): Promise<string | undefined> {
  if (config.value_format === "json" || !config.schema_registry) return undefined;
  const client = createRegistryClient(config.schema_registry, config.request_timeout_ms);
  const { compatibility, url } = await client.ping();
  return `The Schema Registry at ${url} answered (global compatibility ${compatibility}); value_format ${config.value_format} registers each stream's schema there.`;
}
