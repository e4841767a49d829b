/**
 * Message keys taken from a record's fields (`message_key` primary_key or fields): one field → its
 * value; several → a JSON array of the values, in order. A missing or null key field is a record
 * error naming the stream and the field, never its value — a record without its key would land on a
 * partition its entity does not live on.
 */
import { Buffer } from "node:buffer";
import { isObject } from "../is-object.ts";

/** The key bytes, or the reason the record has none (for the input policy). */
export function fieldKey(
  data: Record<string, unknown>,
  paths: string[][],
  format: "string" | "json",
): Buffer | string {
  const values = keyFieldValues(data, paths);
  if (typeof values === "string") return values;
  const [only] = values;
  if (values.length === 1 && format === "string") {
    return Buffer.from(typeof only === "string" ? only : JSON.stringify(only));
  }
  return Buffer.from(JSON.stringify(values.length === 1 ? only : values));
}

/** The values of the key fields at `paths`, in order, or the reason the record has none. */
export function keyFieldValues(data: Record<string, unknown>, paths: string[][]): unknown[] | string {
  const values: unknown[] = [];
  for (const path of paths) {
    let value: unknown = data;
    for (const part of path) {
      value = isObject(value) ? value[part] : undefined;
    }
    const field = path.join(".");
    if (value === undefined || value === null) return `its key field ${field} is missing or null`;
    if (typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value)) {
      return `its key field ${field} holds an integer beyond 2^53, which cannot be used as a key exactly`;
    }
    values.push(value);
  }
  return values;
}
