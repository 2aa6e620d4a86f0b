/**
 * The CLI's cache directory, in a module of its own: the bin's loader (cli/bin.ts) needs it before
 * any of the tool's code is loaded, so it must not pull in more than node:path.
 */
import { join } from "node:path";

/**
 * Where the CLI keeps snapshots. Not node_modules/.cache: migration-warden mostly runs in Go
 * repositories (npx, a global install) that have no node_modules, and CI systems cache the home
 * cache directory easily. MIGRATION_WARDEN_CACHE_DIR overrides it; "off" disables the disk cache.
 */
export function defaultCacheDir(
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform = process.platform,
): string | null {
  const explicit = env.MIGRATION_WARDEN_CACHE_DIR;
  if (explicit !== undefined && explicit !== "") return explicit === "off" ? null : explicit;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "migration-warden");
  if (platform === "win32" && env.LOCALAPPDATA)
    return join(env.LOCALAPPDATA, "migration-warden", "Cache");
  const home = env.HOME ?? env.USERPROFILE;
  if (!home) return null;
  return platform === "darwin"
    ? join(home, "Library", "Caches", "migration-warden")
    : join(home, ".cache", "migration-warden");
}
