/**
 * The CLI's sandbox replay (lint, and drift's expected schema): base files come from git in one
 * `git cat-file --batch` process, base states are cached on disk (see defaultCacheDir) so the
 * next run replays only what is new.
 */
import { join } from "node:path";
import { ConfigError } from "../config/load.js";
import { cliDatabases, type DatabaseResolver } from "../replay/external/select.js";
import { DatabaseUrlError } from "../replay/external/url.js";
import {
  createReplayCheck,
  defaultCacheDir,
  DiskCache,
  MemoryCache,
  type SnapshotCache,
} from "../replay/index.js";
import type { DynamicChecksFactory } from "../changeset/source.js";
import type { Io } from "./lint.js";

// Read by lint's change set (changeset.ts), which a lint loads without the replay's modules.
export { baseReader } from "./changeset.js";

export function cliReplay(io: Pick<Io, "env">): DynamicChecksFactory {
  return (base) => [
    createReplayCheck({
      cache: replayCache(io.env),
      readBase: (files) => base.readBase(files),
      databases: databasesFromEnv(io.env),
    }),
  ];
}

/** The CLI's base-state cache: on disk (defaultCacheDir), in memory when that is off. */
export function replayCache(env: Io["env"]): SnapshotCache {
  const dir = defaultCacheDir(env);
  return dir ? new DiskCache(join(dir, "replay")) : new MemoryCache();
}

/** MIGRATION_WARDEN_DATABASE_URL, checked: an invalid value is a configuration error (exit 2). */
export function databasesFromEnv(env: Io["env"]): DatabaseResolver {
  try {
    return cliDatabases(env);
  } catch (err) {
    if (err instanceof DatabaseUrlError) throw new ConfigError("(environment)", [err.message]);
    throw err;
  }
}
