/**
 * The Postgres sandbox: PGlite (PostgreSQL compiled to WASM) with everything a migration could
 * use to reach the host closed off.
 *
 * - Storage is PGlite's in-memory filesystem (never a host directory): COPY … TO/FROM a file,
 *   pg_read_file, lo_import/lo_export only ever see that virtual tree.
 * - External programs (COPY … PROGRAM): PGlite routes popen() to a JS hook; ours refuses, so
 *   Postgres reports "could not execute command" instead of PGlite throwing inside WASM.
 * - Dynamic libraries: Emscripten loads a side module by reading it from the virtual FS and
 *   *evaluates the JavaScript embedded in it* (EM_ASM). A migration could write such a module with
 *   lo_export and LOAD it, which would run code in this process. The filesystem hook below only
 *   lets WASM modules be opened from PGlite's own library directory, byte-identical to what PGlite
 *   installed.
 * - No network: WASM has no sockets, and no extension that connects out (dblink, postgres_fdw,
 *   libpqwalreceiver) is available.
 * - No superuser: migrations run as the database's owner (pglite-owner.ts), so they cannot write
 *   the catalogs the fingerprint reads, nor reach what a superuser alone may do.
 */
import { createHash } from "node:crypto";
import { constants, gzipSync } from "node:zlib";
import { PGlite, MemoryFS, type Extension, type PGliteOptions } from "@electric-sql/pglite";
import {
  batchResults,
  batchText,
  catalogQuery,
  type CatalogBatchResult,
  type CatalogQuery,
  type CatalogRows,
} from "../fingerprint/catalog.js";
import type { AttrValue } from "../schema.js";
import type { EngineOptions } from "./engine.js";
import { PostgresEngine, quoteIdent } from "./postgres-common.js";
import { CONTRIB, PGLITE_VERSION, REQUIRES } from "./embedded.js";
import { gunzipWhole } from "../gunzip.js";
import { loadDataDir, tarDataDir, type DataDirFs } from "./pglite-datadir.js";
import { OwnerRole, OWNER_ROLE, trustContribExtensions } from "./pglite-owner.js";

async function loadExtensions(names: readonly string[]): Promise<Record<string, Extension>> {
  const wanted = new Set<string>();
  for (const n of names) {
    if (!(n in CONTRIB)) continue; // not available: CREATE EXTENSION reports it
    wanted.add(n);
    for (const r of REQUIRES[n] ?? []) wanted.add(r);
  }
  const out: Record<string, Extension> = {};
  for (const n of [...wanted].sort()) {
    const mod = CONTRIB[n]!;
    const imported = (await import(`@electric-sql/pglite/contrib/${mod}`)) as Record<
      string,
      Extension
    >;
    const ext = imported[mod];
    if (!ext) throw new Error(`PGlite contrib module ${mod} has no export "${mod}"`);
    out[mod] = ext;
  }
  return out;
}

/** Minimal view of the Emscripten FS API the guard needs. */
interface EmFsNode {
  contents?: Uint8Array | number[] | null;
  usedBytes?: number;
}
interface EmFs extends DataDirFs {
  open(path: string, flags: number | string, mode?: number): { node?: EmFsNode };
  close(stream: unknown): void;
  getPath(node: EmFsNode): string;
  readdir(path: string): string[];
  stat(path: string): { mode: number };
  ErrnoError: new (errno: number) => Error;
}

const LIB_DIR = "/pglite/lib/";
/** PGlite's PGDATA. */
const DATA_DIR = "/pglite/data";
/** PGlite's SHAREDIR (extension control files). */
const SHARE_DIR = "/pglite/share/postgresql";
/** Emscripten's (WASI) errno for EACCES. */
const EACCES = 2;

function bytesOf(node: EmFsNode): Uint8Array | null {
  const c = node.contents;
  if (!c || (node.usedBytes ?? 0) < 4) return null;
  const u = c instanceof Uint8Array ? c : Uint8Array.from(c);
  return u.subarray(0, node.usedBytes);
}

function isWasm(b: Uint8Array): boolean {
  return b[0] === 0x00 && b[1] === 0x61 && b[2] === 0x73 && b[3] === 0x6d;
}

function sha256(b: Uint8Array): string {
  return createHash("sha256").update(b).digest("hex");
}

/**
 * In-memory filesystem that refuses to open WASM modules PGlite did not install, and fills the
 * data directory itself (pglite-datadir.ts) instead of PGlite's loadDataDir.
 */
class GuardedMemoryFS extends MemoryFS {
  private fs: EmFs | null = null;
  private pristine: Map<string, string> | null = null;
  /** The data directory as initdb left it, when asked for (the template). */
  fresh: Uint8Array | null = null;

  /**
   * @param tar the data directory to start from (a plain tar, the worker's own copy: its files
   *   keep views of it); none: PGlite runs initdb.
   * @param captureFresh keep the data directory initdb leaves, before Postgres starts on it.
   */
  constructor(
    private tar: Uint8Array | null,
    private readonly captureFresh: boolean,
  ) {
    super();
  }

  /** PGlite calls this before it looks for PG_VERSION: a data directory here means no initdb. */
  override async initialSyncFs(): Promise<void> {
    await super.initialSyncFs();
    if (!this.tar) return;
    const fs = this.emFs();
    loadDataDir(fs, DATA_DIR, this.tar);
    this.tar = null;
    // Without PG_VERSION PGlite would run initdb here, and a state whose entries were all skipped
    // (links, devices) would start as a fresh database instead of failing as PGlite's own
    // loadDataDir made it (initdb never runs after a loaded tar).
    let version: { node: { mode: number } } | null;
    try {
      version = fs.lookupPath(`${DATA_DIR}/PG_VERSION`);
    } catch {
      version = null;
    }
    if (!version || !fs.isFile(version.node.mode))
      throw new Error("the snapshot is not a data directory (no PG_VERSION)");
  }

  /**
   * PGlite's first call comes right after initdb, before it starts Postgres: the data directory
   * is then a cleanly shut down fresh database. Started from that, a template replay begins
   * exactly as the replay that ran initdb did: no crash recovery (a running database's snapshot
   * needs one; cheap, measured), no postgresql.conf line an extension of that first job added.
   */
  override async syncToFs(relaxedDurability?: boolean): Promise<void> {
    await super.syncToFs(relaxedDurability);
    if (this.captureFresh && !this.fresh) this.fresh = tarDataDir(this.emFs(), DATA_DIR);
  }

  private emFs(): EmFs {
    if (!this.fs) throw new Error("sandbox filesystem was not initialised");
    return this.fs;
  }

  override async init(pg: PGlite, opts: Parameters<MemoryFS["init"]>[1]) {
    const r = await super.init(pg, opts);
    const preRun = [...(r.emscriptenOpts.preRun ?? [])];
    preRun.push((mod: { FS: unknown }) => this.install(mod.FS as EmFs));
    r.emscriptenOpts.preRun = preRun as typeof r.emscriptenOpts.preRun;
    return r;
  }

  private install(fs: EmFs): void {
    this.fs = fs;
    const open = fs.open.bind(fs);
    fs.open = (path, flags, mode) => {
      const stream = open(path, flags, mode);
      const node = stream.node;
      const bytes = node ? bytesOf(node) : null;
      if (node && bytes && isWasm(bytes) && !this.allowed(fs.getPath(node), bytes)) {
        fs.close(stream);
        throw new fs.ErrnoError(EACCES);
      }
      return stream;
    };
  }

  private allowed(path: string, bytes: Uint8Array): boolean {
    // Before sealing only PGlite itself runs (startup, extension setup): its library directory.
    if (!this.pristine) return path.startsWith(LIB_DIR);
    const want = this.pristine.get(path);
    return want !== undefined && want === sha256(bytes);
  }

  /** Record the libraries PGlite installed; from now on only those load. */
  seal(): void {
    const fs = this.emFs();
    const pristine = new Map<string, string>();
    const walk = (dir: string) => {
      for (const name of fs.readdir(dir)) {
        if (name === "." || name === "..") continue;
        const p = `${dir}/${name}`;
        const { mode } = fs.stat(p);
        if (fs.isDir(mode)) walk(p);
        else if (fs.isFile(mode)) {
          const b = bytesOf(fs.lookupPath(p).node as EmFsNode);
          if (b && isWasm(b)) pristine.set(p, sha256(b));
        }
      }
    };
    walk(LIB_DIR.slice(0, -1));
    this.pristine = pristine;
  }
}

/** PGlite whose popen() hook refuses every program (PGlite's own `locale -a` aside). */
class SandboxPGlite extends PGlite {
  override handleExternalCmd(cmd: string, mode: string): number {
    if (cmd.startsWith("locale -a")) return super.handleExternalCmd(cmd, mode);
    return 0; // NULL FILE*: Postgres raises "could not execute command"
  }
}

export interface PgliteModules {
  pglite?: WebAssembly.Module;
  initdb?: WebAssembly.Module;
}

const MAX_CREATED_ROLES = 100;

/**
 * Postgres's default 128 MB of shared buffers is zeroed by Emscripten's mmap at every start (a
 * quarter of a start's CPU from a snapshot); a sandbox replays DDL and small data, and a buffer
 * evicted to the in-memory filesystem costs a copy. Not persisted: snapshots are unaffected.
 */
const START_PARAMS = [...PGlite.defaultStartParams, "-c", "shared_buffers=32MB"];

/**
 * Snapshots are gzipped tars of the data directory (zlib, level 1: a tenth of the default level's
 * time for about 15% more bytes). Any gzip loads (snapshots cached before included), and so does
 * a plain tar: the host passes the template unpacked (run-in-worker.ts), sparing each start a
 * 40 MB gunzip. The data directory's files keep views of the tar (pglite-datadir.ts), so a tar
 * the caller still holds is copied first, unless it is this thread's own (`owned`: the job came
 * by postMessage). Anything else is refused here, before PGlite starts.
 */
function tarOf(snapshot: Uint8Array, owned: boolean): Uint8Array {
  const gzip = snapshot[0] === 0x1f && snapshot[1] === 0x8b;
  // A copy by construction: a Buffer's slice() would be a view of the caller's bytes. One buffer
  // sized from the gzip trailer (gunzip.ts), not zlib's 16 KB chunks and their concatenation.
  const tar = gzip ? gunzipWhole(snapshot) : owned ? snapshot : new Uint8Array(snapshot);
  // POSIX tar: "ustar" at offset 257 of the first header.
  if (Buffer.from(tar.subarray(257, 262)).toString("latin1") !== "ustar")
    throw new Error(
      "the sandbox snapshot is not a data directory (neither a tar nor a gzipped tar)",
    );
  return tar;
}

function gzip(tar: Uint8Array): Uint8Array {
  const gz = gzipSync(tar, { level: constants.Z_BEST_SPEED });
  return new Uint8Array(gz.buffer, gz.byteOffset, gz.byteLength);
}

export interface PgliteCreateOptions extends EngineOptions {
  modules?: PgliteModules;
  /** `snapshot` is this thread's own copy: the data directory may keep views of it. */
  ownsSnapshot?: boolean;
}

export class PgliteEngine extends PostgresEngine {
  private roles: string[] = [];
  /** The data directory initdb left (wantTemplate without a snapshot), until template(). */
  private fresh: Uint8Array | null = null;

  private constructor(
    private readonly db: SandboxPGlite,
    private readonly owner: OwnerRole,
    description: string,
    progress: EngineOptions["progress"],
  ) {
    super(description, progress);
  }

  static async create(opts: PgliteCreateOptions): Promise<PgliteEngine> {
    const tar = opts.snapshot ? tarOf(opts.snapshot, opts.ownsSnapshot === true) : null;
    const fs = new GuardedMemoryFS(tar, opts.wantTemplate === true && !tar);
    const options: PGliteOptions = {
      fs,
      extensions: await loadExtensions(opts.extensions),
      startParams: START_PARAMS,
    };
    if (opts.modules?.pglite) options.pgliteWasmModule = opts.modules.pglite;
    if (opts.modules?.initdb) options.initdbWasmModule = opts.modules.initdb;
    const db = new SandboxPGlite(options);
    await db.waitReady;
    fs.seal();
    trustContribExtensions(
      db.Module.FS as unknown as Parameters<typeof trustContribExtensions>[0],
      SHARE_DIR,
    );
    const owner = await OwnerRole.setUp(db);
    const v = await db.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    const pg = v.rows[0]?.v ?? "?";
    const engine = new PgliteEngine(
      db,
      owner,
      `PGlite ${PGLITE_VERSION} (PostgreSQL ${pg})`,
      opts.progress,
    );
    engine.fresh = fs.fresh;
    return engine;
  }

  /** The migrations' SQL (and the transactions around it): as the database's owner. */
  protected async exec(sql: string): Promise<void> {
    await this.owner.run(() => this.db.exec(sql));
  }

  protected async catalog(sql: string, params: readonly AttrValue[] = []): Promise<CatalogRows> {
    const r = await this.db.query<AttrValue[]>(sql, [...params], { rowMode: "array" });
    return { columns: r.fields.map((f) => f.name), rows: r.rows };
  }

  /**
   * One simple-protocol Query for the batch: PGlite's query() is five calls into Postgres
   * (parse, describe, bind, describe, execute) and a sync, each crossing into WASM.
   */
  private async catalogBatch(statements: readonly string[]): Promise<CatalogBatchResult> {
    const answers = await this.db.exec(batchText(statements), { rowMode: "array" });
    const results = answers.map((r) => ({
      columns: r.fields.map((f) => f.name),
      rows: r.rows as AttrValue[][],
    }));
    return {
      results: batchResults(statements, results),
      inTransaction: this.db.isInTransaction(),
    };
  }

  override catalogQuery(): CatalogQuery {
    return catalogQuery(
      (sql, params) => this.catalog(sql, params),
      (statements) => this.catalogBatch(statements),
    );
  }

  protected async rollbackAfterError(): Promise<void> {
    // The migrations' transaction: its end restores the user saved at its start, the owner.
    if (this.db.isInTransaction()) await this.exec("ROLLBACK");
  }

  /** Roles are created by ops, outside migrations: the sandbox makes them up (NOLOGIN). */
  protected override async provideRole(role: string): Promise<boolean> {
    if (this.roles.length >= MAX_CREATED_ROLES || this.roles.includes(role)) return false;
    await this.db.exec(`CREATE ROLE ${quoteIdent(role)} NOLOGIN`);
    // As ops would make the account that runs migrations able to give objects to it.
    await this.db.exec(`GRANT ${quoteIdent(role)} TO ${quoteIdent(OWNER_ROLE)}`);
    this.roles.push(role);
    return true;
  }

  rolesCreated(): string[] {
    return [...this.roles];
  }

  /** The running database's data directory (PGlite's dumpDataDir copies it three times). */
  async snapshot(): Promise<Uint8Array> {
    return gzip(tarDataDir(this.db.Module.FS as unknown as DataDirFs, DATA_DIR));
  }

  /** The fresh database as initdb left it, cleanly shut down (asked for with wantTemplate). */
  async template(): Promise<Uint8Array> {
    const fresh = this.fresh;
    if (!fresh) throw new Error("no fresh data directory was kept (wantTemplate, no snapshot)");
    this.fresh = null;
    return gzip(fresh);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
