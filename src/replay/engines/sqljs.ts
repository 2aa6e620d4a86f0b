/**
 * The SQLite sandbox: sql.js (SQLite compiled to WASM). Databases live in WASM memory; ATTACH of
 * a path opens a file in Emscripten's in-memory filesystem, never the host's, and sql.js is built
 * without load_extension.
 */
import { createRequire } from "node:module";
import { readFile } from "node:fs/promises";
import type { Database, SqlJsStatic } from "sql.js";
import { splitStatements } from "../../core/sql/split.js";
import { statementHead } from "../golang-migrate.js";
import { sqliteFingerprint } from "../fingerprint/sqlite.js";
import type { AttrValue, Schema } from "../schema.js";
import type { FileRun, MigrationText, StatementRun } from "../types.js";
import { newRun, type Engine, type EngineOptions, type RunOptions } from "./engine.js";
import { SQLJS_VERSION } from "./embedded.js";

const require = createRequire(import.meta.url);
let sqlJs: Promise<SqlJsStatic> | null = null;

/** sql.js, loaded once per process (the sandbox and drift detection's reading of SQLite files). */
export function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= (async () => {
    const init = require("sql.js") as (cfg: { wasmBinary: ArrayBuffer }) => Promise<SqlJsStatic>;
    const wasm = await readFile(require.resolve("sql.js/dist/sql-wasm.wasm"));
    return init({
      wasmBinary: wasm.buffer.slice(
        wasm.byteOffset,
        wasm.byteOffset + wasm.byteLength,
      ) as ArrayBuffer,
    });
  })();
  return sqlJs;
}

export class SqljsEngine implements Engine {
  private constructor(
    private db: Database,
    readonly description: string,
    private readonly progress: EngineOptions["progress"],
  ) {}

  static async create(opts: EngineOptions): Promise<SqljsEngine> {
    const SQL = await loadSqlJs();
    const db = opts.snapshot ? new SQL.Database(opts.snapshot) : new SQL.Database();
    // Foreign keys stay off, SQLite's default and the drivers' unless the URL turns them on.
    const v = db.exec("SELECT sqlite_version()")[0]?.values[0]?.[0];
    const engine = new SqljsEngine(
      db,
      `sql.js ${SQLJS_VERSION} (SQLite ${String(v)})`,
      opts.progress,
    );
    engine.standIns(opts.functions ?? []);
    return engine;
  }

  private stoodIn: string[] = [];

  /**
   * Functions the application registers on its connection (replay.functions): stand-ins that
   * return NULL, for every arity up to 16 (sql.js registers a function with its JS arity).
   * Not kept in snapshots: registered again on every engine.
   */
  private standIns(names: readonly string[]): void {
    for (const name of names) {
      for (let arity = 0; arity <= 16; arity++) {
        const fn = () => null;
        Object.defineProperty(fn, "length", { value: arity });
        this.db.create_function(name, fn);
      }
    }
    this.stoodIn = [...names];
  }

  notes(): string[] {
    return this.stoodIn.length === 0
      ? []
      : [
          `Stand-ins that return NULL were registered for the application's functions ${this.stoodIn.map((n) => `\`${n}\``).join(", ")} (replay.functions): what they compute is not replayed.`,
        ];
  }

  rolesCreated(): string[] {
    return [];
  }

  limitation(): string | null {
    // limitationOf knows Postgres's words for what a sandbox lacks; SQLite never says them, so
    // an error that does came from the migration (a trigger's RAISE(ABORT, '…')).
    return null;
  }

  async markExistingRelations(): Promise<void> {
    // SQLite locks the whole database; there are no per-table locks to report.
  }

  async snapshot(): Promise<Uint8Array> {
    return this.db.export();
  }

  async close(): Promise<void> {
    this.db.close();
  }

  /** sqlite3 / sqlite drivers: the file runs in one transaction (Begin … Exec … Commit). */
  async runFile(file: MigrationText, opts: RunOptions): Promise<FileRun> {
    const started = performance.now();
    const { lines, statements: split } = splitStatements(file.text, "sqlite");
    const run = newRun(file);
    const lineAt = (offset: number) => lines.position(offset).line;
    /** The statement (by our splitter) that starts at or after `offset`. */
    const statementAfter = (offset: number) => split.find((s) => s.end > offset) ?? null;

    this.db.exec("BEGIN");
    const done: StatementRun[] = [];
    const it = this.db.iterateStatements(file.text);
    let offset = 0;
    try {
      for (;;) {
        offset = file.text.length - it.getRemainingSQL().length;
        const next = statementAfter(offset);
        this.progress(opts.phase, file.path, next ? lineAt(next.start) : undefined);
        const t0 = performance.now();
        const r = it.next();
        if (r.done) break;
        const stmt = r.value;
        try {
          while (stmt.step()) {
            /* drain rows */
          }
        } finally {
          stmt.free();
        }
        const s = next ?? { start: offset, end: offset + 1, text: stmt.getSQL() };
        done.push({
          line: lineAt(s.start),
          endLine: lineAt(Math.max(s.start, s.end - 1)),
          sql: statementHead(s.text),
          ms: Math.round((performance.now() - t0) * 10) / 10,
          locks: null,
        });
      }
      this.db.exec("COMMIT");
      run.statements = done;
    } catch (err) {
      this.rollback();
      const s = statementAfter(offset);
      const line = s ? lineAt(s.start) : 1;
      run.ok = false;
      run.error = {
        message: (err as Error).message,
        line,
        endLine: s ? lineAt(Math.max(s.start, s.end - 1)) : line,
      };
    }
    run.ms = Math.round(performance.now() - started);
    return run;
  }

  /** A failing COMMIT or BEGIN in the file may already have ended the transaction. */
  private rollback(): void {
    try {
      this.db.exec("ROLLBACK");
    } catch {
      // "cannot rollback - no transaction is active"
    }
  }

  /** The fingerprint's catalog queries, on the sandbox database. */
  async schema(): Promise<Schema> {
    return sqliteFingerprint(async (sql, params = []) => {
      const [r] = this.db.exec(sql, params as (string | number | null)[]);
      return { columns: r?.columns ?? [], rows: (r?.values ?? []) as AttrValue[][] };
    });
  }
}
