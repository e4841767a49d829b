/**
 * A stream's messages when its value or key (or both) goes through the Schema Registry: the
 * record.ts message (key, headers, timestamp, the reference JSON value; record-v2.ts's with the V2
 * layout) with the registry-framed value (registry-values.ts) and key (registry-keys.ts) swapped
 * in. Made once per stream; the json path never comes here.
 */
import type { Buffer } from "node:buffer";
import { v4 as uuidv4, v7 as uuidv7 } from "uuid";
import type { Config } from "../config/schema.ts";
import type { ValuedRecord } from "../contract/send.ts";
import type { CatalogStream } from "../protocol/catalog.ts";
import type { RecordLine } from "../protocol/parse.ts";
import type { RegistryClient } from "../registry/client.ts";
import type { SubjectSchema } from "../registry/subject-schema.ts";
import { encodeRecord } from "./record.ts";
import { encodeRecordV2, type LayoutOptions } from "./record-v2.ts";
import { type StreamKeys, streamKeys } from "./registry-keys.ts";
import { type StreamValues, streamValues } from "./registry-values.ts";

export interface RegistryCodec {
  /** True when the key comes from the codec (key_format avro or json_schema). */
  readonly keys: boolean;
  /** Registers the schemas not registered yet; undefined once all are. */
  pending(): Promise<void> | undefined;
  /**
   * The message of `record`; `key` is record.ts's key override (null: no key), used only when the
   * key does not come from the codec. Throws RECORD_DOES_NOT_FIT errors for records that cannot be.
   */
  encode(
    record: RecordLine,
    topic: string,
    options: LayoutOptions,
    key: Buffer | null | undefined,
  ): ValuedRecord;
}

/** The codec of a stream, or undefined when neither value nor key uses the registry. */
export function registryCodec(
  config: Config,
  entry: Pick<CatalogStream, "stream" | "jsonSchema" | "syncId" | "generationId">,
  topic: string,
  keyPaths: string[][] | undefined,
  registry: RegistryClient,
): RegistryCodec | undefined {
  const layout = config.message_layout;
  const common = {
    stream: entry.stream,
    jsonSchema: entry.jsonSchema,
    topic,
    strategy: config.subject_name_strategy,
    registry,
    layout,
    syncId: entry.syncId,
    generationId: entry.generationId,
  };
  const [newId, reference] = layout === "airbyte_v2" ? [uuidv7, encodeRecordV2] : [uuidv4, encodeRecord];
  const valueFormat = config.value_format;
  const keyFormat = config.key_format;
  const values: StreamValues | undefined =
    valueFormat === "json" ? undefined : streamValues({ ...common, format: valueFormat });
  const keys: StreamKeys | undefined =
    (keyFormat === "avro" || keyFormat === "json_schema") && config.message_key !== "none"
      ? streamKeys({ ...common, format: keyFormat, keyPaths })
      : undefined;
  if (values === undefined && keys === undefined) return undefined;
  const schemas = [values?.schema, keys?.schema].filter(
    (schema): schema is SubjectSchema => schema !== undefined,
  );
  return {
    keys: keys !== undefined,
    pending() {
      if (schemas.every((schema) => schema.schemaId !== undefined)) return undefined;
      return Promise.all(schemas.map((schema) => schema.register())).then(() => undefined);
    },
    encode(record, topic, options, key) {
      const id = newId();
      const ownKey = keys?.encode(record, id);
      const json = reference(record, topic, options, id, ownKey ?? key);
      const value = values ? values.encode(record, id, json.value) : json.value;
      return { ...json, value, size: json.size - json.value.length + value.length };
    },
  };
}
