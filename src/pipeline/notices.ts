/**
 * What `write` says before its first record: settings that change what the user gets (append_dedup
 * written as append, settings without effect, idempotence, transactions, acks 0), one LOG each.
 */
import type { Config } from "../config/schema.ts";
import { unhonouredSettings } from "../config/unhonoured.ts";
import { type CatalogStream, overwrites } from "../protocol/catalog.ts";
import type { LogLevel } from "../protocol/emit.ts";
import { streamLabel } from "../protocol/parse.ts";

export interface Notice {
  level: LogLevel;
  text: string;
}

export function startNotices(config: Config, catalog: CatalogStream[]): Notice[] {
  const notices: Notice[] = [];
  const dedup = catalog.filter((entry) => entry.destinationSyncMode === "append_dedup");
  if (dedup.length > 0) {
    notices.push({
      level: "WARN",
      text: `Streams ${dedup.map((entry) => streamLabel(entry.stream)).join(", ")} ask for append_dedup; Kafka topics are append-only, so they are written as append. Deduplication is the consumer's or log compaction's job.`,
    });
  }
  const overwriting = catalog.filter(overwrites);
  if (overwriting.length > 0) {
    notices.push({
      level: "INFO",
      text: `Streams ${overwriting.map((entry) => streamLabel(entry.stream)).join(", ")} overwrite their topics (destination_sync_mode overwrite, or a truncate refresh): their records are appended, and once the sync has succeeded the records their topics held before it are deleted. Their STATEs are echoed only then; a failed sync deletes nothing.`,
    });
  }
  for (const { field, why } of unhonouredSettings(config)) {
    notices.push({ level: "WARN", text: `${field} is set but has no effect in this connector: ${why}.` });
  }
  if (config.transactional_id) {
    notices.push({
      level: "INFO",
      text: `transactional_id is set: records are written in Kafka transactions, committed at each STATE, at the end of the input, and whenever a transaction is half transaction_timeout_ms (${config.transaction_timeout_ms} ms) old. A STATE is echoed once the transaction holding every record before it has committed.`,
    });
  }
  if (config.acks === "0") {
    notices.push({
      level: "WARN",
      text: 'acks is "0": the broker acknowledges nothing, so STATEs are echoed once records are written to the socket. This setting gives no delivery guarantee.',
    });
  }
  return notices;
}
