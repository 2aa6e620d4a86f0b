/**
 * The CLI's cache directory, in a module of its own: the bin's loader (cli/bin.ts) needs it before
 * any of the tool's code is loaded, so it must not pull in more than node:path and node:fs.
 */
import { mkdirSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve, sep } from "node:path";

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

/**
 * `dir`'s real path when no other user can put files in it, or null. Every key of the caches
 * under defaultCacheDir is derived from public inputs (the bundle's text, Node's version, the
 * merged files) and their checksums only catch accidents, so whoever can write the directory can
 * forge an entry: a merged schema or a replay state that lets a change pass, or bytecode that V8
 * runs in place of the bundle (V8 checks a code cache against the source's length, not its text).
 * The user's own directories are trusted (whoever writes them can edit the tool too); one another
 * user could write is not: a shared CI runner's /tmp/…, a directory someone else made or links to.
 * So: the real path (symlinks resolved once, and used from then on, so a link cannot be swapped
 * after the check); it and every parent owned by this user or root; the directory itself writable
 * by no one else (group: only its owner's own primary group, as with per-user groups and umask
 * 002); a parent writable by others only when sticky (/tmp: others cannot rename what is ours).
 * `create`: make it first (mode 0700) if missing. Windows has ACLs, not modes: not checked there.
 */
export function trustedCacheDir(dir: string, create = false): string | null {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  try {
    if (create) mkdirSync(dir, { recursive: true, mode: 0o700 });
    const real = realpathSync(dir);
    if (uid === undefined) return real;
    for (let path = real; ; path = dirname(path)) {
      const st = statSync(path);
      if (st.uid !== uid && st.uid !== 0) return null;
      const sticky = (st.mode & 0o1000) !== 0;
      const byOthers = (st.mode & 0o002) !== 0 || ((st.mode & 0o020) !== 0 && st.gid !== gid);
      if (byOthers && (path === real || !sticky)) return null;
      if (dirname(path) === path) return real;
    }
  } catch {
    return null;
  }
}

/**
 * The first of `places` (a repository's work tree and git directories) that holds `dir`, or null.
 * trustedCacheDir cannot tell such a directory from the user's own: the files a checkout writes
 * are the user's, so a pull request that commits entries under a cache directory set inside the
 * checkout (`XDG_CACHE_HOME=$GITHUB_WORKSPACE/.cache`) forges them, and every key is public.
 *
 * Directories, not path texts, are compared: the device and inode of `dir` and of each of its
 * ancestors against those of each place. One directory has several paths: through a bind mount
 * (a container that mounts the workspace at /src and again at /app), a case-insensitive file
 * system (/Users/me/Repo and /users/me/repo), or a symlink followed by `..` (`link/..` is the
 * link's target's parent, not the directory holding the link, which is what a path's text says).
 * The ancestors are those of the physical path (the system's realpath); a directory not made yet
 * counts from its nearest existing ancestor, as mkdir -p would make it.
 */
export function cacheDirInside(dir: string, places: readonly string[]): string | null {
  const ids = places.map((place) => identity(place));
  for (let path: string = physical(dir); ; path = dirname(path)) {
    const id = identity(path);
    const i = id === null ? -1 : ids.indexOf(id);
    if (i >= 0) return places[i]!;
    if (dirname(path) === path) break;
  }
  // A place that cannot be read (stat fails) is still compared by its path.
  const real = realOrPlanned(dir);
  for (const [i, place] of places.entries()) {
    if (ids[i] !== null) continue;
    const root = realOrPlanned(place);
    if (real === root || real.startsWith(root.endsWith(sep) ? root : root + sep)) return place;
  }
  return null;
}

/** "device:inode" of a directory, or null when it cannot be read. */
function identity(path: string): string | null {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.dev}:${st.ino}`;
  } catch {
    return null;
  }
}

/**
 * `path` as the system resolves it: its nearest existing ancestor through the system's realpath
 * (which follows a symlink before a `..`, as opening the path does), then the rest, which does not
 * exist; again if the rest's `..` led back into existing directories.
 */
function physical(path: string): string {
  let current = isAbsolute(path) ? path : `${process.cwd()}${sep}${path}`;
  for (let round = 0; round < 8; round++) {
    const rest: string[] = [];
    let existing = current;
    for (;;) {
      try {
        existing = realpathSync.native(existing);
        break;
      } catch {
        const parent = dirname(existing);
        if (parent === existing) break;
        rest.unshift(basename(existing));
        existing = parent;
      }
    }
    const next = rest.length === 0 ? existing : join(existing, ...rest);
    if (next === current || !rest.includes("..")) return next;
    current = next;
  }
  return resolve(current);
}

function realOrPlanned(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(realOrPlanned(parent), basename(abs));
  }
}
