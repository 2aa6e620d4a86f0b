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
import { schemaOf, type AttrValue, type Schema, type SchemaObject } from "../schema.js";
import type { FileRun, MigrationText, StatementRun } from "../types.js";
import { newRun, type Engine, type EngineOptions, type RunOptions } from "./engine.js";
import { SQLJS_VERSION } from "./catalog.js";

const require = createRequire(import.meta.url);
let sqlJs: Promise<SqlJsStatic> | null = null;

function loadSqlJs(): Promise<SqlJsStatic> {
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

function normalizeSql(sql: AttrValue): AttrValue {
  return typeof sql === "string" ? sql.replace(/\s+/g, " ").trim() : sql;
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
    return new SqljsEngine(db, `sql.js ${SQLJS_VERSION} (SQLite ${String(v)})`, opts.progress);
  }

  rolesCreated(): string[] {
    return [];
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

  async schema(): Promise<Schema> {
    const rows = (sql: string, params: AttrValue[] = []): AttrValue[][] => {
      const stmt = this.db.prepare(sql);
      try {
        stmt.bind(params as (string | number | null)[]);
        const out: AttrValue[][] = [];
        while (stmt.step()) out.push(stmt.get() as AttrValue[]);
        return out;
      } finally {
        stmt.free();
      }
    };
    const objects: SchemaObject[] = [];
    const s = (v: AttrValue | undefined) => String(v ?? "");
    for (const [type, name, table, sql] of rows(
      "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
    )) {
      const n = s(name);
      if (type === "table") {
        objects.push({
          kind: "table",
          name: n,
          attrs: { "~definition": normalizeSql(sql ?? null) },
        });
        for (const [col, ctype, notNull, def, pk, hidden] of rows(
          'SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?)',
          [n],
        )) {
          const attrs: Record<string, AttrValue> = {
            type: s(ctype),
            notNull: notNull === 1,
            default: def ?? null,
          };
          if (pk !== 0) attrs.primaryKey = Number(pk);
          if (hidden !== 0)
            attrs.generated = hidden === 2 ? "virtual" : hidden === 3 ? "stored" : "hidden";
          objects.push({ kind: "column", name: `${n}.${s(col)}`, table: n, attrs });
        }
        const fks = new Map<
          number,
          { from: string[]; to: string[]; ref: string; onUpdate: string; onDelete: string }
        >();
        for (const [id, ref, from, to, onUpdate, onDelete] of rows(
          'SELECT id, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq',
          [n],
        )) {
          const fk = fks.get(Number(id)) ?? {
            from: [],
            to: [],
            ref: s(ref),
            onUpdate: s(onUpdate),
            onDelete: s(onDelete),
          };
          fk.from.push(s(from));
          fk.to.push(to === null ? "(primary key)" : s(to));
          fks.set(Number(id), fk);
        }
        for (const fk of fks.values()) {
          const definition = `FOREIGN KEY (${fk.from.join(", ")}) REFERENCES ${fk.ref}(${fk.to.join(", ")}) ON UPDATE ${fk.onUpdate} ON DELETE ${fk.onDelete}`;
          objects.push({
            kind: "constraint",
            name: `${n}.fk(${fk.from.join(",")})`,
            table: n,
            attrs: { type: "foreign key", definition },
          });
        }
      } else if (type === "index") {
        const [info] = rows(
          `SELECT il."unique", il.origin, il.partial,
                  (SELECT group_concat(coalesce(ii.name, '(expression)'), ', ') FROM pragma_index_info(il.name) ii)
             FROM pragma_index_list(?) il WHERE il.name = ?`,
          [s(table), n],
        );
        objects.push({
          kind: "index",
          name: n,
          table: s(table),
          attrs: {
            definition:
              normalizeSql(sql ?? null) ?? `(${String(info?.[1] ?? "auto")}) ${s(info?.[3])}`,
            unique: info?.[0] === 1,
            partial: info?.[2] === 1,
          },
        });
      } else if (type === "view" || type === "trigger") {
        const o: SchemaObject = {
          kind: type,
          name: n,
          attrs: { definition: normalizeSql(sql ?? null) },
        };
        if (type === "trigger") o.table = s(table);
        objects.push(o);
      }
    }
    return schemaOf(objects);
  }
}
