/**
 * MySQL and MariaDB servers through mysql2: connections from a parsed address (never the URL
 * itself), error kinds, and the sandbox protocol's primitives for a replay database: GET_LOCK, the
 * account check, the inventory and the wipe.
 *
 * No connection may read this host's files: the LOCAL_FILES capability is not offered to the
 * server, and mysql2 refuses LOAD DATA LOCAL INFILE anyway without an infileStreamFactory (none
 * is given).
 */
import { createHash } from "node:crypto";
import mysql from "mysql2";
import type { CatalogRows } from "../fingerprint/catalog.js";
import type { AttrValue } from "../schema.js";
import {
  MARKER_TABLE,
  SandboxRefused,
  type Inventory,
  type MarkerState,
  type SandboxOps,
} from "./sandbox.js";
import type { ServerConnection, ServerFamily, ServerSession } from "./session.js";
import type { ServerAddress } from "./url.js";

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

/** `name` → `` `name` `` */
export function quoteMysqlIdent(name: string): string {
  return `\`${name.replace(/`/g, "``")}\``;
}

/** mysql2 TLS options for an address. */
export function mysqlTls(a: ServerAddress): mysql.SslOptions | undefined {
  if (a.tls === "disable") return undefined;
  const ssl: mysql.SslOptions = {
    rejectUnauthorized: a.tls !== "require",
    // mysql2 checks the host name only when asked to.
    verifyIdentity: a.tls === "verify-full",
  };
  if (a.tlsFiles?.ca !== undefined) ssl.ca = a.tlsFiles.ca;
  if (a.tlsFiles?.cert !== undefined) ssl.cert = a.tlsFiles.cert;
  if (a.tlsFiles?.key !== undefined) ssl.key = a.tlsFiles.key;
  return ssl;
}

export class MysqlConnection implements ServerConnection {
  /** The handshake succeeded: the server will answer QUIT. */
  private ready = false;

  constructor(readonly raw: mysql.Connection) {
    // Fatal errors reach the next query.
    raw.on("error", () => undefined);
    raw.once("connect", () => (this.ready = true));
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.raw.connect((err) => (err ? reject(err) : resolve())),
    );
  }

  async query(sql: string, params: readonly AttrValue[] = []): Promise<CatalogRows> {
    const [rows, fields] = await this.raw
      .promise()
      .query<mysql.RowDataPacket[][]>({ sql, values: [...params], rowsAsArray: true });
    return {
      columns: (fields ?? []).map((f) => f.name),
      rows: Array.isArray(rows) ? (rows as unknown as AttrValue[][]) : [],
    };
  }

  onClose(listener: () => void): void {
    this.raw.on("end", listener);
    this.raw.on("error", listener);
  }

  async close(): Promise<void> {
    // A connection whose handshake failed (a wrong password, an unknown database) is never
    // answered: mysql2's end() then never settles, and a process waiting on it ends without a
    // word (exit 13, or a hang under a test runner).
    if (!this.ready) return this.raw.destroy();
    await this.raw
      .promise()
      .end()
      .catch(() => this.raw.destroy());
  }

  destroy(): void {
    this.raw.destroy();
  }
}

/** "10.11.6-MariaDB-0+deb12u1" → "MariaDB 10.11.6"; "8.4.2" → "MySQL 8.4.2". */
function mysqlServerName(version: string): string {
  return /mariadb/i.test(version)
    ? `MariaDB ${version.replace(/-MariaDB.*$/i, "")}`
    : `MySQL ${version.replace(/-.*$/, "")}`;
}

/**
 * The session's own bounds: lock waits, and statements (MariaDB max_statement_time; MySQL
 * max_execution_time, which bounds SELECTs only). Returns the server's name and version.
 */
async function boundMysqlSession(
  conn: MysqlConnection,
  bounds: { lockWaitMs: number; statementMs: number },
): Promise<{ server: string; id: number }> {
  const [row] = (await conn.query("SELECT VERSION(), CONNECTION_ID()")).rows;
  const version = String(row?.[0] ?? "");
  const seconds = Math.max(1, Math.ceil(bounds.lockWaitMs / 1000));
  await conn.query(
    `SET SESSION lock_wait_timeout = ${seconds}, SESSION innodb_lock_wait_timeout = ${seconds}, ` +
      (/mariadb/i.test(version)
        ? `SESSION max_statement_time = ${bounds.statementMs / 1000}`
        : `SESSION max_execution_time = ${bounds.statementMs}`),
  );
  return { server: mysqlServerName(version), id: Number(row?.[1]) };
}

export const mysqlFamily: ServerFamily<MysqlConnection> = {
  connection(address, options) {
    const config: mysql.ConnectionOptions = {
      host: address.host,
      port: address.port,
      user: address.user,
      database: address.database,
      // golang-migrate's mysql driver forces it; nothing else needs it.
      multipleStatements: options.role === "work",
      // Not offered to the server: LOAD DATA LOCAL INFILE is refused before mysql2 is even asked.
      flags: ["-LOCAL_FILES"],
      connectTimeout: options.connectTimeoutMs,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
    };
    if (address.password !== undefined) config.password = address.password;
    const ssl = mysqlTls(address);
    if (ssl !== undefined) config.ssl = ssl;
    return new MysqlConnection(mysql.createConnection(config));
  },

  isConfigError: (err) => CONFIG_ERRNOS.has((err as MysqlError)?.errno ?? 0),

  isConnectionError: (err) =>
    (err as MysqlError)?.fatal === true || (err as MysqlError)?.errno === undefined,

  // ER_SERVER_SHUTDOWN, ER_CONNECTION_KILLED (MariaDB), ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8's
  // goodbye to a killed or timed-out session): the server ended it.
  isEndedByServer: (err) => [1053, 1927, 4031].includes((err as MysqlError)?.errno ?? 0),

  isStatementTimeout: (err) => TIMEOUT_ERRNOS.has((err as MysqlError)?.errno ?? 0),

  startWork: (work, limits) =>
    // Server-side bounds (a migration may change them; the watchdog kills the session anyway).
    boundMysqlSession(work, {
      lockWaitMs: limits.statementTimeoutMs,
      statementMs: limits.statementTimeoutMs,
    }),

  async startInspect(conn, bounds) {
    await conn.query("SET SESSION TRANSACTION READ ONLY");
    const { server } = await boundMysqlSession(conn, {
      lockWaitMs: bounds.lockTimeoutMs,
      statementMs: bounds.statementTimeoutMs,
    });
    await conn.query("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    return { server };
  },

  async killSession(guard, id) {
    await guard.query(`KILL CONNECTION ${Number(id)}`);
  },

  sandboxOps: (session) => new MysqlSandbox(session),
};

/** A database error as plain data. */
export function mysqlErrorData(e: MysqlError): { message: string; code?: string; detail?: string } {
  const out: { message: string; code?: string; detail?: string } = { message: e.message };
  if (e.errno !== undefined) out.code = String(e.errno);
  if (e.sqlState) out.detail = `SQLSTATE ${e.sqlState}`;
  return out;
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
  serverDefaults?: MysqlServerDefaults,
): string[] {
  const q = (name: string) => `${quoteMysqlIdent(database)}.${quoteMysqlIdent(name)}`;
  const out = ["SET FOREIGN_KEY_CHECKS = 0"];
  // The database's default character set and collation outlive its tables, and ALL on the
  // database lets a migration change them (ALTER DATABASE): every later replay's tables would
  // get them (an index too long for utf8mb4 passes under latin1). Back to the server's, which no
  // migration can change (SET GLOBAL needs a global privilege, refused by the account check);
  // not to a value kept in the database, which the migrations could rewrite.
  if (serverDefaults)
    out.push(
      `ALTER DATABASE ${quoteMysqlIdent(database)} CHARACTER SET ${quoteMysqlIdent(serverDefaults.charset)} COLLATE ${quoteMysqlIdent(serverDefaults.collation)}`,
    );
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

/** The server's default character set and collation (what CREATE DATABASE gives). */
export interface MysqlServerDefaults {
  charset: string;
  collation: string;
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

/** GET_LOCK names are server-wide and at most 64 characters. */
function lockName(database: string): string {
  return `migration-warden:${createHash("sha256").update(database).digest("hex").slice(0, 40)}`;
}

class MysqlSandbox implements SandboxOps {
  private readonly database: string;

  constructor(private readonly session: ServerSession<MysqlConnection>) {
    this.database = session.target.url.database;
  }

  private async column(sql: string, params: AttrValue[] = []): Promise<AttrValue[]> {
    return (await this.session.query(sql, params)).rows.map((r) => r[0] ?? null);
  }

  async lock(waitMs: number): Promise<boolean> {
    const [got] = (
      await this.session.guard.query("SELECT GET_LOCK(?, ?)", [
        lockName(this.database),
        Math.max(1, Math.ceil(waitMs / 1000)),
      ])
    ).rows;
    return Number(got?.[0]) === 1;
  }

  async accountProblems(): Promise<string[]> {
    const grantee = `CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')`;
    const global = await this.column(
      `SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ${grantee}`,
    );
    const dbs = await this.column(
      `SELECT DISTINCT TABLE_SCHEMA FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ${grantee}`,
    );
    return mysqlAccountProblems(
      { global: global.map(String), databases: dbs.map(String) },
      this.database,
    );
  }

  private async objects(): Promise<MysqlObject[]> {
    const db = this.database;
    const out: MysqlObject[] = [];
    const kinds: Record<string, MysqlObjectKind> = {
      "BASE TABLE": "table",
      "SYSTEM VERSIONED": "table",
      VIEW: "view",
      SEQUENCE: "sequence",
    };
    const q = async (sql: string) => (await this.session.query(sql, [db])).rows;
    for (const [name, type] of await q(
      `SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME <> '${MARKER_TABLE}'`,
    )) {
      const kind = kinds[String(type)];
      if (kind) out.push({ kind, name: String(name) });
    }
    for (const [name, type] of await q(
      "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?",
    ))
      out.push({ kind: type === "PROCEDURE" ? "procedure" : "function", name: String(name) });
    for (const [name] of await q(
      "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?",
    ))
      out.push({ kind: "event", name: String(name) });
    return out;
  }

  async inventory(): Promise<Inventory> {
    const objects = (await this.objects()).map((o) => `${o.kind} ${o.name}`);
    const db = this.database;
    const present = await this.column(
      "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
      [db, MARKER_TABLE],
    );
    let marker: string | null = null;
    if (present.length > 0) {
      const state = await this.column(
        `SELECT state FROM ${quoteMysqlIdent(db)}.${quoteMysqlIdent(MARKER_TABLE)} LIMIT 1`,
      ).catch((err: unknown) => {
        this.session.check();
        if (this.session.family.isConnectionError(err)) throw err;
        return [] as AttrValue[]; // a marker made by hand, without our columns
      });
      marker = state.length > 0 ? String(state[0]) : "";
    }
    return { marker, objects };
  }

  async wipe(state: MarkerState): Promise<void> {
    const db = this.database;
    try {
      const [defaults] = (
        await this.session.query("SELECT @@global.character_set_server, @@global.collation_server")
      ).rows;
      const serverDefaults = { charset: String(defaults![0]), collation: String(defaults![1]) };
      for (const sql of mysqlWipeStatements(db, await this.objects(), state, serverDefaults))
        await this.session.work.query(sql);
      await this.session.work.query(`USE ${quoteMysqlIdent(db)}`);
    } catch (err) {
      throw new SandboxRefused(
        `could not empty ${this.session.target.label}: ${(err as Error).message}. Grant the replay account all privileges on that database`,
      );
    }
  }
}
