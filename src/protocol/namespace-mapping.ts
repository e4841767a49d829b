/**
 * The connection's namespace and stream-prefix settings, which a socket-mode destination applies to
 * what the source sends: over stdin the platform maps each message, over sockets nothing sits
 * between source and destination, so records and STATEs carry the source's names while the catalog
 * carries the mapped ones. The file is the Bulk CDK's NamespaceMappingConfig
 * (`{"namespaceDefinitionType":"source|destination|customformat","namespaceFormat"?,"streamPrefix"?}`),
 * applied as its NamespaceMapper does (airbyte-cdk/bulk/core/load/.../command/NamespaceMapper.kt).
 */
import { configError } from "../errors.ts";
import { isObject } from "../is-object.ts";
import type { StreamId } from "./parse.ts";

/** The destination's name for a stream the source names `stream`. */
export type NamespaceMapping = (stream: StreamId) => StreamId;

export const identityMapping: NamespaceMapping = (stream) => stream;

export function parseNamespaceMapping(raw: unknown): NamespaceMapping {
  const type = isObject(raw) ? raw.namespaceDefinitionType : undefined;
  if (!isObject(raw) || (type !== "source" && type !== "destination" && type !== "customformat")) {
    throw configError(
      "The namespace mapping file has no namespaceDefinitionType of source, destination or customformat.",
    );
  }
  const format = optionalText(raw, "namespaceFormat");
  const prefix = optionalText(raw, "streamPrefix") ?? "";
  const namespaceOf = namespaceRule(type, format);
  // The CDK adds a prefix only when it is not blank.
  const nameOf = prefix.trim() === "" ? (name: string) => name : (name: string) => prefix + name;
  return (stream) => ({ name: nameOf(stream.name), namespace: namespaceOf(stream.namespace) });
}

// --- internal ---

// biome-ignore lint/suspicious/noTemplateCurlyInString: the CDK's placeholder, literally.
const SOURCE_NAMESPACE = "${SOURCE_NAMESPACE}";

function namespaceRule(
  type: "source" | "destination" | "customformat",
  format: string | undefined,
): (namespace: string | undefined) => string | undefined {
  if (type === "source") return (namespace) => namespace;
  // The destination's default namespace: the stream is written without one.
  if (type === "destination" || format === undefined || format.trim() === "") return () => undefined;
  const at = format.indexOf(SOURCE_NAMESPACE);
  const before = at < 0 ? format : format.slice(0, at);
  const after = at < 0 ? "" : format.slice(at + SOURCE_NAMESPACE.length);
  return (namespace) => {
    const built = before + (namespace ?? "") + after;
    return built.trim() === "" ? undefined : built;
  };
}

function optionalText(raw: Record<string, unknown>, field: string): string | undefined {
  const value = raw[field] ?? undefined;
  if (value === undefined || typeof value === "string") return value;
  throw configError(`The namespace mapping file's ${field} is not a string.`);
}
