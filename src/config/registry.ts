/**
 * The `schema_registry` setting: where the Avro and JSON Schema formats register their schemas.
 * Any registry with Confluent's REST API (Confluent Schema Registry, Apicurio's `/apis/ccompat/v7`,
 * Redpanda, Karapace). Several URLs are tried in turn, as Confluent's clients do.
 */
import * as v from "valibot";

const text = (meta: Record<string, unknown>) =>
  v.pipe(v.nullish(v.pipe(v.string("must be a string"), v.trim())), v.metadata(meta));

const UrlListSchema = v.pipe(
  v.string("must be a string"),
  v.trim(),
  v.nonEmpty("must not be empty"),
  v.check(
    (list) => list.split(",").every((entry) => isHttpUrl(entry.trim())),
    "must be one or more comma-separated http:// or https:// URLs, e.g. https://registry-1:8081",
  ),
  v.metadata({
    title: "Schema Registry URL",
    description:
      "The registry's base URL (Confluent's REST API), or several, comma-separated, tried in turn. For Apicurio, the /apis/ccompat/v7 path.",
    examples: ["https://schema-registry:8081", "http://apicurio:8080/apis/ccompat/v7"],
    order: 0,
  }),
);

export const SchemaRegistrySchema = v.pipe(
  v.nullish(
    v.object({
      url: UrlListSchema,
      username: text({
        title: "Username",
        description: "Basic auth user name (e.g. a Confluent Cloud API key).",
        order: 1,
      }),
      password: text({
        title: "Password",
        description: "Basic auth password (e.g. a Confluent Cloud API secret).",
        airbyte_secret: true,
        order: 2,
      }),
      ca_certificate: text({
        title: "CA Certificate",
        description:
          "PEM certificate(s) of the authority that signed the registry's https certificate. Empty: the runtime's built-in trust store.",
        airbyte_secret: true,
        multiline: true,
        order: 3,
      }),
    }),
  ),
  v.metadata({
    title: "Schema Registry",
    description:
      "Where value_format avro and json_schema register their schemas. Required for those formats.",
    order: 35,
  }),
);

export type SchemaRegistryConfig = NonNullable<v.InferOutput<typeof SchemaRegistrySchema>>;

/** The registry URLs of a config, in the order they are tried, without trailing slashes. */
export function registryUrls(config: SchemaRegistryConfig): string[] {
  return config.url.split(",").map((entry) => entry.trim().replace(/\/+$/, ""));
}

// --- internal ---

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (
      (url.protocol === "http:" || url.protocol === "https:") && url.username === "" && url.password === ""
    );
  } catch {
    return false;
  }
}

export interface RegistryUse {
  field: "value_format" | "key_format";
  format: "avro" | "json_schema";
}

/** The settings that make a sync use the Schema Registry: value, then key; empty when neither does. */
export function registryUses(formats: { value_format: string; key_format: string }): RegistryUse[] {
  const uses: RegistryUse[] = [];
  for (const field of ["value_format", "key_format"] as const) {
    const format = formats[field];
    if (format === "avro" || format === "json_schema") uses.push({ field, format });
  }
  return uses;
}
