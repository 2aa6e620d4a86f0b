/**
 * What the Postgres engines share: golang-migrate's way of running a file (one implicit transaction
 * per Exec, statement by statement when locks are observed, pg_locks read in between). The schema
 * fingerprint is fingerprint/postgres.ts, over the engine's connection.
 */
import { splitStatements, type SplitStatement } from "../../core/sql/split.js";
import type { LineIndex } from "../../core/sql/positions.js";
import { controlsTransactions, multiStatementPieces, statementHead } from "../golang-migrate.js";
import { isLockMode, compareModes, type LockMode } from "../locks.js";
import type { CatalogRows } from "../fingerprint/catalog.js";
import { postgresFingerprint, USER_NAMESPACES } from "../fingerprint/postgres.js";
import type { AttrValue, Schema } from "../schema.js";
import type { DbError, FileRun, MigrationText, RelationLock, StatementRun } from "../types.js";
import {
  EngineAborted,
  newRun,
  type Engine,
  type EngineOptions,
  type RunOptions,
} from "./engine.js";

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

/** One file's run, as its units share it. */
interface FileContext {
  file: MigrationText;
  opts: RunOptions;
  lines: LineIndex;
  /** The file opens or ends transactions itself: it runs exactly as written. */
  selfManaged: boolean;
  run: FileRun;
}

/** A statement's first and last line in the file. */
function span(lines: LineIndex, unit: Unit, s: SplitStatement): { line: number; endLine: number } {
  return {
    line: lines.position(unit.start + s.start).line,
    endLine: lines.position(unit.start + Math.max(s.start, s.end - 1)).line,
  };
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
  /** A catalog query on the migrations' connection (the fingerprint's and the lock reader's). */
  protected abstract catalog(sql: string, params?: readonly AttrValue[]): Promise<CatalogRows>;

  private async rows(sql: string): Promise<AttrValue[][]> {
    return (await this.catalog(sql)).rows;
  }
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
        WHERE ${USER_NAMESPACES} AND c.relkind IN ('r','p','v','m','f','i','I','S')`,
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

    const ctx: FileContext = { file, opts, lines, selfManaged, run };
    for (const unit of units) {
      const failure = await this.runUnitWithRoles(unit, ctx);
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
    ctx: FileContext,
  ): Promise<FileRun["error"] | undefined> {
    for (;;) {
      const mark = ctx.run.statements.length;
      const failure = await this.runUnit(unit, ctx);
      const role = failure ? missingRole(failure) : null;
      if (!failure || !role || ctx.selfManaged || !(await this.provideRole(role))) return failure;
      ctx.run.statements.length = mark;
    }
  }

  private async runUnit(unit: Unit, ctx: FileContext): Promise<FileRun["error"] | undefined> {
    const { file, opts, lines, selfManaged, run } = ctx;
    const stmts = unit.statements;
    const where = (s: SplitStatement) => span(lines, unit, s);
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
    return span(lines, unit, s);
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

  async setSearchPath(searchPath: string): Promise<void> {
    await this.catalog("SELECT set_config('search_path', $1, false)", [searchPath]);
  }

  /** The pg_catalog fingerprint, over this engine's connection. */
  async schema(): Promise<Schema> {
    return postgresFingerprint((sql, params) => this.catalog(sql, params));
  }
}

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
