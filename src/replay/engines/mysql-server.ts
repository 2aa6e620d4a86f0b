/**
 * Replay on a MySQL or MariaDB server the user provides (mysql2). Each file runs as golang-migrate's
 * mysql driver runs it: the whole text in one query with multi-statements on, no transaction. DDL
 * commits at once, so when a statement fails the ones before it stay applied; the replay reports
 * that. The fingerprint comes from information_schema, scoped to the URL's database.
 *
 * Two connections, like the Postgres server engine: "work" runs the migrations, "guard" holds
 * GET_LOCK (serialising replays on this database) and kills the work session when the watchdog
 * fires. Neither may read this host's files: mysql2 refuses LOAD DATA LOCAL INFILE without an
 * infileStreamFactory (none is given), and the LOCAL_FILES capability is not even offered to the
 * server.
 */
import { createHash } from "node:crypto";
import mysql from "mysql2";
import { splitStatements } from "../../core/sql/split.js";
import { statementHead } from "../golang-migrate.js";
import { schemaOf, type AttrValue, type Schema, type SchemaObject } from "../schema.js";
import type { DbError, FileRun, MigrationText, StatementRun } from "../types.js";
import {
  EngineAborted,
  limitationOf,
  newRun,
  StatementTimedOut,
  type Engine,
  type EngineOptions,
  type RunOptions,
} from "./engine.js";
import {
  claimSandbox,
  MARKER_TABLE,
  openSandbox,
  releaseSandbox,
  SandboxRefused,
  type Inventory,
  type MarkerState,
  type SandboxOps,
  type ServerLimits,
  type ServerTarget,
} from "../external/sandbox.js";

export const LOCKS_NOT_OBSERVED =
  "Locks not observed: MySQL releases a DDL statement's metadata locks when the statement ends (each DDL statement commits at once), so there is nothing to read between statements. How long an ALTER TABLE blocks writes depends on the algorithm the server picks (INSTANT, INPLACE or COPY): state it with ALGORITHM=… and LOCK=… so the server refuses a blocking one.";

/** `name` → `` `name` `` */
export function quoteMysqlIdent(name: string): string {
  return `\`${name.replace(/`/g, "``")}\``;
}

export type MysqlObjectKind = "table" | "view" | "sequence" | "procedure" | "function" | "event";

export interface MysqlObject {
  kind: MysqlObjectKind;
  name: string;
}

const DROP_ORDER: Array<[MysqlObjectKind, string]> = [
  ["view", "DROP VIEW IF EXISTS"],
  ["sequence", "DROP SEQUENCE IF EXISTS"],
  ["table", "DROP TABLE IF EXISTS"],
];

/**
 * The statements that empty `database` and leave a fresh marker. Names are qualified: a migration
 * may have switched the session to another database with USE.
 */
export function mysqlWipeStatements(
  database: string,
  objects: readonly MysqlObject[],
  state: MarkerState,
): string[] {
  const q = (name: string) => `${quoteMysqlIdent(database)}.${quoteMysqlIdent(name)}`;
  const out = ["SET FOREIGN_KEY_CHECKS = 0"];
  for (const [kind, drop] of DROP_ORDER) {
    const names = objects.filter((o) => o.kind === kind).map((o) => q(o.name));
    if (kind === "table") names.push(q(MARKER_TABLE));
    if (names.length > 0) out.push(`${drop} ${names.join(", ")}`);
  }
  for (const o of objects) {
    if (o.kind === "procedure" || o.kind === "function" || o.kind === "event")
      out.push(`DROP ${o.kind.toUpperCase()} IF EXISTS ${q(o.name)}`);
  }
  out.push(
    "SET FOREIGN_KEY_CHECKS = 1",
    `CREATE TABLE ${q(MARKER_TABLE)} (state varchar(16) NOT NULL, updated_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3))`,
    `INSERT INTO ${q(MARKER_TABLE)} (state) VALUES ('${state}')`,
  );
  return out;
}

/** A grant's database pattern → the name it matches literally ("mw\_test" → "mw_test"). */
function unescapePattern(p: string): string {
  return p.replace(/\\([_%\\])/g, "$1");
}

/** Why a MySQL account must not run pull requests' SQL. */
export function mysqlAccountProblems(
  facts: { global: readonly string[]; databases: readonly string[] },
  database: string,
): string[] {
  const out: string[] = [];
  const global = facts.global.filter((p) => p.toUpperCase() !== "USAGE");
  if (global.length > 0)
    out.push(
      `the account has global privileges (${[...new Set(global)].sort().join(", ")}): grant it privileges on its database only`,
    );
  const others = [...new Set(facts.databases.filter((d) => unescapePattern(d) !== database))];
  if (others.length > 0)
    out.push(
      `the account has privileges on other databases (${others.sort().join(", ")}): their objects would not be wiped`,
    );
  return out;
}

type Row = Record<string, AttrValue>;

interface MysqlError extends Error {
  errno?: number;
  code?: string;
  sqlState?: string;
  fatal?: boolean;
}

/** ER_STATEMENT_TIMEOUT (MariaDB max_statement_time), ER_QUERY_TIMEOUT (MySQL max_execution_time). */
const TIMEOUT_ERRNOS = new Set([1969, 3024]);
/** Access denied, unknown database: the URL is wrong, not the server down. */
const CONFIG_ERRNOS = new Set([1044, 1045, 1049, 1698]);

function toDbError(e: MysqlError): DbError {
  const out: DbError = { message: e.message };
  if (e.errno !== undefined) out.code = String(e.errno);
  if (e.sqlState) out.detail = `SQLSTATE ${e.sqlState}`;
  return out;
}

function lockName(database: string): string {
  // GET_LOCK names are server-wide and at most 64 characters.
  return `migration-warden:${createHash("sha256").update(database).digest("hex").slice(0, 40)}`;
}

export class MysqlServerEngine implements Engine, SandboxOps {
  private lost: string | null = null;
  private claimed = false;

  private constructor(
    private readonly work: mysql.Connection,
    private readonly guard: mysql.Connection,
    private readonly target: ServerTarget,
    readonly description: string,
    private readonly threadId: number,
    private readonly progress: EngineOptions["progress"],
  ) {}

  static async open(
    target: ServerTarget,
    limits: ServerLimits,
    progress: EngineOptions["progress"],
  ): Promise<MysqlServerEngine> {
    const u = target.url;
    const options: mysql.ConnectionOptions = {
      host: u.host,
      port: u.port,
      user: u.user,
      database: u.database,
      multipleStatements: true, // golang-migrate's mysql driver forces it
      // Not offered to the server: LOAD DATA LOCAL INFILE is refused before mysql2 is even asked.
      flags: ["-LOCAL_FILES"],
      connectTimeout: limits.connectTimeoutMs,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
    };
    if (u.password !== undefined) options.password = u.password;
    if (u.tls !== "disable") options.ssl = { rejectUnauthorized: u.tls === "verify-full" };
    const work = mysql.createConnection(options);
    const guard = mysql.createConnection({ ...options, multipleStatements: false });
    const both = [work, guard];
    for (const c of both) c.on("error", () => undefined); // fatal errors reach the next query
    const connect = (c: mysql.Connection) =>
      new Promise<void>((resolve, reject) => c.connect((err) => (err ? reject(err) : resolve())));
    return openSandbox(target, {
      connect: async () => {
        await Promise.all(both.map(connect));
      },
      isConfigError: (err) => CONFIG_ERRNOS.has((err as MysqlError).errno ?? 0),
      close: async () => both.forEach((c) => c.destroy()),
      prepare: async () => {
        const [rows] = await work
          .promise()
          .query<mysql.RowDataPacket[]>("SELECT VERSION() AS v, CONNECTION_ID() AS id");
        const version = String(rows[0]!.v);
        const mariadb = /mariadb/i.test(version);
        const seconds = Math.max(1, Math.ceil(limits.statementTimeoutMs / 1000));
        // Server-side bounds (a migration may change them; the watchdog kills the session anyway).
        await work
          .promise()
          .query(
            `SET SESSION lock_wait_timeout = ${seconds}, SESSION innodb_lock_wait_timeout = ${seconds}, ` +
              (mariadb
                ? `SESSION max_statement_time = ${limits.statementTimeoutMs / 1000}`
                : `SESSION max_execution_time = ${limits.statementTimeoutMs}`),
          );
        const name = mariadb
          ? `MariaDB ${version.replace(/-MariaDB.*$/i, "")}`
          : `MySQL ${version.replace(/-.*$/, "")}`;
        const engine = new MysqlServerEngine(
          work,
          guard,
          target,
          `${name} (${target.label})`,
          Number(rows[0]!.id),
          progress,
        );
        guard.on("end", () => engine.loseConnection("the lock's connection closed"));
        guard.on("error", () => engine.loseConnection("the lock's connection failed"));
        work.on("end", () => engine.loseConnection("the connection closed"));
        await claimSandbox(engine, target, limits);
        engine.claimed = true;
        return engine;
      },
    });
  }

  private loseConnection(why: string): void {
    if (this.lost) return;
    this.lost = why;
    this.work.destroy();
  }

  async kill(reason: string): Promise<void> {
    if (!this.lost) {
      this.lost = reason;
      // The server would finish the statement otherwise (a closed socket does not stop it).
      await this.guard
        .promise()
        .query(`KILL CONNECTION ${this.threadId}`)
        .catch(() => undefined);
    }
    this.work.destroy();
    this.guard.destroy();
  }

  private aborted(): EngineAborted {
    return new EngineAborted(`the replay was stopped: ${this.lost}`);
  }

  private translate(err: MysqlError): Error {
    if (this.lost) return this.aborted();
    if (err.fatal || err.errno === undefined)
      return new EngineAborted(`lost the connection to ${this.target.label}: ${err.message}`);
    if (TIMEOUT_ERRNOS.has(err.errno)) return new StatementTimedOut(err.message);
    return err;
  }

  /** A catalog query on the work connection, rows as objects. */
  private async select(sql: string, params: AttrValue[] = []): Promise<Row[]> {
    if (this.lost) throw this.aborted();
    try {
      const [rows] = await this.work.promise().query<mysql.RowDataPacket[]>(sql, params);
      return rows as Row[];
    } catch (err) {
      throw this.translate(err as MysqlError);
    }
  }

  /** golang-migrate: `conn.ExecContext(ctx, wholeFile)`, no transaction. */
  async runFile(file: MigrationText, opts: RunOptions): Promise<FileRun> {
    if (this.lost) throw this.aborted();
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
      const q = this.work.query(file.text);
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
    const translated = this.translate(error);
    if (translated instanceof EngineAborted) throw translated;
    const loc = at(completed) ?? at(statements.length - 1) ?? { line: 1, endLine: 1 };
    run.ok = false;
    run.error = { ...toDbError(error), ...loc };
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

  limitation(err: DbError): string | null {
    return limitationOf(err);
  }

  async snapshot(): Promise<Uint8Array> {
    throw new Error("a database server's state is not snapshotted");
  }

  async close(): Promise<void> {
    try {
      if (this.claimed && !this.lost) await releaseSandbox(this);
    } finally {
      await Promise.all(
        [this.work, this.guard].map((c) =>
          c
            .promise()
            .end()
            .catch(() => c.destroy()),
        ),
      );
    }
  }

  async schema(): Promise<Schema> {
    const db = this.target.url.database;
    const objects: SchemaObject[] = [];
    const s = (v: AttrValue | undefined) => (v === null || v === undefined ? "" : String(v));
    const opt = (v: AttrValue | undefined): AttrValue => (v === undefined ? null : v);
    const tables = new Map<string, string>();

    for (const r of await this.select(
      `SELECT TABLE_NAME AS name, TABLE_TYPE AS type, ENGINE AS engine, TABLE_COLLATION AS coll,
              CREATE_OPTIONS AS options
         FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME <> ?`,
      [db, MARKER_TABLE],
    )) {
      const name = s(r.name);
      const type = s(r.type);
      if (type === "VIEW" || type === "TEMPORARY") continue;
      if (type === "SEQUENCE") {
        objects.push({ kind: "sequence", name, attrs: {} });
        continue;
      }
      tables.set(name, s(r.coll));
      objects.push({
        kind: "table",
        name,
        attrs: {
          engine: opt(r.engine),
          collation: opt(r.coll),
          options: s(r.options) || null,
          systemVersioned: type === "SYSTEM VERSIONED",
        },
      });
    }

    for (const r of await this.select(
      `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, COLUMN_TYPE AS type, IS_NULLABLE AS nullable,
              COLUMN_DEFAULT AS def, EXTRA AS extra, GENERATION_EXPRESSION AS gen, COLLATION_NAME AS coll
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
      [db],
    )) {
      const table = s(r.t);
      if (!tables.has(table)) continue; // views' columns
      const attrs: Record<string, AttrValue> = {
        type: s(r.type),
        notNull: r.nullable === "NO",
        default: opt(r.def),
      };
      if (s(r.extra)) attrs.extra = s(r.extra);
      if (s(r.gen)) attrs.generated = s(r.gen);
      if (r.coll !== null && r.coll !== tables.get(table)) attrs.collation = s(r.coll);
      objects.push({ kind: "column", name: `${table}.${s(r.c)}`, table, attrs });
    }

    // SELECT *: MySQL 8 adds EXPRESSION and IS_VISIBLE, MariaDB IGNORED.
    const indexes = new Map<
      string,
      { table: string; unique: boolean; type: string; parts: string[]; visible: AttrValue }
    >();
    for (const r of await this.select(
      `SELECT * FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME <> ?
        ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
      [db, MARKER_TABLE],
    )) {
      const table = s(r.TABLE_NAME);
      const key = `${table}.${s(r.INDEX_NAME)}`;
      const ix = indexes.get(key) ?? {
        table,
        unique: Number(r.NON_UNIQUE) === 0,
        type: s(r.INDEX_TYPE),
        parts: [],
        visible:
          r.IS_VISIBLE !== undefined
            ? r.IS_VISIBLE === "YES"
            : r.IGNORED !== undefined
              ? r.IGNORED !== "YES"
              : null,
      };
      const col = r.COLUMN_NAME !== null ? s(r.COLUMN_NAME) : `(${s(r.EXPRESSION)})`;
      const sub = r.SUB_PART !== null && r.SUB_PART !== undefined ? `(${s(r.SUB_PART)})` : "";
      ix.parts.push(`${col}${sub}${r.COLLATION === "D" ? " DESC" : ""}`);
      indexes.set(key, ix);
    }
    for (const [name, ix] of indexes) {
      if (!tables.has(ix.table)) continue;
      const attrs: Record<string, AttrValue> = {
        definition: `${ix.unique ? "UNIQUE " : ""}${ix.type} (${ix.parts.join(", ")})`,
        unique: ix.unique,
        primary: name === `${ix.table}.PRIMARY`,
      };
      if (ix.visible !== null) attrs.visible = ix.visible;
      objects.push({ kind: "index", name, table: ix.table, attrs });
    }

    for (const r of await this.select(
      `SELECT rc.TABLE_NAME AS t, rc.CONSTRAINT_NAME AS n, rc.REFERENCED_TABLE_NAME AS ref,
              rc.UPDATE_RULE AS upd, rc.DELETE_RULE AS del,
              GROUP_CONCAT(k.COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR ', ') AS cols,
              GROUP_CONCAT(k.REFERENCED_COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR ', ') AS refcols,
              MAX(k.REFERENCED_TABLE_SCHEMA) AS refdb
         FROM information_schema.REFERENTIAL_CONSTRAINTS rc
         JOIN information_schema.KEY_COLUMN_USAGE k
           ON k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME
          AND k.TABLE_NAME = rc.TABLE_NAME
        WHERE rc.CONSTRAINT_SCHEMA = ?
        GROUP BY rc.TABLE_NAME, rc.CONSTRAINT_NAME, rc.REFERENCED_TABLE_NAME, rc.UPDATE_RULE, rc.DELETE_RULE`,
      [db],
    )) {
      const table = s(r.t);
      const ref = r.refdb !== null && r.refdb !== db ? `${s(r.refdb)}.${s(r.ref)}` : s(r.ref);
      objects.push({
        kind: "constraint",
        name: `${table}.${s(r.n)}`,
        table,
        attrs: {
          type: "foreign key",
          definition: `FOREIGN KEY (${s(r.cols)}) REFERENCES ${ref} (${s(r.refcols)}) ON UPDATE ${s(r.upd)} ON DELETE ${s(r.del)}`,
        },
      });
    }

    // CHECK constraints: MariaDB's CHECK_CONSTRAINTS has TABLE_NAME, MySQL's does not.
    const checkTables = new Map<string, string>();
    for (const r of await this.select(
      `SELECT * FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND CONSTRAINT_TYPE = 'CHECK'`,
      [db],
    ))
      checkTables.set(s(r.CONSTRAINT_NAME), s(r.TABLE_NAME));
    const checks = await this.select(
      `SELECT * FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?`,
      [db],
    ).catch((err: unknown) => {
      if (err instanceof EngineAborted) throw err;
      return [] as Row[]; // servers before CHECK constraints (MySQL 5.7)
    });
    for (const r of checks) {
      const table =
        r.TABLE_NAME !== undefined
          ? s(r.TABLE_NAME)
          : (checkTables.get(s(r.CONSTRAINT_NAME)) ?? "");
      const attrs: Record<string, AttrValue> = { type: "check", definition: s(r.CHECK_CLAUSE) };
      if (r.ENFORCED !== undefined) attrs.valid = r.ENFORCED === "YES";
      objects.push({ kind: "constraint", name: `${table}.${s(r.CONSTRAINT_NAME)}`, table, attrs });
    }

    for (const r of await this.select(
      `SELECT TABLE_NAME AS name, VIEW_DEFINITION AS def, CHECK_OPTION AS chk, SECURITY_TYPE AS sec
         FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?`,
      [db],
    ))
      objects.push({
        kind: "view",
        name: s(r.name),
        attrs: { definition: s(r.def), checkOption: s(r.chk), security: s(r.sec) },
      });

    for (const r of await this.select(
      `SELECT TRIGGER_NAME AS name, EVENT_OBJECT_TABLE AS t, ACTION_TIMING AS timing,
              EVENT_MANIPULATION AS ev, ACTION_ORDER AS ord, ACTION_STATEMENT AS body
         FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?`,
      [db],
    ))
      objects.push({
        kind: "trigger",
        name: `${s(r.t)}.${s(r.name)}`,
        table: s(r.t),
        attrs: {
          definition: `${s(r.timing)} ${s(r.ev)} ON ${s(r.t)} FOR EACH ROW ${s(r.body)}`,
          order: Number(r.ord),
        },
      });

    const params = new Map<string, string[]>();
    for (const r of await this.select(
      `SELECT SPECIFIC_NAME AS name, ROUTINE_TYPE AS type, PARAMETER_MODE AS mode, PARAMETER_NAME AS p,
              DTD_IDENTIFIER AS dtd
         FROM information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA = ? AND ORDINAL_POSITION > 0
        ORDER BY SPECIFIC_NAME, ORDINAL_POSITION`,
      [db],
    )) {
      const key = `${s(r.type)} ${s(r.name)}`;
      const list = params.get(key) ?? [];
      list.push([s(r.mode), s(r.p), s(r.dtd)].filter((x) => x !== "").join(" "));
      params.set(key, list);
    }
    for (const r of await this.select(
      `SELECT ROUTINE_NAME AS name, ROUTINE_TYPE AS type, DTD_IDENTIFIER AS returns,
              MD5(ROUTINE_DEFINITION) AS digest, IS_DETERMINISTIC AS det, SQL_DATA_ACCESS AS access,
              SECURITY_TYPE AS sec
         FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?`,
      [db],
    )) {
      const type = s(r.type);
      const args = (params.get(`${type} ${s(r.name)}`) ?? []).join(", ");
      objects.push({
        kind: "function",
        name: `${s(r.name)}(${args})`,
        attrs: {
          kind: type.toLowerCase(),
          returns: r.returns === null ? null : s(r.returns),
          definitionMd5: s(r.digest),
          deterministic: r.det === "YES",
          dataAccess: s(r.access),
          security: s(r.sec),
        },
      });
    }

    for (const r of await this.select(
      `SELECT EVENT_NAME AS name, EVENT_TYPE AS type, EXECUTE_AT AS at, INTERVAL_VALUE AS every,
              INTERVAL_FIELD AS unit, STATUS AS status, ON_COMPLETION AS done, MD5(EVENT_DEFINITION) AS digest
         FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?`,
      [db],
    ))
      objects.push({
        kind: "event",
        name: s(r.name),
        attrs: {
          schedule: s(r.type) === "ONE TIME" ? `AT ${s(r.at)}` : `EVERY ${s(r.every)} ${s(r.unit)}`,
          status: s(r.status),
          onCompletion: s(r.done),
          definitionMd5: s(r.digest),
        },
      });

    return schemaOf(objects);
  }

  // SandboxOps

  async lock(waitMs: number): Promise<boolean> {
    const [rows] = await this.guard
      .promise()
      .query<mysql.RowDataPacket[]>("SELECT GET_LOCK(?, ?) AS got", [
        lockName(this.target.url.database),
        Math.max(1, Math.ceil(waitMs / 1000)),
      ]);
    return Number(rows[0]?.got) === 1;
  }

  async accountProblems(): Promise<string[]> {
    const grantee = `CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')`;
    const global = await this.select(
      `SELECT PRIVILEGE_TYPE AS p FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ${grantee}`,
    );
    const dbs = await this.select(
      `SELECT DISTINCT TABLE_SCHEMA AS d FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ${grantee}`,
    );
    return mysqlAccountProblems(
      { global: global.map((r) => String(r.p)), databases: dbs.map((r) => String(r.d)) },
      this.target.url.database,
    );
  }

  private async objects(): Promise<MysqlObject[]> {
    const db = this.target.url.database;
    const out: MysqlObject[] = [];
    const kinds: Record<string, MysqlObjectKind> = {
      "BASE TABLE": "table",
      "SYSTEM VERSIONED": "table",
      VIEW: "view",
      SEQUENCE: "sequence",
    };
    for (const r of await this.select(
      "SELECT TABLE_NAME AS n, TABLE_TYPE AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME <> ?",
      [db, MARKER_TABLE],
    )) {
      const kind = kinds[String(r.t)];
      if (kind) out.push({ kind, name: String(r.n) });
    }
    for (const r of await this.select(
      "SELECT ROUTINE_NAME AS n, ROUTINE_TYPE AS t FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?",
      [db],
    ))
      out.push({ kind: r.t === "PROCEDURE" ? "procedure" : "function", name: String(r.n) });
    for (const r of await this.select(
      "SELECT EVENT_NAME AS n FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?",
      [db],
    ))
      out.push({ kind: "event", name: String(r.n) });
    return out;
  }

  async inventory(): Promise<Inventory> {
    const objects = (await this.objects()).map((o) => `${o.kind} ${o.name}`);
    const db = this.target.url.database;
    const present = await this.select(
      "SELECT 1 AS x FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
      [db, MARKER_TABLE],
    );
    let marker: string | null = null;
    if (present.length > 0) {
      const state = await this.select(
        `SELECT state FROM ${quoteMysqlIdent(db)}.${quoteMysqlIdent(MARKER_TABLE)} LIMIT 1`,
      ).catch((err: unknown) => {
        if (err instanceof EngineAborted) throw err;
        return [] as Row[]; // a marker made by hand, without our columns
      });
      marker = state[0] ? String(state[0].state) : "";
    }
    return { marker, objects };
  }

  async wipe(state: MarkerState): Promise<void> {
    const db = this.target.url.database;
    try {
      for (const sql of mysqlWipeStatements(db, await this.objects(), state))
        await this.work.promise().query(sql);
      await this.work.promise().query(`USE ${quoteMysqlIdent(db)}`);
    } catch (err) {
      if (err instanceof EngineAborted) throw err;
      throw new SandboxRefused(
        `could not empty ${this.target.label}: ${(err as Error).message}. Grant the replay account all privileges on that database`,
      );
    }
  }
}
