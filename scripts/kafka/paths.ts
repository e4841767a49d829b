/**
 * Where the Kafka harness keeps its state: everything lives under the
 * git-ignored `.cache/` folder at the repository root.
 */
import { join, resolve } from "node:path";

/** Repository root (this file is `scripts/kafka/paths.ts`). */
export const REPO_ROOT: string = resolve(import.meta.dir, "..", "..");

/** Git-ignored cache folder for jars and broker state. */
export const CACHE_DIR: string = join(REPO_ROOT, ".cache");

/** Parent folder of all broker working directories. */
export const BROKERS_DIR: string = join(CACHE_DIR, "brokers");

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Working directory of the broker called `name` (validated: no path tricks). */
export function brokerDir(name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw new Error(`invalid broker name ${JSON.stringify(name)}: use letters, digits, '_', '.', '-'`);
  }
  return join(BROKERS_DIR, name);
}

/** Parent folder of the cluster descriptions (`<name>.json`); the nodes live in BROKERS_DIR. */
export const CLUSTERS_DIR: string = join(CACHE_DIR, "clusters");

/** Description file of the cluster called `name` (validated like broker names). */
export function clusterFile(name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw new Error(`invalid cluster name ${JSON.stringify(name)}: use letters, digits, '_', '.', '-'`);
  }
  return join(CLUSTERS_DIR, `${name}.json`);
}

/** Descriptions of the network namespaces the harness made (`<name>.json`, netns.ts). */
export const NETNS_DIR: string = join(CACHE_DIR, "netns");
