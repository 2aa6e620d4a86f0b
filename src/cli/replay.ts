/**
 * The CLI's sandbox replay: base files come from git in one `git cat-file --batch` process, base
 * states are cached on disk (see defaultCacheDir) so the next run replays only what is new.
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
  type BaseFile,
} from "../replay/index.js";
import type { DynamicChecksFactory } from "../changeset/source.js";
import type { Git } from "./git.js";
import type { Io } from "./lint.js";

export function cliReplay(io: Pick<Io, "env">): DynamicChecksFactory {
  return (base) => {
    const dir = defaultCacheDir(io.env);
    return [
      createReplayCheck({
        cache: dir ? new DiskCache(join(dir, "replay")) : new MemoryCache(),
        readBase: (files) => base.readBase(files),
        databases: databasesFromEnv(io.env),
      }),
    ];
  };
}

/** MIGRATION_WARDEN_DATABASE_URL, checked: an invalid value is a configuration error (exit 2). */
function databasesFromEnv(env: Io["env"]): DatabaseResolver {
  try {
    return cliDatabases(env);
  } catch (err) {
    if (err instanceof DatabaseUrlError) throw new ConfigError("(environment)", [err.message]);
    throw err;
  }
}

/** Base files by blob id (the listing has them), else by `<base>:<path>`. */
export function baseReader(
  git: Pick<Git, "readBlobs"> | null,
  baseSha: string | null,
): (files: readonly BaseFile[]) => Promise<Uint8Array[]> {
  return async (files) => {
    if (!git || !baseSha) throw new Error(`no base revision to read ${files[0]?.path} from`);
    return git.readBlobs(
      files.map((f) => ({ object: f.oid ?? `${baseSha}:${f.path}`, path: f.path })),
    );
  };
}
