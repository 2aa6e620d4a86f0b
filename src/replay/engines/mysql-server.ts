/**
 * Replay on a MySQL or MariaDB server the user provides. Each file runs as golang-migrate's mysql
 * driver runs it: the whole text in one query with multi-statements on, no transaction. DDL
 * commits at once, so when a statement fails the ones before it stay applied; the replay reports
 * that. Connecting, the lock, the account check and the wipe are the server session's
 * (external/session.ts with external/mysql.ts); the fingerprint is fingerprint/mysql.ts.
 */
import type mysql from "mysql2";
import { splitStatements } from "../../core/sql/split.js";
import { mysqlErrorData, mysqlFamily, type MysqlConnection } from "../external/mysql.js";
import { MARKER_TABLE, type ServerLimits, type ServerTarget } from "../external/sandbox.js";
import { ServerSession } from "../external/session.js";
import { mysqlFingerprint } from "../fingerprint/mysql.js";
import { statementHead } from "../golang-migrate.js";
import { omitTables, type Schema } from "../schema.js";
import type { DbError, FileRun, MigrationText, StatementRun } from "../types.js";
import {
  EngineAborted,
  newRun,
  type Engine,
  type EngineOptions,
  type RunOptions,
} from "./engine.js";

export const LOCKS_NOT_OBSERVED =
  "Locks not observed: MySQL releases a DDL statement's metadata locks when the statement ends (each DDL statement commits at once), so there is nothing to read between statements. How long an ALTER TABLE blocks writes depends on the algorithm the server picks (INSTANT, INPLACE or COPY): state it with ALGORITHM=… and LOCK=… so the server refuses a blocking one.";

type MysqlError = mysql.QueryError;

export class MysqlServerEngine implements Engine {
  private constructor(
    private readonly session: ServerSession<MysqlConnection>,
    private readonly progress: EngineOptions["progress"],
  ) {}

  get description(): string {
    return this.session.description;
  }

  /** Connect, take the lock, check and wipe the database (throws SandboxRefused/ServerUnavailable). */
  static async open(
    target: ServerTarget,
    limits: ServerLimits,
    progress: EngineOptions["progress"],
  ): Promise<MysqlServerEngine> {
    return new MysqlServerEngine(await ServerSession.open(mysqlFamily, target, limits), progress);
  }

  /** Stop the replay now (watchdog). */
  kill(reason: string): Promise<void> {
    return this.session.kill(reason);
  }

  /** golang-migrate: `conn.ExecContext(ctx, wholeFile)`, no transaction. */
  async runFile(file: MigrationText, opts: RunOptions): Promise<FileRun> {
    this.session.check();
    const started = performance.now();
    const { lines, statements } = splitStatements(file.text, "mysql");
    const run = newRun(file);
    const at = (i: number) => {
      const s = statements[i];
      if (!s) return null;
      return {
        line: lines.position(s.start).line,
        endLine: lines.position(Math.max(s.start, s.end - 1)).line,
      };
    };
    let completed = 0;
    let t0 = performance.now();
    this.progress(opts.phase, file.path, at(0)?.line ?? 1);
    const error = await new Promise<MysqlError | null>((resolve) => {
      let failed: MysqlError | null = null;
      const q = this.session.work.raw.query(file.text);
      // One "fields" event per statement that returned (an OK packet or a result set).
      q.on("fields", () => {
        const loc = at(completed);
        const now = performance.now();
        if (loc)
          run.statements.push({
            ...loc,
            sql: statementHead(statements[completed]!.text),
            ms: Math.round((now - t0) * 10) / 10,
            locks: null,
          } satisfies StatementRun);
        completed++;
        t0 = now;
        const next = at(completed);
        if (next) this.progress(opts.phase, file.path, next.line);
      });
      q.on("error", (err: MysqlError) => {
        failed = err;
      });
      q.on("end", () => resolve(failed));
    });
    run.ms = Math.round(performance.now() - started);
    if (!error) return run;
    const translated = this.session.translate(error);
    if (translated instanceof EngineAborted) throw translated;
    const loc = at(completed) ?? at(statements.length - 1) ?? { line: 1, endLine: 1 };
    run.ok = false;
    run.error = { ...mysqlErrorData(error), ...loc };
    if (completed > 0)
      run.leftApplied = {
        statements: completed,
        lastLine: run.statements[run.statements.length - 1]?.endLine ?? loc.line,
      };
    return run;
  }

  async markExistingRelations(): Promise<void> {
    // Locks are not observed on MySQL (see LOCKS_NOT_OBSERVED).
  }

  rolesCreated(): string[] {
    return [];
  }

  notes(): string[] {
    return [LOCKS_NOT_OBSERVED];
  }

  limitation(_err: DbError): string | null {
    // limitationOf knows Postgres's words for what a sandbox lacks; a MySQL server never says
    // them, so an error that does came from the migration (SIGNAL … SET MESSAGE_TEXT): its own
    // failure. Extensions, server files and programs are the server's business here.
    return null;
  }

  async snapshot(): Promise<Uint8Array> {
    throw new Error("a database server's state is not snapshotted");
  }

  close(): Promise<void> {
    return this.session.close();
  }

  /** The information_schema fingerprint of the URL's database, without the marker. */
  async schema(): Promise<Schema> {
    const schema = await mysqlFingerprint(
      (sql, params) => this.session.query(sql, params),
      this.session.target.url.database,
    );
    return omitTables(schema, [MARKER_TABLE]);
  }
}
