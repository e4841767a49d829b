/**
 * Our Schema Registry client, the few calls of Confluent's REST API a producer needs: the id of a
 * subject's schema (looked up, registered when new, then cached), and the compatibility level.
 * Chosen over @confluentinc/schemaregistry (~280 packages) and @platformatic/kafka's registry
 * (which only fetches schemas by id).
 *
 * | answer                              | becomes                                                      |
 * |-------------------------------------|--------------------------------------------------------------|
 * | 409 on register (incompatible)      | config_error naming the subject and its compatibility level |
 * | 401 / 403                           | config_error: the credentials were refused                  |
 * | 422 (schema refused as invalid)     | system_error: the schema this connector derived is at fault |
 * | no answer, 5xx (every URL)          | transient_error (transport.ts)                              |
 */
import type { SchemaRegistryConfig } from "../config/registry.ts";
import { ConnectorError } from "../errors.ts";
import { isObject } from "../is-object.ts";
import { createTransport, type RegistryAnswer, type RegistryRequest } from "./transport.ts";

export type SchemaType = "AVRO" | "JSON";

export interface RegistryClient {
  /** The id of `schema` (JSON text) under `subject`; registers it when the subject lacks it. */
  schemaId(subject: string, schemaType: SchemaType, schema: string): Promise<number>;
  /** Reaches the registry; resolves with its global compatibility level and the URL that answered. */
  ping(): Promise<{ compatibility: string; url: string }>;
}

export function createRegistryClient(
  config: SchemaRegistryConfig,
  timeoutMs: number,
  request: RegistryRequest = createTransport(config, timeoutMs),
): RegistryClient {
  const ids = new Map<string, Promise<number>>();

  const lookUpOrRegister = async (subject: string, schemaType: SchemaType, schema: string) => {
    const path = `/subjects/${encodeURIComponent(subject)}`;
    const body = { schema, ...(schemaType === "AVRO" ? {} : { schemaType }) };
    const found = await request("POST", path, body);
    if (found.status === 200) return idOf(found, subject);
    if (found.status !== 404) throw unexpected(found, `looking up subject ${subject}`);
    const registered = await request("POST", `${path}/versions`, body);
    if (registered.status === 200) return idOf(registered, subject);
    if (registered.status === 409) {
      const level = await compatibilityOf(request, subject);
      throw new ConnectorError(
        `The Schema Registry refused the schema for subject ${subject}: it is not compatible with the versions already registered under compatibility level ${level}. Change the subject's compatibility, delete its old versions, or write to another topic (topic_pattern).`,
        "config_error",
      );
    }
    throw unexpected(registered, `registering a schema under subject ${subject}`);
  };

  return {
    schemaId(subject, schemaType, schema) {
      const key = `${subject}\u0000${schemaType}\u0000${schema}`;
      let id = ids.get(key);
      if (id === undefined) {
        id = lookUpOrRegister(subject, schemaType, schema);
        ids.set(key, id);
        // A failure is not cached: a retry asks again.
        id.catch(() => ids.delete(key));
      }
      return id;
    },
    async ping() {
      const answer = await request("GET", "/config");
      const level = isObject(answer.body) ? answer.body.compatibilityLevel : undefined;
      if (answer.status !== 200 || typeof level !== "string") throw unexpected(answer, "reading its config");
      return { compatibility: level, url: answer.url };
    },
  };
}

// --- internal ---

/** The subject's own level, else the global one (Confluent: `defaultToGlobal`; older servers: 404). */
async function compatibilityOf(request: RegistryRequest, subject: string): Promise<string> {
  const own = await request("GET", `/config/${encodeURIComponent(subject)}?defaultToGlobal=true`);
  const level = isObject(own.body) ? own.body.compatibilityLevel : undefined;
  if (own.status === 200 && typeof level === "string") return level;
  const global = await request("GET", "/config");
  const globalLevel = isObject(global.body) ? global.body.compatibilityLevel : undefined;
  return typeof globalLevel === "string" ? globalLevel : "unknown";
}

function idOf(answer: RegistryAnswer, subject: string): number {
  const id = isObject(answer.body) ? answer.body.id : undefined;
  if (typeof id !== "number") throw unexpected(answer, `reading the schema id of subject ${subject}`);
  return id;
}

function unexpected(answer: RegistryAnswer, action: string): ConnectorError {
  const code = isObject(answer.body) ? answer.body.error_code : undefined;
  const detail = isObject(answer.body) && typeof answer.body.message === "string" ? answer.body.message : "";
  const said = `HTTP ${answer.status}${typeof code === "number" ? ` (error ${code})` : ""}${detail ? `: ${detail.slice(0, 300)}` : ""}`;
  if (answer.status === 401 || answer.status === 403) {
    return new ConnectorError(
      `The Schema Registry at ${answer.url} refused the credentials while ${action} (${said}). Check schema_registry.username and password.`,
      "config_error",
    );
  }
  if (answer.status === 422) {
    return new ConnectorError(
      `The Schema Registry at ${answer.url} refused the schema as invalid while ${action} (${said}).`,
      "system_error",
    );
  }
  return new ConnectorError(
    `The Schema Registry at ${answer.url} answered ${said} while ${action}.`,
    "system_error",
  );
}
