/**
 * The SPEC message, generated from the valibot schema that validates configs (no hand-kept JSON).
 */
import { type JsonSchema, toJsonSchema } from "@valibot/to-json-schema";
import { numericJsonSchemas } from "./numeric.ts";
import { ConfigObjectSchema } from "./schema.ts";

export const DOCUMENTATION_URL = "https://docs.airbyte.com/integrations/destinations/kafka";

export function connectionSpecification(): Record<string, unknown> {
  const schema = toJsonSchema(ConfigObjectSchema, {
    typeMode: "input",
    ignoreActions: ["trim", "check"],
    overrideSchema: ({ valibotSchema, jsonSchema }) =>
      numericJsonSchemas.get(valibotSchema) ?? airbyteFlavour(jsonSchema),
  });
  return { ...schema, title: "Kafka Destination Spec", additionalProperties: true };
}

export function specMessage() {
  return {
    type: "SPEC",
    spec: {
      documentationUrl: DOCUMENTATION_URL,
      connectionSpecification: connectionSpecification(),
      supportsIncremental: true,
      // overwrite: appended, then what the topic held before is deleted (pipeline/overwrite.ts).
      supported_destination_sync_modes: ["append", "overwrite"],
    },
  };
}

// --- internal ---

/**
 * Airbyte's UI reads the JSON Schema subset its own connectors use: a field that may be null is
 * shown as its plain type (null means "use the default"), and a oneOf discriminator is a
 * one-value string enum with that value as default.
 */
function airbyteFlavour(jsonSchema: JsonSchema): JsonSchema | null {
  const { anyOf, ...rest } = jsonSchema;
  if (anyOf?.length === 2) {
    const nonNull = anyOf.filter((branch) => typeof branch !== "object" || branch.type !== "null");
    const [only] = nonNull;
    if (nonNull.length === 1 && typeof only === "object") return { ...only, ...rest };
  }
  if (typeof jsonSchema.const === "string") {
    const { const: value, ...others } = jsonSchema;
    return { type: "string", enum: [value], default: value, ...others };
  }
  return null;
}
