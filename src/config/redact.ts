/**
 * The secret values of a config, found by the spec's `airbyte_secret` marks (plus the passwords
 * inside a JAAS string), so the emitter can blank them out of anything it writes — a last line of
 * defence behind messages that are written never to quote a secret.
 */
import { isObject } from "../is-object.ts";
import { parseJaas } from "./jaas.ts";
import { connectionSpecification } from "./spec.ts";

/** Secrets shorter than this are not redacted: blanking every "a" would garble the output. */
const MIN_SECRET_LENGTH = 4;

export function secretValues(rawConfig: unknown): string[] {
  const names = secretFieldNames(connectionSpecification());
  const found = new Set<string>();
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    if (!isObject(value)) return;
    for (const [key, member] of Object.entries(value)) {
      if (names.has(key) && typeof member === "string") {
        found.add(member);
        found.add(member.trim());
        if (key === "sasl_jaas_config") for (const inner of jaasSecrets(member)) found.add(inner);
      } else walk(member);
    }
  };
  walk(rawConfig);
  return [...found].filter((secret) => secret.length >= MIN_SECRET_LENGTH);
}

// --- internal ---

function secretFieldNames(schema: unknown, names = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const item of schema) secretFieldNames(item, names);
  if (!isObject(schema)) return names;
  if (isObject(schema.properties)) {
    for (const [name, property] of Object.entries(schema.properties)) {
      if (isObject(property) && property.airbyte_secret === true) names.add(name);
    }
  }
  for (const member of Object.values(schema)) secretFieldNames(member, names);
  return names;
}

function jaasSecrets(text: string): string[] {
  try {
    return [...parseJaas(text).options]
      .filter(([key]) => /password|secret|token/i.test(key))
      .map(([, value]) => value);
  } catch {
    return []; // unparsable: the whole string is redacted, and parsing it later fails with a config error
  }
}
