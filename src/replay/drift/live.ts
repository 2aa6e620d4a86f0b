/**
 * The live database, read-only by construction. It is production: nothing here may write, take a
 * lock stronger than a catalog read, or wait long.
 *
 * - PostgreSQL and MySQL / MariaDB: a connection of the replay's server session code
 *   (external/session.ts), started as a read-only inspection by its driver
 *   (`startInspect` in external/postgres.ts, external/mysql.ts): the session's transactions
 *   read-only, one read-only transaction on a consistent snapshot, statement and lock timeouts.
 *   Postgres also reports the transaction's access mode, checked here before anything is read.
 *   Never committed: closing rolls it back.
 * - SQLite: the file is read (never opened for writing) and examined in memory with
 *   `PRAGMA query_only`.
 *
 * What is read: the catalogs (the fingerprint) and golang-migrate's table (`version`, `dirty`),
 * after checking that it is a plain table with those columns: reading a view would run its query.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { loadSqlJs } from "../engines/sqljs.js";
import { catalogQuery, type CatalogQuery } from "../fingerprint/catalog.js";
import { mysqlFingerprint } from "../fingerprint/mysql.js";
import { postgresFingerprint, relationKindName } from "../fingerprint/postgres.js";
import { sqliteFingerprint } from "../fingerprint/sqlite.js";
import { mysqlFamily, quoteMysqlIdent } from "../external/mysql.js";
import { postgresFamily } from "../external/postgres.js";
import type { InspectBounds, ServerConnection, ServerFamily } from "../external/session.js";
import { namePart, omitTables, qualifiedName, type AttrValue, type Schema } from "../schema.js";
import { readSqliteImage, SqliteFileError } from "./sqlite-file.js";
import { redact, type DriftUrl, type ServerUrl, type SqliteUrl } from "./url.js";

/** Connection, permission or setup problem: exit status 2, message safe to print. */
export class DriftError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DriftError";
  }
}

export interface LiveLimits {
  connectTimeoutMs: number;
  /** Each catalog query. */
  statementTimeoutMs: number;
  /** How long to wait for a lock (a migration running now holds its table). */
  lockTimeoutMs: number;
}

/** An open read-only view of the live database. */
export interface LiveConnection {
  /** "PostgreSQL 15.4", "MariaDB 10.11.6", "SQLite 3.49.1". */
  server: string;
  /** Postgres: the current schema (the search path's first), where golang-migrate's table is. */
  currentSchema?: string | null;
  query: CatalogQuery;
  close(): Promise<void>;
}

export interface LiveState {
  server: string;
  /** golang-migrate's version; null when none is recorded (never migrated, or all the way down). */
  version: bigint | null;
  dirty: boolean;
  /** The table's rows disagree on the version (golang-migrate keeps one row): not known. */
  ambiguous: boolean;
  /** The migrations table as found: "public.schema_migrations", "schema_migrations". */
  table: string;
  /** The schema, without the migrations table. */
  schema: Schema;
  /** Postgres: the schema that holds the migrations table. */
  tableSchema?: string;
  notes: string[];
}

const quotePg = (s: string) => `"${s.replace(/"/g, '""')}"`;
const quoteSqlite = quotePg;

/** A driver error as a message: never the password, and the URL only without it. */
function failure(url: DriftUrl, what: string, err: unknown): DriftError {
  if (err instanceof DriftError) return err;
  const e = err as Error & { code?: string };
  let detail = e?.message || e?.code || String(err);
  if (/lock timeout|lock wait timeout/i.test(detail))
    detail +=
      " (something holds a lock drift waits for, such as a migration running now: try again later)";
  return new DriftError(redact(`${what} ${url.redacted}: ${detail}`, url.secrets));
}

async function tlsFiles(url: ServerUrl, cwd: string): Promise<ServerUrl["address"]> {
  const files: NonNullable<ServerUrl["address"]["tlsFiles"]> = {};
  for (const [k, path] of Object.entries(url.tlsPaths) as Array<["ca" | "cert" | "key", string]>) {
    try {
      files[k] = await readFile(resolve(cwd, path), "utf8");
    } catch (err) {
      throw new DriftError(
        `cannot read the TLS ${k === "ca" ? "certificate authority" : k === "cert" ? "certificate" : "key"} ${path} named in the URL: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  }
  return Object.keys(files).length > 0 ? { ...url.address, tlsFiles: files } : url.address;
}

/** Connect, falling back to a plain connection when the URL allows it and the server has no TLS. */
async function connectServer<C extends ServerConnection>(
  family: ServerFamily<C>,
  url: ServerUrl,
  limits: LiveLimits,
  cwd: string,
): Promise<C> {
  const address = await tlsFiles(url, cwd);
  const options = {
    role: "inspect" as const,
    connectTimeoutMs: url.connectTimeoutMs ?? limits.connectTimeoutMs,
    statementTimeoutMs: limits.statementTimeoutMs,
  };
  const first = family.connection(address, options);
  try {
    await first.connect();
    return first;
  } catch (err) {
    await first.close();
    if (!url.tlsFallback || !/does not support (SSL|secure)/i.test((err as Error)?.message ?? ""))
      throw failure(url, "cannot connect to", err);
  }
  const plain = family.connection({ ...address, tls: "disable" }, options);
  try {
    await plain.connect();
    return plain;
  } catch (err) {
    await plain.close();
    throw failure(url, "cannot connect to", err);
  }
}

/** Open the live database read-only. */
export async function openLive(
  url: DriftUrl,
  limits: LiveLimits,
  cwd: string,
): Promise<LiveConnection> {
  if (url.dialect === "sqlite") return openSqlite(url, cwd);
  return url.dialect === "postgres"
    ? openServer(postgresFamily, url, limits, cwd)
    : openServer(mysqlFamily, url, limits, cwd);
}

/** A server's read-only inspection session (the family's startInspect), checked. */
async function openServer<C extends ServerConnection>(
  family: ServerFamily<C>,
  url: ServerUrl,
  limits: LiveLimits,
  cwd: string,
): Promise<LiveConnection> {
  const conn = await connectServer(family, url, limits, cwd);
  try {
    const bounds: InspectBounds = {
      statementTimeoutMs: limits.statementTimeoutMs,
      lockTimeoutMs: limits.lockTimeoutMs,
    };
    if (url.searchPath !== undefined) bounds.searchPath = url.searchPath;
    const session = await family.startInspect(conn, bounds);
    if (session.readOnly === false)
      throw new DriftError(`the session on ${url.redacted} is not read-only; stopped`);
    const live = readOnly(url, conn, session.server);
    if (session.currentSchema !== undefined) live.currentSchema = session.currentSchema;
    return live;
  } catch (err) {
    await conn.close();
    throw failure(url, "cannot start a read-only transaction on", err);
  }
}

/** A server connection inside its read-only transaction, which closing rolls back. */
function readOnly(url: ServerUrl, conn: ServerConnection, server: string): LiveConnection {
  const failed = (err: unknown): never => {
    throw failure(url, "a catalog query failed on", err);
  };
  const batch = conn.catalogBatch;
  return {
    server,
    // A batch runs inside the read-only transaction, each statement under its own timeout.
    query: catalogQuery(
      (sql, params) => conn.query(sql, params).catch(failed),
      batch && ((statements) => batch(statements).catch(failed)),
    ),
    close: async () => {
      await conn.query("ROLLBACK").catch(() => undefined);
      await conn.close();
    },
  };
}

async function openSqlite(url: SqliteUrl, cwd: string): Promise<LiveConnection> {
  const path = resolve(cwd, url.path);
  let image: Uint8Array;
  try {
    image = await readSqliteImage(path);
  } catch (err) {
    if (err instanceof SqliteFileError) throw new DriftError(err.message);
    throw err;
  }
  const SQL = await loadSqlJs();
  let db;
  try {
    db = new SQL.Database(image);
    db.exec("PRAGMA query_only = ON");
    const version = db.exec("SELECT sqlite_version()")[0]?.values[0]?.[0];
    const handle = db;
    return {
      server: `SQLite ${String(version)}`,
      query: async (sql, params = []) => {
        try {
          const [r] = handle.exec(sql, params as (string | number | null)[]);
          return { columns: r?.columns ?? [], rows: (r?.values ?? []) as AttrValue[][] };
        } catch (err) {
          throw failure(url, "a catalog query failed on", err);
        }
      },
      close: async () => handle.close(),
    };
  } catch (err) {
    db?.close();
    if (err instanceof DriftError) throw err;
    throw new DriftError(`cannot read ${url.redacted}: ${(err as Error).message}`);
  }
}

/** More rows than this in golang-migrate's one-row table: not its table; refused. */
const MAX_VERSION_ROWS = 100;

/** The values a `dirty` column may hold that golang-migrate reads as false; anything else is dirty. */
const CLEAN = new Set<AttrValue>([false, 0, "0", "f", "F", "false", "False", "FALSE"]);

/**
 * golang-migrate's version rows: version as text (bigint) and dirty. Its table holds exactly one
 * row, and golang-migrate reads whichever comes first; someone who writes the table by hand can
 * add more. Any dirty row makes the database dirty, and rows with different versions leave the
 * version unknown, so a second row never hides a failed migration or the real version.
 */
function versionOf(
  rows: AttrValue[][],
  table: string,
): { version: bigint | null; dirty: boolean; ambiguous: boolean; notes: string[] } {
  if (rows.length > MAX_VERSION_ROWS)
    throw new DriftError(
      `${table} holds more than ${MAX_VERSION_ROWS} rows: it is not golang-migrate's migrations table (which keeps exactly one); refusing to read it`,
    );
  const parsed = rows.map((row) => {
    const text = String(row[0]);
    if (!/^-?\d+$/.test(text))
      throw new DriftError(`${table} holds version "${text.slice(0, 30)}", which is not a number`);
    // golang-migrate's NilVersion: no migration applied (a failed first down writes -1, dirty).
    const v = BigInt(text);
    // NULL or a value golang-migrate's driver reads as true ("t", 2, "true"): dirty.
    return { version: v < 0n ? null : v, dirty: !CLEAN.has(row[1] ?? null) };
  });
  const [first] = parsed;
  if (!first) return { version: null, dirty: false, ambiguous: false, notes: [] };
  const versions = [...new Set(parsed.map((p) => p.version?.toString() ?? "none"))];
  const dirty = parsed.some((p) => p.dirty);
  const notes: string[] = [];
  if (rows.length > 1)
    notes.push(
      `${table} holds ${rows.length} rows; golang-migrate keeps exactly one and reads whichever comes first` +
        (versions.length > 1
          ? `: their versions differ (${versions.slice(0, 5).join(", ")}), so the version is not known.`
          : dirty && !first.dirty
            ? ": one of them is dirty."
            : "."),
    );
  return { version: first.version, dirty, ambiguous: versions.length > 1, notes };
}

/**
 * What acts when golang-migrate writes its table: triggers, rules and policies on it. golang-migrate
 * creates none, so one there is drift, and the most hidden kind: `AFTER INSERT ON
 * schema_migrations … DELETE FROM users` runs at the next `migrate up`.
 */
const ACTS_ON_WRITE = new Set<string>(["trigger", "rule", "policy"]);

/** The schema without golang-migrate's tables, but with anything that acts when they are written. */
function withoutBookkeeping(schema: Schema, tables: readonly string[]): Schema {
  const kept = Object.entries(schema).filter(
    ([, o]) => o.table !== undefined && tables.includes(o.table) && ACTS_ON_WRITE.has(o.kind),
  );
  return { ...omitTables(schema, tables), ...Object.fromEntries(kept) };
}

/** Read golang-migrate's table and fingerprint the schema. */
/** How to read: drift.migrationsAccount (MySQL's definers, fingerprint/mysql-more.ts). */
export interface ReadOptions {
  migrationsAccount?: string | undefined;
}

export async function readLive(
  url: DriftUrl,
  live: LiveConnection,
  opts: ReadOptions = {},
): Promise<LiveState> {
  if (url.dialect === "sqlite") return readSqlite(url, live);
  return url.dialect === "postgres" ? readPostgres(url, live) : readMysql(url, live, opts);
}

async function readPostgres(url: ServerUrl, live: LiveConnection): Promise<LiveState> {
  const q = live.query;
  let schemaName = url.table.schema;
  if (schemaName === undefined) {
    // golang-migrate keeps its table in the current schema (the first of search_path).
    if (!live.currentSchema)
      throw new DriftError(
        `no schema of search_path exists on ${url.redacted}, so golang-migrate's table cannot be there`,
      );
    schemaName = live.currentSchema;
  }
  const qualified = `${schemaName}.${url.table.name}`;
  const [found] = (
    await q(
      `SELECT c.relkind::text,
              (SELECT count(*)::int FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
                  AND NOT a.attisdropped AND a.attname IN ('version', 'dirty')),
              c.relrowsecurity
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2`,
      [schemaName, url.table.name],
    )
  ).rows;
  checkTable(
    url,
    qualified,
    found ? relationKindName(String(found[0])) : null,
    Number(found?.[1] ?? 0),
  );
  // golang-migrate reads its table as the owner, whom row-level security spares; a policy could
  // show drift's (read-only) role other rows than golang-migrate sees, and runs its own code.
  if (found?.[2] === true)
    throw new DriftError(
      `${qualified} on ${url.redacted} has row-level security enabled, which golang-migrate's table never has: the rows drift would read may not be the ones golang-migrate reads; refusing to read it`,
    );
  const rows = (
    await q(
      `SELECT version::text, dirty FROM ${quotePg(schemaName)}.${quotePg(url.table.name)} LIMIT ${MAX_VERSION_ROWS + 1}`,
    )
  ).rows;
  // As the fingerprint names them (a part holding a dot is quoted).
  const bookkeeping = [qualifiedName(schemaName, url.table.name)];
  if (url.lockTable) bookkeeping.push(qualifiedName(schemaName, url.lockTable));
  const schema = withoutBookkeeping(await postgresFingerprint(q), bookkeeping);
  return {
    server: live.server,
    ...versionOf(rows, qualified),
    table: qualified,
    tableSchema: schemaName,
    schema,
  };
}

/** The migrations table must exist, be a plain table, and have golang-migrate's columns. */
function checkTable(url: DriftUrl, name: string, kind: string | null, columns: number): void {
  if (kind === null)
    throw new DriftError(
      `${url.redacted} has no table ${name}: golang-migrate's migrations table is missing (is this the migrated database? x-migrations-table names another table)`,
    );
  if (kind !== "table")
    throw new DriftError(
      `${name} on ${url.redacted} is a ${kind}, not golang-migrate's migrations table: refusing to read it`,
    );
  if (columns < 2)
    throw new DriftError(
      `${name} on ${url.redacted} has no version and dirty columns: it is not golang-migrate's migrations table`,
    );
}

async function readMysql(
  url: ServerUrl,
  live: LiveConnection,
  opts: ReadOptions,
): Promise<LiveState> {
  const q = live.query;
  const db = url.address.database;
  const name = url.table.name;
  const [found] = (
    await q(
      `SELECT TABLE_TYPE,
              (SELECT COUNT(*) FROM information_schema.COLUMNS c WHERE c.TABLE_SCHEMA = t.TABLE_SCHEMA
                  AND c.TABLE_NAME = t.TABLE_NAME AND c.COLUMN_NAME IN ('version', 'dirty'))
         FROM information_schema.TABLES t WHERE t.TABLE_SCHEMA = ? AND t.TABLE_NAME = ?`,
      [db, name],
    )
  ).rows;
  const type = found ? String(found[0]) : null;
  checkTable(
    url,
    name,
    type === null ? null : type === "BASE TABLE" ? "table" : type.toLowerCase(),
    Number(found?.[1] ?? 0),
  );
  const rows = (
    await q(
      `SELECT version, dirty FROM ${quoteMysqlIdent(db)}.${quoteMysqlIdent(name)} LIMIT ${MAX_VERSION_ROWS + 1}`,
    )
  ).rows;
  const schema = withoutBookkeeping(
    await mysqlFingerprint(q, db, {
      migrationsAccounts: opts.migrationsAccount ? [opts.migrationsAccount] : [],
    }),
    [namePart(name)],
  );
  return { server: live.server, ...versionOf(rows, name), table: name, schema };
}

async function readSqlite(url: SqliteUrl, live: LiveConnection): Promise<LiveState> {
  const q = live.query;
  const [found] = (
    await q(
      `SELECT type, name, (SELECT count(*) FROM pragma_table_info(s.name) WHERE name IN ('version', 'dirty'))
         FROM sqlite_schema s WHERE name = ? COLLATE NOCASE`,
      [url.table.name],
    )
  ).rows;
  const name = found ? String(found[1]) : url.table.name;
  checkTable(url, name, found ? String(found[0]) : null, Number(found?.[2] ?? 0));
  const rows = (
    await q(`SELECT version, dirty FROM ${quoteSqlite(name)} LIMIT ${MAX_VERSION_ROWS + 1}`)
  ).rows;
  const schema = withoutBookkeeping(await sqliteFingerprint(q), [namePart(name)]);
  return { server: live.server, ...versionOf(rows, name), table: name, schema };
}

/** Open, read, close. */
export async function inspectLive(
  url: DriftUrl,
  limits: LiveLimits,
  cwd: string,
  opts: ReadOptions = {},
): Promise<LiveState> {
  const live = await openLive(url, limits, cwd);
  try {
    return await readLive(url, live, opts);
  } finally {
    await live.close();
  }
}
