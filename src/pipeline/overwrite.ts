/**
 * Streams that overwrite — Full Refresh Overwrite, or a truncate refresh — on topics, which are
 * append-only: the stream's records are written as append, and the records its topic held before
 * the sync are deleted once the sync has succeeded (every record acknowledged, and committed with
 * transactions, and the input ended without a failure). A failed or interrupted sync deletes
 * nothing, and echoes none of the stream's STATEs, so Airbyte's retry writes the stream again
 * from its start and then deletes this attempt's records with the older ones.
 *
 * Refused before anything is written when it cannot be safe: the topic is shared with other
 * streams (a topic_pattern without {stream}, or two streams whose names give one topic), or the
 * topic's records cannot be deleted (no DELETE permission, compacted-only: the edge says so when
 * it records where the topic ends).
 */
import type { Config } from "../config/schema.ts";
import type { TopicMark, Truncator } from "../contract/send.ts";
import { ConnectorError, configError } from "../errors.ts";
import { type CatalogStream, overwrites } from "../protocol/catalog.ts";
import { type StateLine, streamKey } from "../protocol/parse.ts";
import type { Route, Routes } from "./routes.ts";

export interface Overwrites {
  /** The topics whose older records are deleted at the end, in catalog order. */
  readonly topics: string[];
  /** Whether `state` must wait for the deletion (a STREAM state of such a stream, or any other kind). */
  holds(state: StateLine): boolean;
  /** Records where each topic ends now; rejects with the edge's config_error when it cannot be deleted. */
  mark(): Promise<void>;
  /** Deletes what each topic held before `mark`; the offsets freed, per topic. */
  truncate(): Promise<Map<string, number>>;
}

/** Throws a config_error when a stream that overwrites cannot do so safely. */
export function planOverwrites(
  config: Config,
  catalog: CatalogStream[] | undefined,
  routes: Routes,
  truncator: Truncator | undefined,
): Overwrites {
  const chosen = (catalog ?? []).filter(overwrites);
  const keys = new Set(chosen.map((entry) => streamKey(entry.stream)));
  const byKey = new Map(routes.all().map((route) => [route.key, route]));
  const owned = chosen.map((entry) => byKey.get(streamKey(entry.stream)) as Route);
  for (const route of owned) refuseUnsafe(config, route, routes.all());
  if (owned.length > 0 && !truncator)
    throw new ConnectorError(
      "Streams overwrite their topics, but the Kafka edge cannot delete records.",
      "system_error",
    );
  const topics = owned.map((route) => route.topic);
  const marks = new Map<string, TopicMark | undefined>();
  return {
    topics,
    holds: (state) =>
      state.stateType === "STREAM" && state.stream ? keys.has(streamKey(state.stream)) : keys.size > 0,
    async mark() {
      const found = await Promise.all(topics.map((topic) => truncator?.mark(topic)));
      topics.forEach((topic, i) => {
        marks.set(topic, found[i]);
      });
    },
    async truncate() {
      const deleted = new Map<string, number>();
      for (const topic of topics) {
        const mark = marks.get(topic);
        deleted.set(topic, mark && truncator ? await truncator.truncate(mark) : 0);
      }
      return deleted;
    },
  };
}

// --- internal ---

function refuseUnsafe(config: Config, route: Route, all: Route[]): void {
  const why = `Stream ${route.label} overwrites its topic ${route.topic} (destination_sync_mode overwrite, or a truncate refresh): once the sync succeeds, every record the topic held before it is deleted`;
  if (!config.topic_pattern.includes("{stream}")) {
    throw configError(
      `${why}, but topic_pattern has no {stream}, so that topic is shared with every other stream. Put {stream} in topic_pattern, or use append.`,
    );
  }
  const other = all.find((candidate) => candidate !== route && candidate.topic === route.topic);
  if (other) {
    throw configError(
      `${why}, but stream ${other.label} writes to that topic too. Give the streams topics of their own (topic_pattern, topic_naming), or use append.`,
    );
  }
  if (config.create_topics?.configs?.["cleanup.policy"]?.trim() === "compact") {
    throw configError(
      `${why}, but create_topics would create topics kept by compaction alone (cleanup.policy compact), whose records cannot be deleted. Use cleanup.policy compact,delete, or append.`,
    );
  }
}
