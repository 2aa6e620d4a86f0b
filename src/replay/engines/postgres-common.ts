/**
 * What the Postgres engines share: golang-migrate's way of running a file (one implicit transaction
 * per Exec, statement by statement when locks are observed) and the pg_catalog fingerprint.
 */
import { splitStatements, type SplitStatement } from "../../core/sql/split.js";
import type { LineIndex } from "../../core/sql/positions.js";
import { controlsTransactions, multiStatementPieces, statementHead } from "../golang-migrate.js";
import { isLockMode, compareModes, type LockMode } from "../locks.js";
import { schemaOf, type AttrValue, type Schema, type SchemaObject } from "../schema.js";
import type { DbError, FileRun, MigrationText, RelationLock, StatementRun } from "../types.js";
import {
  EngineAborted,
  newRun,
  type Engine,
  type EngineOptions,
  type RunOptions,
} from "./engine.js";

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

/** The database's error as plain data; EngineAborted is rethrown (the replay ends there). */
export function toDbError(err: unknown): DbError & { position?: number } {
  if (err instanceof EngineAborted) throw err;
  const e = err as PgErrorLike;
  const out: DbError & { position?: number } = { message: String(e?.message ?? err) };
  if (e?.code) out.code = e.code;
  if (e?.detail) out.detail = e.detail;
  if (e?.hint) out.hint = e.hint;
  if (e?.position && /^\d+$/.test(e.position)) out.position = Number(e.position);
  return out;
}

/** Roles are cluster objects created outside migrations (by ops). */
export function missingRole(err: DbError): string | null {
  if (err.code !== "42704") return null;
  return /^role "(.+)" does not exist$/.exec(err.message)?.[1] ?? null;
}

/** A unit golang-migrate sends in one Exec: the whole file, or one x-multi-statement piece. */
interface Unit {
  text: string;
  /** Offset in the file. */
  start: number;
  statements: SplitStatement[];
}

/**
 * Runs files the way golang-migrate's postgres driver does and fingerprints pg_catalog, over any
 * connection that speaks the simple-query protocol: PGlite in the sandbox worker, or a real server
 * (node-postgres) the user provides.
 */
export abstract class PostgresEngine implements Engine {
  private existing = new Map<number, ExistingRelation>();

  protected constructor(
    readonly description: string,
    protected readonly progress: EngineOptions["progress"],
  ) {}

  /** Send text as one simple Query (several statements allowed), like golang-migrate's Exec. */
  protected abstract exec(sql: string): Promise<void>;
  /** Rows of a catalog query, as arrays (the fingerprint's queries take no parameters). */
  protected abstract rows(sql: string): Promise<AttrValue[][]>;
  /** After a failed Exec: end the transaction a file may have left open and aborted. */
  protected abstract rollbackAfterError(): Promise<void>;
  /**
   * A statement failed because a role does not exist. Return true once the role exists, to run the
   * unit again; false to report the failure.
   */
  protected async provideRole(_role: string): Promise<boolean> {
    return false;
  }

  abstract rolesCreated(): string[];
  abstract snapshot(): Promise<Uint8Array>;
  abstract close(): Promise<void>;

  async markExistingRelations(): Promise<void> {
    const r = (await this.rows(
      `SELECT c.oid::int8, n.nspname || '.' || c.relname, c.relkind::text,
              n.nspname, (SELECT tn.nspname || '.' || tc.relname FROM pg_index i
                 JOIN pg_class tc ON tc.oid = i.indrelid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
                 WHERE i.indexrelid = c.oid)
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE ${USER_NS} AND c.relkind IN ('r','p','v','m','f','i','I','S')`,
    )) as Array<[number | string, string, string, string, string | null]>;
    this.existing = new Map();
    for (const [oid, name, kind, , table] of r) {
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
      if (!failure || !role || selfManaged || !(await this.provideRole(role))) return failure;
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
    await this.exec("BEGIN");
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
        await this.exec(s.text);
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
      await this.exec("COMMIT");
      run.statements.push(...observed);
      return undefined;
    }
    await this.exec("ROLLBACK");
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
      await this.exec("BEGIN");
      try {
        for (const s of unit.statements) {
          try {
            await this.exec(s.text);
          } catch (e) {
            const found = toDbError(e);
            if (found.message === err.message)
              return { ...base, ...this.positionOrStatement(found, unit, s, lines) };
            break;
          }
        }
      } finally {
        await this.exec("ROLLBACK");
      }
    }
    const first = unit.statements[0];
    const line = lines.position(unit.start + (first?.start ?? 0)).line;
    return { ...base, line, endLine: line };
  }

  private async execDirect(sql: string): Promise<(DbError & { position?: number }) | null> {
    try {
      await this.exec(sql);
      return null;
    } catch (err) {
      // A file that failed after its own BEGIN leaves the session in an aborted transaction.
      await this.rollbackAfterError();
      return toDbError(err);
    }
  }

  private async currentLocks(): Promise<Set<string>> {
    const r = await this.rows(
      `SELECT relation::int8, mode FROM pg_locks
        WHERE locktype = 'relation' AND pid = pg_backend_pid() AND granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    return new Set(r.map(([oid, mode]) => `${Number(oid)}:${String(mode)}`));
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
    const q = (sql: string) => this.rows(sql);
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

export function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}
