/** The sandbox replay: run a change's migrations on an embedded database (see docs/replay.md). */
export { createReplayCheck, type BaseFile, type ReplayCheckOptions } from "./check.js";
export {
  DiskCache,
  MemoryCache,
  defaultCacheDir,
  type CacheEntry,
  type SnapshotCache,
} from "./cache.js";
export { availableExtensions } from "./engines/embedded.js";
export {
  appDatabases,
  appDatabasesFromEnv,
  cliDatabases,
  type AppDatabases,
  type DatabaseResolver,
} from "./external/select.js";
export type { ReplayResult } from "./types.js";
