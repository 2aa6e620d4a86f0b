/**
 * What the Postgres engines share: golang-migrate's way of running a file (one implicit transaction
 * per Exec, statement by statement when locks are observed, pg_locks read in between by
 * fingerprint/postgres-locks.ts). The schema fingerprint is fingerprint/postgres.ts, over the
 * engine's connection: nothing here reads the catalogs itself.
 */
import { splitStatements, type SplitStatement } from "../../core/sql/split.js";
import type { LineIndex } from "../../core/sql/positions.js";
import { controlsTransactions, multiStatementPieces, statementHead } from "../golang-migrate.js";
import { catalogQuery, type CatalogQuery, type CatalogRows } from "../fingerprint/catalog.js";
import { postgresFingerprint } from "../fingerprint/postgres.js";
import { PostgresLockObserver } from "../fingerprint/postgres-locks.js";
import type { AttrValue, Schema } from "../schema.js";
import type { DbError, FileRun, MigrationText, StatementRun } from "../types.js";
import {
  EngineAborted,
  newRun,
  type Engine,
  type EngineOptions,
  type RunOptions,
} from "./engine.js";

interface PgErrorLike {
  message: string;
  code?: string;
  detail?: string;
  hint?: string;
  position?: string;
  /** The server's C source file that reported the error (the protocol's F field). */
  file?: string;
}

/**
 * Source files of procedural-language handlers: an error reported there is one a function body
 * raised (RAISE, plperl's die, plpy.error…), its message and SQLSTATE chosen by the migration.
 */
const RAISED_IN = /^(pl_exec|plperl|pltcl|plpy_\w+|plv8\w*)\.(c|cc|cpp)$/;

/** The database's error as plain data; EngineAborted is rethrown (the replay ends there). */
export function toDbError(err: unknown): DbError & { position?: number } {
  if (err instanceof EngineAborted) throw err;
  const e = err as PgErrorLike;
  const out: DbError & { position?: number } = { message: String(e?.message ?? err) };
  if (e?.code) out.code = e.code;
  if (e?.detail) out.detail = e.detail;
  if (e?.hint) out.hint = e.hint;
  if (e?.position && /^\d+$/.test(e.position)) out.position = Number(e.position);
  // Postgres names the C file of every error it reports; the migration cannot choose it.
  if (typeof e?.file !== "string" || RAISED_IN.test(e.file)) out.raisedByMigration = true;
  return out;
}

/** Roles are cluster objects created outside migrations (by ops). */
export function missingRole(err: DbError): string | null {
  if (err.code !== "42704" || err.raisedByMigration) return null;
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
 * Runs files the way golang-migrate's postgres driver does, over any connection that speaks the
 * simple-query protocol: PGlite in the sandbox worker, or a real server
 * (node-postgres) the user provides.
 */
export abstract class PostgresEngine implements Engine {
  /** Reads pg_locks between statements, over this engine's connection. */
  private readonly locks = new PostgresLockObserver((sql, params) => this.catalog(sql, params));

  protected constructor(
    readonly description: string,
    protected readonly progress: EngineOptions["progress"],
  ) {}

  /** Send text as one simple Query (several statements allowed), like golang-migrate's Exec. */
  protected abstract exec(sql: string): Promise<void>;
  /** A catalog query on the migrations' connection (the fingerprint's and the lock reader's). */
  protected abstract catalog(sql: string, params?: readonly AttrValue[]): Promise<CatalogRows>;

  /** After a failed Exec: end the transaction a file may have left open and aborted. */
  protected abstract rollbackAfterError(): Promise<void>;
  /**
   * A statement failed because a role does not exist. Return true once the role exists, to run the
   * unit again; false to report the failure.
   */
  protected async provideRole(_role: string): Promise<boolean> {
    return false;
  }

  async markExistingRelations(): Promise<void> {
    await this.locks.markExisting();
  }

  abstract rolesCreated(): string[];
  abstract snapshot(): Promise<Uint8Array>;
  abstract close(): Promise<void>;

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
      const current = await this.locks.held();
      const fresh = [...current].filter((k) => !held.has(k));
      held = current;
      observed.push({
        ...loc,
        sql: statementHead(s.text),
        ms: Math.round(ms * 10) / 10,
        locks: this.locks.describe(fresh),
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

  async setSearchPath(searchPath: string): Promise<void> {
    await this.catalog("SELECT set_config('search_path', $1, false)", [searchPath]);
  }

  /** The fingerprint's view of the connection: catalog(), and a batch where the connection has one. */
  catalogQuery(): CatalogQuery {
    return catalogQuery((sql, params) => this.catalog(sql, params));
  }

  /** The pg_catalog fingerprint, over this engine's connection. */
  async schema(): Promise<Schema> {
    await this.refuseShadowedCatalogs();
    return postgresFingerprint(this.catalogQuery());
  }

  /**
   * The fingerprint reads with search_path set to pg_catalog, and a session's temporary schema
   * left out of search_path is searched *before* it for relations and types: a migration's
   * `CREATE TEMP VIEW pg_class AS … WHERE relname <> 'audit_old'` (or a temporary domain named
   * `text`) would answer the fingerprint's reads in the catalog's place and hide what a down file
   * left behind. No migration needs a temporary object named like a built-in relation or type, so
   * one ends the replay (a failed sandbox: an error once the change's files ran).
   */
  private async refuseShadowedCatalogs(): Promise<void> {
    const { rows } = await this.catalog(
      `SELECT o.name FROM (
          SELECT c.relname AS name, c.relnamespace AS ns FROM pg_catalog.pg_class c
          UNION ALL SELECT t.typname, t.typnamespace FROM pg_catalog.pg_type t) o
        WHERE o.ns OPERATOR(pg_catalog.=) pg_catalog.pg_my_temp_schema()
          AND (EXISTS (SELECT FROM pg_catalog.pg_class k
                        WHERE k.relnamespace OPERATOR(pg_catalog.=) 'pg_catalog'::pg_catalog.regnamespace
                          AND k.relname OPERATOR(pg_catalog.=) o.name)
               OR EXISTS (SELECT FROM pg_catalog.pg_type k
                        WHERE k.typnamespace OPERATOR(pg_catalog.=) 'pg_catalog'::pg_catalog.regnamespace
                          AND k.typname OPERATOR(pg_catalog.=) o.name))
        ORDER BY 1 LIMIT 1`,
    );
    const name = rows[0]?.[0];
    if (name !== undefined)
      throw new Error(
        `a temporary object is named like the system catalog's ${String(name)}: it would answer the schema fingerprint's reads`,
      );
  }
}

function stripPosition(e: DbError & { position?: number }): DbError {
  const out: DbError = { message: e.message };
  if (e.code) out.code = e.code;
  if (e.detail) out.detail = e.detail;
  if (e.hint) out.hint = e.hint;
  if (e.raisedByMigration) out.raisedByMigration = true;
  return out;
}

export function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}
