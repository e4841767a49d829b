/**
 * One schema under one subject, registered (or found) once: what a stream's value or key encoder
 * holds so that per record it only reads the id.
 */
import type { RegistryClient, SchemaType } from "./client.ts";

export interface SubjectSchema {
  readonly subject: string;
  /** The schema id once registered; undefined before `register` resolved. */
  readonly schemaId: number | undefined;
  /** Registers (or looks up) the schema; idempotent. */
  register(): Promise<void>;
}

export function subjectSchema(
  registry: RegistryClient,
  subject: string,
  schemaType: SchemaType,
  schema: unknown,
): SubjectSchema {
  const text = JSON.stringify(schema);
  let schemaId: number | undefined;
  return {
    subject,
    get schemaId() {
      return schemaId;
    },
    async register() {
      schemaId ??= await registry.schemaId(subject, schemaType, text);
    },
  };
}
