/**
 * Cache of base states: the sandbox database after a prefix of the merged history, keyed by a
 * chain over the base files (see prefixKeys), so a base that gains migrations restores the state
 * it had before and applies only the new files. Also caches base histories that do not apply, so
 * they are not replayed again to fail again.
 *
 * MemoryCache (the app: one long-lived process) is bounded by bytes, least recently used out.
 * DiskCache (the CLI: a process per run) keeps entries under the user's cache directory, also
 * bounded, and verifies each entry's checksum before use.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { TOOL } from "../version.js";
import type { Schema } from "./schema.js";
import type { DbError } from "./types.js";

// The CLI's bin finds its code cache there before it loads anything else (cli/code-cache.ts).
export { defaultCacheDir } from "./cache-dir.js";
import { trustedCacheDir } from "./cache-dir.js";

export type CacheEntry =
  | { kind: "state"; data: Uint8Array; extensions: string[]; files: number }
  /** The fingerprint of a base state (drift detection compares it with a live database). */
  | { kind: "schema"; schema: Schema; engine: string; extensions: string[]; files: number }
  | {
      kind: "failed";
      files: number;
      engine: string;
      failure: { path: string; line: number; error: DbError; limitation: boolean };
    };

export interface SnapshotCache {
  get(key: string): Promise<CacheEntry | null>;
  set(key: string, entry: CacheEntry): Promise<void>;
  /** The keys among `keys` that have an entry now (cheap: nothing is read or verified). */
  holding(keys: readonly string[]): Promise<Set<string>>;
}

/** Bumped whenever what a snapshot contains, how it is made or how keys are derived changes. */
const FORMAT = 4;

export interface BaseKeyInput {
  engine: string;
  multiStatement: boolean;
  /** Base up files in apply order: [file name, blob id]. */
  files: ReadonlyArray<readonly [string, string]>;
}

const sha256 = (parts: unknown[]) =>
  createHash("sha256").update(JSON.stringify(parts)).digest("hex");

/**
 * The key of every prefix of the base, like the hash chain of golang-migrate's atlas.sum:
 * key_i = H(key_i-1, name_i, oid_i, engine, mode). keys[i] names the state after files[0..i], so
 * keys of an old base stay valid when files are appended, and a merged file that is edited,
 * renamed or removed changes its own key and every later one (its prefix stays valid).
 */
export function prefixKeys(input: BaseKeyInput): string[] {
  const { engine, multiStatement } = input;
  let key = sha256([FORMAT, "base", engine, multiStatement]);
  return input.files.map(([name, oid]) => (key = sha256([key, name, oid, engine, multiStatement])));
}

/**
 * What a fingerprint holds (fingerprint/): bumped when its reads change between releases' builds
 * of one version (2: Postgres extensions list their members; 3: a name part holding a dot or a
 * quote is quoted, schema.ts namePart; 4: Postgres privileges, replica identity, inheritance,
 * columns' storage settings, CLUSTER ON, extended statistics, publications, event triggers, FORCE
 * ROW LEVEL SECURITY alone; 5: MySQL partitioning, sequences' settings and definers, SQLite
 * columns' COLLATE and generation expressions, ON CONFLICT, deferred foreign keys), so drift never
 * compares a cached fingerprint of the old reads with a live one of the new.
 */
const FINGERPRINT_READS = 5;

/**
 * The key of the fingerprint of the state after all of `input.files` (none: a fresh database).
 * The fingerprint is this release's reading of the catalogs, so the release is part of the key.
 */
export function fingerprintKey(input: BaseKeyInput): string {
  const keys = prefixKeys(input);
  const base =
    keys[keys.length - 1] ?? sha256([FORMAT, "base", input.engine, input.multiStatement]);
  return sha256([FORMAT, "fingerprint", FINGERPRINT_READS, TOOL.version, base]);
}

/**
 * The fresh database's key. Templates are now initdb's cleanly shut down data directory
 * (PgliteEngine.template); those cached before, snapshots of a running database, load alike (at
 * the cost of a short crash recovery per start), so the key is unchanged.
 */
export function templateKey(engine: string): string {
  return sha256([FORMAT, "template", engine]);
}

function sizeOf(e: CacheEntry): number {
  if (e.kind === "state") return e.data.byteLength + 256;
  return e.kind === "schema" ? JSON.stringify(e.schema).length + 256 : 4096;
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

  async holding(keys: readonly string[]): Promise<Set<string>> {
    return new Set(keys.filter((k) => this.entries.has(k)));
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

/** One file per entry: 4-byte header length, JSON header (with the payload's sha256), payload. */
export class DiskCache implements SnapshotCache {
  constructor(
    readonly dir: string,
    private readonly maxBytes = 1024 * 1024 * 1024,
  ) {}

  /**
   * The directory's real path once checked (made if missing), null when another user could write
   * it: an entry's checksum does not stop a forger, and a forged state or recorded failure would
   * change what the replay says (trustedCacheDir). Then nothing is read or written.
   */
  #root: string | null | undefined;
  private root(): string | null {
    if (this.#root === undefined) this.#root = trustedCacheDir(this.dir, true);
    return this.#root;
  }

  private path(key: string): string | null {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`invalid cache key ${key}`);
    const root = this.root();
    return root === null ? null : join(root, `${key}.snapshot`);
  }

  async get(key: string): Promise<CacheEntry | null> {
    const p = this.path(key);
    if (p === null) return null;
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

  async holding(keys: readonly string[]): Promise<Set<string>> {
    // One directory listing instead of a failed open per key of a long history.
    const root = this.root();
    if (root === null) return new Set();
    const names = new Set(await readdir(root).catch(() => [] as string[]));
    return new Set(keys.filter((k) => names.has(`${k}.snapshot`)));
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    const p = this.path(key);
    if (p === null) return;
    const tmp = `${p}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, encode(entry));
    await rename(tmp, p);
    await this.prune(dirname(p));
  }

  private async prune(root: string): Promise<void> {
    const files: Array<{ p: string; size: number; mtime: number }> = [];
    for (const name of await readdir(root)) {
      if (!name.endsWith(".snapshot")) continue;
      const p = join(root, name);
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
