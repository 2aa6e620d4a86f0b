/**
 * Where the CLI's caches may live for a run in a given repository, in a module of its own: lint
 * uses it without loading the replay (replay.ts).
 */
import { cacheDirInside, defaultCacheDir } from "../replay/cache-dir.js";
import type { Git } from "./git.js";
import type { Io } from "./lint.js";

/**
 * `env` for the CLI's caches (schema, replay states) of a run in `git`'s repository: with the disk
 * cache off, said on stderr, when the cache directory lies in its work tree or git directory. The
 * owner and mode checks (trustedCacheDir) pass there, yet its files are whatever the checked-out
 * commit holds: a pull request's forged merged schema or replay state (every key is public) would
 * decide its own lint in a CI job whose cache is set under the workspace.
 */
export function cacheEnv(
  env: Io["env"],
  git: Pick<Git, "places">,
  io: Pick<Io, "stderr">,
): Io["env"] {
  const dir = defaultCacheDir(env);
  const place = dir === null ? null : cacheDirInside(dir, git.places);
  if (dir === null || place === null) return env;
  io.stderr(
    `migration-warden: the cache directory ${dir} is inside the repository (${place}): running without it; set MIGRATION_WARDEN_CACHE_DIR outside the checkout (a commit could plant its entries)\n`,
  );
  return { ...env, MIGRATION_WARDEN_CACHE_DIR: "off" };
}
