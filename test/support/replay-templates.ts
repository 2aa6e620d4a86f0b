/**
 * Fresh-database snapshots (what initdb leaves: seconds of WASM per run) shared by every test
 * process through one directory under the system's temp dir. Only templates go there (entries
 * with no merged file applied): base states stay in each test's own cache, so tests keep their
 * isolation and their assertions on what was read or restored. Entries are checksummed and keyed
 * by the engine's version, so a stale one is never used. Light on purpose (no engine, no parser):
 * a test that only seeds a CLI's cache directory does not load the sandbox.
 */
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DiskCache,
  MemoryCache,
  type CacheEntry,
  type SnapshotCache,
} from "../../src/replay/cache.js";

export const SHARED_TEMPLATES = new DiskCache(
  join(tmpdir(), `migration-warden-test-templates-${process.getuid?.() ?? "user"}`),
);

/** Seed a CLI cache directory (MIGRATION_WARDEN_CACHE_DIR) with the shared templates; how many. */
export function seedCacheDir(dir: string): number {
  const replay = join(dir, "replay");
  mkdirSync(replay, { recursive: true });
  let names;
  try {
    names = readdirSync(SHARED_TEMPLATES.dir, { withFileTypes: true });
  } catch {
    return 0; // none made yet
  }
  let seeded = 0;
  for (const name of names) {
    if (name.isFile() && name.name.endsWith(".snapshot")) {
      copyFileSync(join(SHARED_TEMPLATES.dir, name.name), join(replay, name.name));
      seeded++;
    }
  }
  return seeded;
}

/**
 * Templates read from SHARED_TEMPLATES in this process, by key: one array per template, as the
 * app's MemoryCache hands out. A DiskCache read is a new array at every get, and the sandbox's
 * host unpacks (gunzips) a template once per array (src/replay/unpacked-states.ts): 40 MB of new
 * buffers per start, in a Jest worker whose heap may hold hundreds of MB of earlier files, where
 * each 64 MB of them cost a full garbage collection. Entries are never changed by their users
 * (MemoryCache's are shared the same way in production); only hits are kept.
 */
const readTemplates = new Map<string, CacheEntry>();

async function sharedTemplate(key: string): Promise<CacheEntry | null> {
  const kept = readTemplates.get(key);
  if (kept) return kept;
  const entry = await SHARED_TEMPLATES.get(key).catch(() => null);
  if (entry) readTemplates.set(key, entry);
  return entry;
}

class TestCache extends MemoryCache {
  override async get(key: string): Promise<CacheEntry | null> {
    return (await super.get(key)) ?? (await sharedTemplate(key));
  }

  override async set(key: string, entry: CacheEntry): Promise<void> {
    await super.set(key, entry);
    if (entry.kind === "state" && entry.files === 0)
      await SHARED_TEMPLATES.set(key, entry).catch(() => undefined);
  }
}

/** A cache of its own for a test (or a file), sharing only the fresh-database templates. */
export function testCache(): SnapshotCache {
  return new TestCache();
}
