/**
 * Avro-legal names, following Airbyte's "JSON to Avro Conversion" rules: accents are stripped
 * (Unicode NFKD without combining marks: `spécial` → `special`), every other character outside
 * `[A-Za-z0-9_]` becomes `_`, and a name that starts with a digit gets a leading `_`. A field whose
 * name had to change keeps its original in the field's `doc` as `_airbyte_original_name:<name>`.
 * The doc says nothing about collisions; here a name already taken gets the first free suffix
 * `_2`, `_3`…, and names that were legal to begin with are never the ones renamed.
 */

/** Prefix of a renamed field's `doc`. */
export const ORIGINAL_NAME_DOC_PREFIX = "_airbyte_original_name:";

/** True when `name` is a legal Avro name (not a dotted full name). */
export function isAvroName(name: string): boolean {
  return NAME.test(name);
}

/** The Avro-legal form of `raw` (itself when it is legal already). */
export function avroName(raw: string): string {
  if (NAME.test(raw)) return raw;
  const ascii = raw
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/[^A-Za-z0-9_]/g, "_");
  if (ascii === "") return "_";
  return /^[0-9]/.test(ascii) ? `_${ascii}` : ascii;
}

/**
 * An Avro namespace for `raw` (a stream namespace such as `public` or `my-db.sales`): each
 * dot-separated part made legal. Undefined for a missing or empty namespace.
 */
export function avroNamespace(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === "") return undefined;
  return raw.split(".").map(avroName).join(".");
}

/**
 * Unique Avro names for sibling `raws` (in order), none of them in `reserved`. Two passes: names
 * already legal keep themselves, then the others take their sanitized form, suffixed when taken.
 */
export function uniqueAvroNames(raws: readonly string[], reserved: ReadonlySet<string>): string[] {
  const taken = new Set(reserved);
  const names: (string | undefined)[] = raws.map((raw) => {
    if (!NAME.test(raw) || taken.has(raw)) return undefined;
    taken.add(raw);
    return raw;
  });
  return raws.map((raw, i) => {
    const kept = names[i];
    if (kept !== undefined) return kept;
    const name = freeName(avroName(raw), taken);
    taken.add(name);
    return name;
  });
}

/** `base`, or `base_2`, `base_3`… whichever is first not in `taken`. */
export function freeName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}_${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

// --- internal ---

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
