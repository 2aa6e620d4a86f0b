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
 */
import { createHash } from "node:crypto";
import { PGlite, MemoryFS, type Extension, type PGliteOptions } from "@electric-sql/pglite";
import { splitStatements, type SplitStatement } from "../../core/sql/split.js";
import type { LineIndex } from "../../core/sql/positions.js";
import { controlsTransactions, multiStatementPieces, statementHead } from "../golang-migrate.js";
import { isLockMode, compareModes, type LockMode } from "../locks.js";
import { schemaOf, type AttrValue, type Schema, type SchemaObject } from "../schema.js";
import type { DbError, FileRun, MigrationText, RelationLock, StatementRun } from "../types.js";
import { newRun, type Engine, type EngineOptions, type RunOptions } from "./engine.js";

export const PGLITE_VERSION = "0.5.16";

/**
 * Extensions the sandbox can install (PGlite's contrib bundles), by the name CREATE EXTENSION
 * uses → the contrib module that provides it. file_fdw is left out on purpose: it reads files.
 */
const CONTRIB: Record<string, string> = {
  amcheck: "amcheck",
  auto_explain: "auto_explain",
  bloom: "bloom",
  btree_gin: "btree_gin",
  btree_gist: "btree_gist",
  citext: "citext",
  cube: "cube",
  dict_int: "dict_int",
  dict_xsyn: "dict_xsyn",
  earthdistance: "earthdistance",
  fuzzystrmatch: "fuzzystrmatch",
  hstore: "hstore",
  intarray: "intarray",
  isn: "isn",
  lo: "lo",
  ltree: "ltree",
  moddatetime: "moddatetime",
  pageinspect: "pageinspect",
  pg_buffercache: "pg_buffercache",
  pg_freespacemap: "pg_freespacemap",
  pg_stat_statements: "pg_stat_statements",
  pg_surgery: "pg_surgery",
  pg_trgm: "pg_trgm",
  pg_visibility: "pg_visibility",
  pg_walinspect: "pg_walinspect",
  pgcrypto: "pgcrypto",
  seg: "seg",
  tablefunc: "tablefunc",
  tcn: "tcn",
  tsm_system_rows: "tsm_system_rows",
  tsm_system_time: "tsm_system_time",
  unaccent: "unaccent",
  "uuid-ossp": "uuid_ossp",
};
/** CREATE EXTENSION … CASCADE needs these too. */
const REQUIRES: Record<string, string[]> = { earthdistance: ["cube"] };

export function availableExtensions(): string[] {
  return Object.keys(CONTRIB).sort();
}

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
interface EmFs {
  open(path: string, flags: number | string, mode?: number): { node?: EmFsNode };
  close(stream: unknown): void;
  getPath(node: EmFsNode): string;
  readdir(path: string): string[];
  stat(path: string): { mode: number };
  isDir(mode: number): boolean;
  isFile(mode: number): boolean;
  lookupPath(path: string): { node: EmFsNode };
  ErrnoError: new (errno: number) => Error;
}

const LIB_DIR = "/pglite/lib/";
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

/** In-memory filesystem that refuses to open WASM modules PGlite did not install. */
class GuardedMemoryFS extends MemoryFS {
  private fs: EmFs | null = null;
  private pristine: Map<string, string> | null = null;

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
    const fs = this.fs;
    if (!fs) throw new Error("sandbox filesystem was not initialised");
    const pristine = new Map<string, string>();
    const walk = (dir: string) => {
      for (const name of fs.readdir(dir)) {
        if (name === "." || name === "..") continue;
        const p = `${dir}/${name}`;
        const { mode } = fs.stat(p);
        if (fs.isDir(mode)) walk(p);
        else if (fs.isFile(mode)) {
          const b = bytesOf(fs.lookupPath(p).node);
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

const USER_NS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'`;
const notExt = (catalog: string, alias: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend dx WHERE dx.classid = '${catalog}'::regclass AND dx.objid = ${alias}.oid AND dx.deptype = 'e')`;

const RELKIND: Record<string, string> = {
  r: "table",
  p: "table",
  v: "view",
  m: "materialized view",
  f: "foreign table",
  i: "index",
  I: "index",
  S: "sequence",
};

interface ExistingRelation {
  name: string;
  kind: string;
  table?: string;
}

interface PgErrorLike {
  message: string;
  code?: string;
  detail?: string;
  hint?: string;
  position?: string;
}

function toDbError(err: unknown): DbError & { position?: number } {
  const e = err as PgErrorLike;
  const out: DbError & { position?: number } = { message: String(e?.message ?? err) };
  if (e?.code) out.code = e.code;
  if (e?.detail) out.detail = e.detail;
  if (e?.hint) out.hint = e.hint;
  if (e?.position && /^\d+$/.test(e.position)) out.position = Number(e.position);
  return out;
}

/** Roles are cluster objects created outside migrations (by ops); the sandbox makes them up. */
function missingRole(err: DbError): string | null {
  if (err.code !== "42704") return null;
  return /^role "(.+)" does not exist$/.exec(err.message)?.[1] ?? null;
}

const MAX_CREATED_ROLES = 100;

/** A unit golang-migrate sends in one Exec: the whole file, or one x-multi-statement piece. */
interface Unit {
  text: string;
  /** Offset in the file. */
  start: number;
  statements: SplitStatement[];
}

export class PgliteEngine implements Engine {
  private existing = new Map<number, ExistingRelation>();
  private roles: string[] = [];

  private constructor(
    private readonly db: SandboxPGlite,
    private readonly fs: GuardedMemoryFS,
    readonly description: string,
    private readonly progress: EngineOptions["progress"],
  ) {}

  static async create(opts: EngineOptions & { modules?: PgliteModules }): Promise<PgliteEngine> {
    const fs = new GuardedMemoryFS();
    const options: PGliteOptions = {
      fs,
      extensions: await loadExtensions(opts.extensions),
    };
    if (opts.snapshot) options.loadDataDir = new Blob([opts.snapshot]);
    if (opts.modules?.pglite) options.pgliteWasmModule = opts.modules.pglite;
    if (opts.modules?.initdb) options.initdbWasmModule = opts.modules.initdb;
    const db = new SandboxPGlite(options);
    await db.waitReady;
    fs.seal();
    const v = await db.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    const pg = v.rows[0]?.v ?? "?";
    return new PgliteEngine(db, fs, `PGlite ${PGLITE_VERSION} (PostgreSQL ${pg})`, opts.progress);
  }

  rolesCreated(): string[] {
    return [...this.roles];
  }

  async snapshot(): Promise<Uint8Array> {
    const blob = await this.db.dumpDataDir("gzip");
    return new Uint8Array(await blob.arrayBuffer());
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  async markExistingRelations(): Promise<void> {
    const r = await this.db.query<[number, string, string, string, string | null]>(
      `SELECT c.oid::int8, n.nspname || '.' || c.relname, c.relkind::text,
              n.nspname, (SELECT tn.nspname || '.' || tc.relname FROM pg_index i
                 JOIN pg_class tc ON tc.oid = i.indrelid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
                 WHERE i.indexrelid = c.oid)
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE ${USER_NS} AND c.relkind IN ('r','p','v','m','f','i','I','S')`,
      [],
      { rowMode: "array" },
    );
    this.existing = new Map();
    for (const [oid, name, kind, , table] of r.rows) {
      const rel: ExistingRelation = { name, kind: RELKIND[kind] ?? kind };
      if (table) rel.table = table;
      this.existing.set(Number(oid), rel);
    }
  }

  async runFile(file: MigrationText, opts: RunOptions): Promise<FileRun> {
    const started = performance.now();
    const split = splitStatements(file.text, "postgres");
    const lines = split.lines;
    const run = newRun(file);
    const units: Unit[] = opts.multiStatement
      ? multiStatementPieces(file.text).map((p) => ({
          text: p.text,
          start: p.start,
          statements: splitStatements(p.text, "postgres").statements,
        }))
      : [{ text: file.text, start: 0, statements: split.statements }];
    const selfManaged = controlsTransactions(split.statements);
    if (selfManaged && opts.observeLocks)
      run.notes.push(
        "Locks not observed: the file opens or ends transactions itself, so it ran exactly as written.",
      );

    for (const unit of units) {
      const failure = await this.runUnitWithRoles(unit, lines, file, opts, selfManaged, run);
      if (failure) {
        run.ok = false;
        run.error = failure;
        break;
      }
    }
    run.ms = Math.round(performance.now() - started);
    return run;
  }

  /** Runs a unit; when it fails only because a role does not exist, creates the role and retries. */
  private async runUnitWithRoles(
    unit: Unit,
    lines: LineIndex,
    file: MigrationText,
    opts: RunOptions,
    selfManaged: boolean,
    run: FileRun,
  ): Promise<FileRun["error"] | undefined> {
    for (;;) {
      const mark = run.statements.length;
      const failure = await this.runUnit(unit, lines, file, opts, selfManaged, run);
      const role = failure ? missingRole(failure) : null;
      if (!failure || !role || selfManaged || this.roles.length >= MAX_CREATED_ROLES)
        return failure;
      if (this.roles.includes(role)) return failure;
      await this.db.exec(`CREATE ROLE ${quoteIdent(role)} NOLOGIN`);
      this.roles.push(role);
      run.statements.length = mark;
    }
  }

  private async runUnit(
    unit: Unit,
    lines: LineIndex,
    file: MigrationText,
    opts: RunOptions,
    selfManaged: boolean,
    run: FileRun,
  ): Promise<FileRun["error"] | undefined> {
    const stmts = unit.statements;
    const where = (s: SplitStatement) => ({
      line: lines.position(unit.start + s.start).line,
      endLine: lines.position(unit.start + Math.max(s.start, s.end - 1)).line,
    });
    const firstLine = stmts[0] ? where(stmts[0]).line : lines.position(unit.start).line;

    if (!opts.observeLocks || selfManaged || stmts.length === 0) {
      this.progress(opts.phase, file.path, firstLine);
      const err = await this.execDirect(unit.text);
      if (!err) return undefined;
      return this.locate(err, unit, lines, selfManaged);
    }

    // Observed run: the same single transaction golang-migrate's implicit block gives, one
    // statement at a time so pg_locks can be read in between.
    await this.db.exec("BEGIN");
    let held = new Set<string>();
    const observed: StatementRun[] = [];
    let failedAt = -1;
    let failure: (DbError & { position?: number }) | null = null;
    for (let i = 0; i < stmts.length; i++) {
      const s = stmts[i]!;
      const loc = where(s);
      this.progress(opts.phase, file.path, loc.line);
      const t0 = performance.now();
      try {
        await this.db.exec(s.text);
      } catch (err) {
        failedAt = i;
        failure = toDbError(err);
        break;
      }
      const ms = performance.now() - t0;
      const current = await this.currentLocks();
      const fresh = [...current].filter((k) => !held.has(k));
      held = current;
      observed.push({
        ...loc,
        sql: statementHead(s.text),
        ms: Math.round(ms * 10) / 10,
        locks: this.describeLocks(fresh),
      });
    }

    if (!failure) {
      await this.db.exec("COMMIT");
      run.statements.push(...observed);
      return undefined;
    }
    await this.db.exec("ROLLBACK");
    const s = stmts[failedAt]!;

    if (stmts.length === 1 && failure.code === "25001") {
      // Alone in its Exec, a statement like CREATE INDEX CONCURRENTLY is not in a transaction
      // block (simple-query protocol), so Postgres runs it.
      this.progress(opts.phase, file.path, where(s).line);
      const t0 = performance.now();
      const err = await this.execDirect(unit.text);
      if (err) return this.locate(err, unit, lines, selfManaged);
      run.statements.push({
        ...where(s),
        sql: statementHead(s.text),
        ms: Math.round((performance.now() - t0) * 10) / 10,
        locks: null,
      });
      run.notes.push(
        `Line ${where(s).line} ran outside a transaction (alone in its Exec, as golang-migrate sends it); its locks were not observed.`,
      );
      return undefined;
    }

    // Confirm with the exact golang-migrate call: the database, not our split, has the last word.
    this.progress(opts.phase, file.path, firstLine);
    const whole = await this.execDirect(unit.text);
    if (!whole) {
      run.notes.push(
        "Run statement by statement the file failed, but sent whole (as golang-migrate does) it applied; locks were not observed.",
      );
      return undefined;
    }
    if (whole.message === failure.message) {
      return { ...stripPosition(failure), ...this.positionOrStatement(failure, unit, s, lines) };
    }
    return this.locate(whole, unit, lines, selfManaged);
  }

  private positionOrStatement(
    err: DbError & { position?: number },
    unit: Unit,
    s: SplitStatement,
    lines: LineIndex,
  ): { line: number; endLine: number } {
    if (err.position !== undefined) {
      const line = lines.position(unit.start + s.start + err.position - 1).line;
      return { line, endLine: line };
    }
    return {
      line: lines.position(unit.start + s.start).line,
      endLine: lines.position(unit.start + Math.max(s.start, s.end - 1)).line,
    };
  }

  /** Where a whole-unit error happened: the error position, else the failing statement. */
  private async locate(
    err: DbError & { position?: number },
    unit: Unit,
    lines: LineIndex,
    selfManaged: boolean,
  ): Promise<NonNullable<FileRun["error"]>> {
    const base = stripPosition(err);
    if (err.position !== undefined) {
      const line = lines.position(unit.start + err.position - 1).line;
      return { ...base, line, endLine: line };
    }
    if (!selfManaged && unit.statements.length > 1) {
      // Replay statement by statement inside a transaction we roll back, to find the culprit.
      await this.db.exec("BEGIN");
      try {
        for (const s of unit.statements) {
          try {
            await this.db.exec(s.text);
          } catch (e) {
            const found = toDbError(e);
            if (found.message === err.message)
              return { ...base, ...this.positionOrStatement(found, unit, s, lines) };
            break;
          }
        }
      } finally {
        await this.db.exec("ROLLBACK");
      }
    }
    const first = unit.statements[0];
    const line = lines.position(unit.start + (first?.start ?? 0)).line;
    return { ...base, line, endLine: line };
  }

  private async execDirect(sql: string): Promise<(DbError & { position?: number }) | null> {
    try {
      await this.db.exec(sql);
      return null;
    } catch (err) {
      // A file that failed after its own BEGIN leaves the session in an aborted transaction.
      if (this.db.isInTransaction()) await this.db.exec("ROLLBACK");
      return toDbError(err);
    }
  }

  private async currentLocks(): Promise<Set<string>> {
    const r = await this.db.query<[number, string]>(
      `SELECT relation::int8, mode FROM pg_locks
        WHERE locktype = 'relation' AND pid = pg_backend_pid() AND granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [],
      { rowMode: "array" },
    );
    return new Set(r.rows.map(([oid, mode]) => `${Number(oid)}:${mode}`));
  }

  /** Strongest new lock per pre-existing relation. */
  private describeLocks(keys: string[]): RelationLock[] {
    const best = new Map<number, LockMode>();
    for (const k of keys) {
      const [oidText, mode] = k.split(":") as [string, string];
      const oid = Number(oidText);
      if (!this.existing.has(oid) || !isLockMode(mode)) continue;
      const prev = best.get(oid);
      if (!prev || compareModes(mode, prev) < 0) best.set(oid, mode);
    }
    const out: RelationLock[] = [];
    for (const [oid, mode] of best) {
      const rel = this.existing.get(oid)!;
      const l: RelationLock = { relation: rel.name, relationKind: rel.kind, mode };
      if (rel.table) l.table = rel.table;
      out.push(l);
    }
    return out.sort(
      (a, b) =>
        compareModes(a.mode, b.mode) ||
        Number(a.relationKind === "index") - Number(b.relationKind === "index") ||
        (a.relation < b.relation ? -1 : 1),
    );
  }

  async schema(): Promise<Schema> {
    const objects: SchemaObject[] = [];
    const q = async (sql: string) =>
      (await this.db.query<AttrValue[]>(sql, [], { rowMode: "array" })).rows;
    const s = (v: AttrValue | undefined): string => String(v ?? "");
    const opt = (v: AttrValue | undefined): AttrValue => (v === undefined ? null : v);

    for (const [name] of await q(
      `SELECT n.nspname FROM pg_namespace n WHERE ${USER_NS} AND ${notExt("pg_namespace", "n")}`,
    ))
      objects.push({ kind: "schema", name: s(name), attrs: {} });

    for (const [name, version, schema] of await q(
      `SELECT e.extname, e.extversion, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace`,
    ))
      objects.push({
        kind: "extension",
        name: s(name),
        attrs: { version: s(version), schema: s(schema) },
      });

    const relFrom = `FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_NS} AND ${notExt("pg_class", "c")}`;
    for (const [
      name,
      kind,
      persistence,
      rls,
      forceRls,
      options,
      bound,
      partkey,
      viewdef,
    ] of await q(
      `SELECT n.nspname || '.' || c.relname, c.relkind::text, c.relpersistence::text, c.relrowsecurity,
              c.relforcerowsecurity, array_to_string(c.reloptions, ','), pg_get_expr(c.relpartbound, c.oid),
              CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
              CASE WHEN c.relkind IN ('v','m') THEN pg_get_viewdef(c.oid) END
       ${relFrom} AND c.relkind IN ('r','p','v','m','f')`,
    )) {
      const k = s(kind);
      const objKind =
        k === "v"
          ? "view"
          : k === "m"
            ? "materialized-view"
            : k === "f"
              ? "foreign-table"
              : "table";
      const attrs: Record<string, AttrValue> = {
        persistence: s(persistence) === "u" ? "unlogged" : "permanent",
        rowSecurity: rls === true ? (forceRls === true ? "forced" : "enabled") : "disabled",
        options: opt(options),
      };
      if (k === "p") attrs.partitionKey = opt(partkey);
      if (bound !== null) attrs.partitionOf = opt(bound);
      if (viewdef !== null) attrs.definition = s(viewdef).trim();
      objects.push({ kind: objKind, name: s(name), attrs });
    }

    for (const [table, col, type, notNull, def, identity, generated, collation] of await q(
      `SELECT n.nspname || '.' || c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
              pg_get_expr(d.adbin, d.adrelid), NULLIF(a.attidentity::text, ''), NULLIF(a.attgenerated::text, ''),
              CASE WHEN a.attcollation <> t.typcollation THEN co.collname END
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         LEFT JOIN pg_collation co ON co.oid = a.attcollation
        WHERE ${USER_NS} AND ${notExt("pg_class", "c")} AND c.relkind IN ('r','p','f') AND a.attnum > 0 AND NOT a.attisdropped`,
    )) {
      const attrs: Record<string, AttrValue> = {
        type: s(type),
        notNull: notNull === true,
        default: opt(def),
      };
      if (identity !== null) attrs.identity = identity === "a" ? "always" : "by default";
      if (generated !== null) attrs.generated = generated === "s" ? "stored" : "virtual";
      if (collation !== null) attrs.collation = opt(collation);
      objects.push({ kind: "column", name: `${s(table)}.${s(col)}`, table: s(table), attrs });
    }

    for (const [name, table, def, valid, primary, unique] of await q(
      `SELECT n.nspname || '.' || ic.relname, tn.nspname || '.' || tc.relname, pg_get_indexdef(i.indexrelid),
              i.indisvalid, i.indisprimary, i.indisunique
         FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
         JOIN pg_class tc ON tc.oid = i.indrelid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
        WHERE ${USER_NS} AND ${notExt("pg_class", "tc")}`,
    ))
      objects.push({
        kind: "index",
        name: s(name),
        table: s(table),
        attrs: {
          definition: s(def),
          indexValid: valid === true,
          primary: primary === true,
          unique: unique === true,
        },
      });

    // NOT NULL constraints (contype 'n', PostgreSQL 18) are the columns' notNull.
    for (const [owner, name, type, def, valid, deferrable, deferred, onTable] of await q(
      `SELECT n.nspname || '.' || coalesce(tc.relname, ty.typname), con.conname, con.contype::text,
              pg_get_constraintdef(con.oid), con.convalidated, con.condeferrable, con.condeferred, con.conrelid <> 0
         FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
         LEFT JOIN pg_class tc ON tc.oid = con.conrelid LEFT JOIN pg_type ty ON ty.oid = con.contypid
        WHERE ${USER_NS} AND con.contype <> 'n' AND (con.conrelid = 0 OR ${notExt("pg_class", "tc")})
          AND (con.contypid = 0 OR ${notExt("pg_type", "ty")})`,
    )) {
      const o: SchemaObject = {
        kind: "constraint",
        name: `${s(owner)}.${s(name)}`,
        attrs: {
          type: CONTYPE[s(type)] ?? s(type),
          definition: s(def),
          valid: valid === true,
          deferrable:
            deferrable === true ? (deferred === true ? "initially deferred" : "deferrable") : "no",
        },
      };
      if (onTable === true) o.table = s(owner);
      objects.push(o);
    }

    for (const [name, values] of await q(
      `SELECT n.nspname || '.' || t.typname, string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder)
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE ${USER_NS} AND ${notExt("pg_type", "t")} GROUP BY 1`,
    ))
      objects.push({ kind: "enum", name: s(name), attrs: { values: s(values) } });

    for (const [name, base, notNull, def] of await q(
      `SELECT n.nspname || '.' || t.typname, format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE ${USER_NS} AND ${notExt("pg_type", "t")} AND t.typtype = 'd'`,
    ))
      objects.push({
        kind: "domain",
        name: s(name),
        attrs: { definition: s(base), notNull: notNull === true, default: opt(def) },
      });

    for (const [name, def] of await q(
      `SELECT n.nspname || '.' || t.typname,
              coalesce((SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                          FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped),
                       (SELECT 'range of ' || format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid))
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE ${USER_NS} AND ${notExt("pg_type", "t")}
          AND ((t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c') OR t.typtype = 'r')`,
    ))
      objects.push({ kind: "type", name: s(name), attrs: { definition: opt(def) } });

    for (const [name, args, kind, result, digest] of await q(
      `SELECT n.nspname || '.' || p.proname, pg_get_function_identity_arguments(p.oid), p.prokind::text,
              pg_get_function_result(p.oid),
              md5(CASE WHEN p.prokind IN ('f','p') THEN pg_get_functiondef(p.oid) ELSE p.prosrc END)
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE ${USER_NS} AND ${notExt("pg_proc", "p")}`,
    ))
      objects.push({
        kind: "function",
        name: `${s(name)}(${s(args)})`,
        attrs: {
          kind: PROKIND[s(kind)] ?? s(kind),
          returns: opt(result),
          definitionMd5: s(digest),
        },
      });

    for (const [table, name, def, enabled] of await q(
      `SELECT n.nspname || '.' || c.relname, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled::text
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE ${USER_NS} AND NOT t.tgisinternal AND ${notExt("pg_class", "c")}`,
    ))
      objects.push({
        kind: "trigger",
        name: `${s(table)}.${s(name)}`,
        table: s(table),
        attrs: { definition: s(def), enabled: s(enabled) !== "D" },
      });

    for (const [name, type, start, inc, min, max, cache, cycle, owner] of await q(
      `SELECT n.nspname || '.' || c.relname, format_type(s.seqtypid, NULL), s.seqstart::text, s.seqincrement::text,
              s.seqmin::text, s.seqmax::text, s.seqcache::text, s.seqcycle,
              (SELECT tn.nspname || '.' || tc.relname || '.' || a.attname FROM pg_depend d
                 JOIN pg_class tc ON tc.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
                 JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
                  AND d.deptype IN ('a','i') LIMIT 1)
         FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE ${USER_NS} AND ${notExt("pg_class", "c")}`,
    ))
      objects.push({
        kind: "sequence",
        name: s(name),
        attrs: {
          type: s(type),
          start: s(start),
          increment: s(inc),
          min: s(min),
          max: s(max),
          cache: s(cache),
          cycle: cycle === true,
          ownedBy: opt(owner),
        },
      });

    for (const [table, name, cmd, permissive, qual, check, roles] of await q(
      `SELECT n.nspname || '.' || c.relname, p.polname, p.polcmd::text, p.polpermissive,
              pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid),
              array_to_string(ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE r::regrole::text END
                                      FROM unnest(p.polroles) r ORDER BY 1), ', ')
         FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE ${USER_NS}`,
    ))
      objects.push({
        kind: "policy",
        name: `${s(table)}.${s(name)}`,
        table: s(table),
        attrs: {
          command: s(cmd),
          permissive: permissive === true,
          roles: s(roles),
          using: opt(qual),
          withCheck: opt(check),
        },
      });

    return schemaOf(objects);
  }
}

const CONTYPE: Record<string, string> = {
  p: "primary key",
  u: "unique",
  f: "foreign key",
  c: "check",
  x: "exclusion",
  t: "constraint trigger",
};
const PROKIND: Record<string, string> = {
  f: "function",
  p: "procedure",
  a: "aggregate",
  w: "window",
};

function stripPosition(e: DbError & { position?: number }): DbError {
  const out: DbError = { message: e.message };
  if (e.code) out.code = e.code;
  if (e.detail) out.detail = e.detail;
  if (e.hint) out.hint = e.hint;
  return out;
}

function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}
