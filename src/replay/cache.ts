/**
 * Cache of base states: the sandbox database after every merged migration, keyed by a digest of
 * the base files (names + blob ids), the engine and its version, and how files are run. Also
 * caches base histories that do not apply, so they are not replayed again to fail again.
 *
 * MemoryCache (the app: one long-lived process) is bounded by bytes, least recently used out.
 * DiskCache (the CLI: a process per run) keeps entries under the user's cache directory, also
 * bounded, and verifies each entry's checksum before use.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DbError } from "./types.js";

export type CacheEntry =
  | { kind: "state"; data: Uint8Array; extensions: string[]; files: number }
  | {
      kind: "failed";
      files: number;
      engine: string;
      failure: { path: string; line: number; error: DbError; limitation: boolean };
    };

export interface SnapshotCache {
  get(key: string): Promise<CacheEntry | null>;
  set(key: string, entry: CacheEntry): Promise<void>;
}

/** Bumped whenever what a snapshot contains or how it is made changes. */
const FORMAT = 1;

export interface BaseKeyInput {
  engine: string;
  multiStatement: boolean;
  /** Base up files in apply order: [file name, blob id]. */
  files: ReadonlyArray<readonly [string, string]>;
}

export function baseKey(input: BaseKeyInput): string {
  return createHash("sha256")
    .update(JSON.stringify([FORMAT, input.engine, input.multiStatement, input.files]))
    .digest("hex");
}

export function templateKey(engine: string): string {
  return createHash("sha256")
    .update(JSON.stringify([FORMAT, "template", engine]))
    .digest("hex");
}

function sizeOf(e: CacheEntry): number {
  return e.kind === "state" ? e.data.byteLength + 256 : 4096;
}

export class MemoryCache implements SnapshotCache {
  private readonly entries = new Map<string, CacheEntry>();
  private bytes = 0;

  constructor(private readonly maxBytes = 256 * 1024 * 1024) {}

  async get(key: string): Promise<CacheEntry | null> {
    const e = this.entries.get(key);
    if (!e) return null;
    // Map order is insertion order: re-inserting marks it most recently used.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e;
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    const size = sizeOf(entry);
    if (size > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= sizeOf(old);
      this.entries.delete(key);
    }
    this.entries.set(key, entry);
    this.bytes += size;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= sizeOf(e);
    }
  }

  get size(): number {
    return this.bytes;
  }
}

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

/** One file per entry: 4-byte header length, JSON header (with the payload's sha256), payload. */
export class DiskCache implements SnapshotCache {
  constructor(
    readonly dir: string,
    private readonly maxBytes = 1024 * 1024 * 1024,
  ) {}

  private path(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`invalid cache key ${key}`);
    return join(this.dir, `${key}.snapshot`);
  }

  async get(key: string): Promise<CacheEntry | null> {
    const p = this.path(key);
    let buf: Buffer;
    try {
      buf = await readFile(p);
    } catch {
      return null;
    }
    const entry = decode(buf);
    if (!entry) {
      await rm(p, { force: true }); // corrupt or from another format: rebuild it
      return null;
    }
    const now = new Date();
    await utimes(p, now, now).catch(() => undefined);
    return entry;
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const p = this.path(key);
    const tmp = `${p}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, encode(entry));
    await rename(tmp, p);
    await this.prune();
  }

  private async prune(): Promise<void> {
    const files: Array<{ p: string; size: number; mtime: number }> = [];
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith(".snapshot")) continue;
      const p = join(this.dir, name);
      const st = await stat(p).catch(() => null);
      if (st) files.push({ p, size: st.size, mtime: st.mtimeMs });
    }
    files.sort((a, b) => b.mtime - a.mtime);
    let total = 0;
    for (const f of files) {
      total += f.size;
      if (total > this.maxBytes) await rm(f.p, { force: true });
    }
  }
}

function encode(entry: CacheEntry): Buffer {
  const payload = entry.kind === "state" ? Buffer.from(entry.data) : Buffer.alloc(0);
  const { data: _data, ...meta } = entry as CacheEntry & { data?: Uint8Array };
  const header = Buffer.from(
    JSON.stringify({
      format: FORMAT,
      sha256: createHash("sha256").update(payload).digest("hex"),
      meta,
    }),
  );
  const len = Buffer.alloc(4);
  len.writeUInt32BE(header.length);
  return Buffer.concat([len, header, payload]);
}

function decode(buf: Buffer): CacheEntry | null {
  try {
    const len = buf.readUInt32BE(0);
    const header = JSON.parse(buf.subarray(4, 4 + len).toString("utf8")) as {
      format: number;
      sha256: string;
      meta: Omit<CacheEntry, "data">;
    };
    const payload = buf.subarray(4 + len);
    if (header.format !== FORMAT) return null;
    if (createHash("sha256").update(payload).digest("hex") !== header.sha256) return null;
    if (header.meta.kind === "state")
      return {
        ...(header.meta as Omit<Extract<CacheEntry, { kind: "state" }>, "data">),
        data: new Uint8Array(payload),
      };
    return header.meta as CacheEntry;
  } catch {
    return null;
  }
}
