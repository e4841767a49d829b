/**
 * The configured catalog: which streams this sync writes, and how. Kafka topics are append-only, so
 * `append` is written as is, `append_dedup` is written as append (deduplication is the consumer's
 * or log compaction's job), and `overwrite` — like a truncate refresh of any stream — is written as
 * append, then the records the topic held before the sync are deleted once it succeeded
 * (pipeline/overwrite.ts).
 */
import { configError } from "../errors.ts";
import { isObject } from "../is-object.ts";
import { type StreamId, streamKey, streamLabel } from "./parse.ts";

export interface CatalogStream {
  stream: StreamId;
  destinationSyncMode: "append" | "append_dedup" | "overwrite";
  /** The configured `primary_key`, else the stream's `source_defined_primary_key`; [] when neither. */
  primaryKey: string[][];
  /** The stream's `json_schema` (what the registry formats derive their schemas from). */
  jsonSchema?: unknown;
  /**
   * Refreshes (protocol 0.9 on): the generation this sync writes, the oldest generation the stream
   * must keep after it, and the sync's id. Undefined when the catalog leaves them out or null (a
   * platform without refreshes).
   */
  generationId?: number | undefined;
  minimumGenerationId?: number | undefined;
  syncId?: number | undefined;
}

export function parseCatalog(raw: unknown): CatalogStream[] {
  const streams = isObject(raw) ? raw.streams : undefined;
  if (!Array.isArray(streams)) throw configError("Invalid catalog: it has no streams array.");
  const seen = new Set<string>();
  return streams.map((entry, index) => {
    const stream = isObject(entry) ? entry.stream : undefined;
    const name = isObject(stream) ? stream.name : undefined;
    const namespace = isObject(stream) ? (stream.namespace ?? undefined) : undefined;
    if (
      typeof name !== "string" ||
      name === "" ||
      (namespace !== undefined && typeof namespace !== "string")
    ) {
      throw configError(`Invalid catalog: streams[${index}] has no stream.name.`);
    }
    const id: StreamId = { name, namespace };
    if (seen.has(streamKey(id))) {
      throw configError(`Invalid catalog: stream ${streamLabel(id)} is listed more than once.`);
    }
    seen.add(streamKey(id));
    const mode = (isObject(entry) ? entry.destination_sync_mode : undefined) ?? "append";
    if (mode !== "append" && mode !== "append_dedup" && mode !== "overwrite") {
      throw configError(`Stream ${streamLabel(id)} has an unknown destination_sync_mode.`);
    }
    const configured = isObject(entry) ? keyPaths(entry.primary_key) : undefined;
    const sourceDefined = isObject(stream) ? keyPaths(stream.source_defined_primary_key) : undefined;
    const primaryKey = configured?.length ? configured : (sourceDefined ?? []);
    const jsonSchema = isObject(stream) ? stream.json_schema : undefined;
    const counter = (field: string): number | undefined => {
      const value = isObject(entry) ? (entry[field] ?? undefined) : undefined;
      if (value === undefined || (Number.isSafeInteger(value) && (value as number) >= 0))
        return value as number | undefined;
      throw configError(`Stream ${streamLabel(id)} has a ${field} that is not a whole number.`);
    };
    return {
      stream: id,
      destinationSyncMode: mode,
      primaryKey,
      jsonSchema,
      generationId: counter("generation_id"),
      minimumGenerationId: counter("minimum_generation_id"),
      syncId: counter("sync_id"),
    };
  });
}

/**
 * Whether the stream must end the sync holding only this sync's records: Full Refresh Overwrite,
 * or a truncate refresh (`minimum_generation_id` = `generation_id` > 0: every older generation goes).
 */
export function overwrites(entry: CatalogStream): boolean {
  if (entry.destinationSyncMode === "overwrite") return true;
  return (
    entry.generationId !== undefined &&
    entry.generationId > 0 &&
    entry.minimumGenerationId === entry.generationId
  );
}

// --- internal ---

/** A primary key in Airbyte's form, `[["user","id"],["region"]]`, or undefined when it is not one. */
function keyPaths(value: unknown): string[][] | undefined {
  if (!Array.isArray(value)) return undefined;
  const paths = value.filter(
    (path): path is string[] =>
      Array.isArray(path) && path.length > 0 && path.every((part) => typeof part === "string"),
  );
  return paths.length === value.length ? paths : undefined;
}
