/**
 * PostgreSQL servers through node-postgres: connections from a parsed address (never the URL
 * itself), error kinds, and the sandbox protocol's primitives for a replay database: the advisory
 * lock, the account check, the inventory and the wipe (DROP OWNED BY CURRENT_USER).
 */
import pg from "pg";
import {
  batchResults,
  batchText,
  type CatalogBatch,
  type CatalogBatchResult,
  type CatalogRows,
} from "../fingerprint/catalog.js";
import { postgresFingerprint } from "../fingerprint/postgres.js";
import { omitTables, type AttrValue } from "../schema.js";
import {
  MARKER_TABLE,
  SandboxRefused,
  type Inventory,
  type MarkerState,
  type SandboxOps,
} from "./sandbox.js";
import type {
  ConnectOptions,
  InspectBounds,
  InspectSession,
  ServerConnection,
  ServerFamily,
  ServerSession,
} from "./session.js";
import type { ServerAddress } from "./url.js";

/** Advisory lock key for "one replay at a time" (advisory locks are per database). */
const LOCK_KEY = "7245910418727141"; // "mw" replay, any constant will do

export const POSTGRES_MARKER = `public.${MARKER_TABLE}`;

interface PgError extends Error {
  code?: string;
}

/** Access denied, unknown database, wrong password: the URL is wrong, not the server down. */
const AUTH_OR_MISSING = new Set(["28P01", "28000", "3D000", "42501"]);

const APPLICATION: Record<ConnectOptions["role"], string> = {
  work: "migration-warden replay",
  guard: "migration-warden replay",
  inspect: "migration-warden drift",
};

/** node-postgres TLS options for an address. */
export function postgresTls(a: ServerAddress): pg.ClientConfig["ssl"] {
  if (a.tls === "disable") return undefined;
  const ssl: Exclude<pg.ClientConfig["ssl"], boolean | undefined> = {
    rejectUnauthorized: a.tls !== "require",
  };
  // verify-ca: the chain is checked, the host name is not (libpq's meaning).
  if (a.tls === "verify-ca") ssl.checkServerIdentity = () => undefined;
  if (a.tlsFiles?.ca !== undefined) ssl.ca = a.tlsFiles.ca;
  if (a.tlsFiles?.cert !== undefined) ssl.cert = a.tlsFiles.cert;
  if (a.tlsFiles?.key !== undefined) ssl.key = a.tlsFiles.key;
  if (a.tlsServerName !== undefined) ssl.servername = a.tlsServerName;
  return ssl;
}

export class PgConnection implements ServerConnection {
  constructor(readonly client: pg.Client) {
    // Errors surface through the next query; an idle connection's failure ends it ("end").
    client.on("error", () => undefined);
  }

  async connect(): Promise<void> {
    await this.client.connect();
  }

  async query(sql: string, params: readonly AttrValue[] = []): Promise<CatalogRows> {
    const r = await this.client.query<AttrValue[]>({
      text: sql,
      values: [...params],
      rowMode: "array",
    });
    return { columns: (r.fields ?? []).map((f) => f.name), rows: r.rows ?? [] };
  }

  catalogBatch?: CatalogBatch;

  /**
   * Offer catalog batches when the server times each statement of a Query message on its own
   * (PostgreSQL 13 and later): before, statement_timeout bounded the whole message, and a batch
   * would run under one limit where its statements each had their own. `version` is the server's
   * `server_version`.
   */
  batchesOn(version: string): void {
    if (Number.parseInt(version, 10) >= 13) this.catalogBatch = (s) => this.batch(s);
  }

  /** The statements as one simple-protocol Query (no parameters), rows as arrays. */
  private async batch(statements: readonly string[]): Promise<CatalogBatchResult> {
    const answer = (await this.client.query({
      text: batchText(statements),
      rowMode: "array",
    })) as unknown as pg.QueryResult<AttrValue[]> | Array<pg.QueryResult<AttrValue[]>>;
    const answers = Array.isArray(answer) ? answer : [answer];
    const results = answers.map((r) => ({
      columns: (r.fields ?? []).map((f) => f.name),
      rows: r.rows ?? [],
    }));
    return {
      results: batchResults(statements, results),
      // After the answer's ReadyForQuery: "I" idle, "T" in a transaction block, "E" failed one.
      inTransaction: this.client.getTransactionStatus() !== "I",
    };
  }

  onClose(listener: () => void): void {
    this.client.on("end", listener);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  destroy(): void {
    void this.close();
  }
}

export const postgresFamily: ServerFamily<PgConnection> = {
  connection(address, options) {
    const config: pg.ClientConfig = {
      host: address.host,
      port: address.port,
      user: address.user,
      database: address.database,
      connectionTimeoutMillis: options.connectTimeoutMs,
      application_name: APPLICATION[options.role],
      keepAlive: true,
    };
    if (address.password !== undefined) config.password = address.password;
    const ssl = postgresTls(address);
    if (ssl !== undefined) config.ssl = ssl;
    if (options.role === "work") {
      config.statement_timeout = options.statementTimeoutMs;
      // A replay that vanishes mid-file must not keep its locks.
      config.idle_in_transaction_session_timeout = Math.max(options.statementTimeoutMs, 10_000);
    }
    return new PgConnection(new pg.Client(config));
  },

  isConfigError: (err) =>
    AUTH_OR_MISSING.has((err as PgError)?.code ?? "") ||
    // The database's or the account's own connection limit (not the server's max_connections):
    // a replay cannot end it by waiting, and a notice would let every later change pass unreplayed.
    ((err as PgError)?.code === "53300" &&
      /too many connections for (database|role)/.test((err as Error).message)),

  isConnectionError: (err) => !(err instanceof pg.DatabaseError),

  // admin_shutdown, crash_shutdown, cannot_connect_now: a server-side end of the session.
  isEndedByServer: (err) => /^57P0[123]$/.test((err as PgError)?.code ?? ""),

  isStatementTimeout: (err) =>
    (err as PgError)?.code === "57014" && /statement timeout/.test((err as Error).message),

  async startWork(work) {
    const [row] = (
      await work.query("SELECT current_setting('server_version'), pg_backend_pid()::int")
    ).rows;
    work.batchesOn(String(row![0]));
    return { id: Number(row![1]), server: postgresServerName(String(row![0])) };
  },

  startInspect: startPostgresInspect,

  async killSession(guard, id) {
    await guard.query("SELECT pg_catalog.pg_terminate_backend($1)", [id]);
  },

  sandboxOps: (session) => new PostgresSandbox(session),

  async afterFirstConnect(work) {
    // Without the lock (it needs the second connection), so only what no replay can work under
    // anyway: a limit of 0 already refused this connection (isConfigError).
    // READ WRITE: the session may have started with default_transaction_read_only on, too.
    await work.query("BEGIN READ WRITE");
    await work.query(`DO $$ BEGIN
      IF (SELECT datconnlimit FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()) = 1 THEN
        EXECUTE 'ALTER DATABASE ' || pg_catalog.quote_ident(pg_catalog.current_database()) || ' CONNECTION LIMIT -1';
      END IF;
    END $$`);
    await work.query("COMMIT");
  },

  async inheritedSettings(conn) {
    // Only what the account itself can set ("user" context): settings an operator (superuser)
    // gave the role or database stay, and the wipe cannot remove them anyway.
    const r = await conn.query(
      `SELECT name || '=' || setting FROM pg_catalog.pg_settings
        WHERE source IN ('database', 'user', 'database user') AND context = 'user' ORDER BY 1`,
    );
    return r.rows.map((row) => String(row[0]));
  },
};

/** "15.18 (Debian 15.18-0+deb12u1)" → "PostgreSQL 15.18". */
function postgresServerName(version: string): string {
  return `PostgreSQL ${version.split(" ")[0]}`;
}

/**
 * `default_transaction_read_only` for the session, then one REPEATABLE READ READ ONLY
 * transaction. The limits are set with set_config after connecting (PgBouncer accepts that, not
 * startup parameters), and again inside the transaction: a pooler may hand it another session.
 */
async function startPostgresInspect(
  conn: PgConnection,
  bounds: InspectBounds,
): Promise<InspectSession> {
  const limits = [
    String(bounds.statementTimeoutMs),
    String(bounds.lockTimeoutMs),
    String(Math.max(bounds.statementTimeoutMs, 10_000)),
  ];
  const setLimits = (local: boolean) =>
    conn.query(
      `SELECT pg_catalog.set_config('statement_timeout', $1, ${local}),
              pg_catalog.set_config('lock_timeout', $2, ${local}),
              pg_catalog.set_config('idle_in_transaction_session_timeout', $3, ${local})`,
      limits,
    );
  await conn.query("SET default_transaction_read_only = on");
  await setLimits(false);
  if (bounds.searchPath !== undefined)
    await conn.query("SELECT pg_catalog.set_config('search_path', $1, false)", [bounds.searchPath]);
  await conn.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  await setLimits(true);
  const [row] = (
    await conn.query(
      `SELECT pg_catalog.current_setting('transaction_read_only'),
              pg_catalog.current_setting('server_version'), pg_catalog.current_schema()`,
    )
  ).rows;
  // Built-ins only from here on: a schema in the search path could define a function or an
  // operator under a built-in's name and answer the inspection's queries in the catalog's place.
  await conn.query("SELECT pg_catalog.set_config('search_path', 'pg_catalog', true)");
  conn.batchesOn(String(row?.[1]));
  return {
    server: postgresServerName(String(row?.[1])),
    readOnly: row?.[0] === "on",
    currentSchema: row?.[2] === null || row?.[2] === undefined ? null : String(row[2]),
  };
}

/**
 * What DROP OWNED leaves: the database's and the account's own state in the cluster's shared
 * catalogs, which the database's owner may change without any special privilege and which every
 * later session starts with. A migration could otherwise set check_function_bodies = off (a
 * later pull request's broken function passes), search_path or default_transaction_read_only for
 * every later replay, a connection limit that makes them all "unavailable", or open the database
 * to every role on the server. Reset to what a database made for the replay has: no settings
 * (ALTER DATABASE/ROLE … SET), no connection limit, not a template, and no database privileges
 * but the owner's and PUBLIC's default CONNECT and TEMPORARY.
 */
export const POSTGRES_RESET_DATABASE = `DO $$
DECLARE
  db text := pg_catalog.quote_ident(pg_catalog.current_database());
  g record;
BEGIN
  EXECUTE 'ALTER DATABASE ' || db || ' RESET ALL';
  EXECUTE 'ALTER ROLE CURRENT_USER IN DATABASE ' || db || ' RESET ALL';
  EXECUTE 'ALTER ROLE CURRENT_USER RESET ALL';
  -- Only when changed: an ALTER that is not needed must not be what fails the wipe.
  IF (SELECT d.datconnlimit <> -1 FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()) THEN
    EXECUTE 'ALTER DATABASE ' || db || ' CONNECTION LIMIT -1';
  END IF;
  IF (SELECT d.datistemplate FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()) THEN
    EXECUTE 'ALTER DATABASE ' || db || ' IS_TEMPLATE false';
  END IF;
  FOR g IN
    SELECT a.grantee, a.privilege_type
      FROM pg_catalog.pg_database d, pg_catalog.aclexplode(d.datacl) a
     WHERE d.datname = pg_catalog.current_database() AND a.grantee <> d.datdba
       AND NOT (a.grantee = 0 AND a.privilege_type IN ('CONNECT', 'TEMPORARY'))
  LOOP
    EXECUTE 'REVOKE ' || g.privilege_type || ' ON DATABASE ' || db || ' FROM '
      || CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE g.grantee::pg_catalog.regrole::text END
      || ' CASCADE';
  END LOOP;
END $$`;

/** The statements that empty the database and leave a fresh marker, in one transaction. */
export function postgresWipeStatements(state: MarkerState): string[] {
  return [
    // A statement the watchdog or the server cancelled may have left a transaction open.
    "ROLLBACK",
    // READ WRITE: a replay that could not wipe may have left default_transaction_read_only on.
    "BEGIN READ WRITE",
    // Everything the replay account owns in this database: schemas (with their contents), tables,
    // types, functions, extensions…, the marker included. Objects of other roles stay, and the
    // inventory after the wipe refuses the database if there are any.
    "DROP OWNED BY CURRENT_USER",
    // A migration may have dropped the public schema; a fresh database has it. Or renamed it:
    // from PostgreSQL 15 it belongs to pg_database_owner, not to the account, so DROP OWNED
    // leaves it under its new name, and the inventory would refuse every later replay. Renamed
    // back when it is the only such schema (else the inventory refuses, naming them).
    `DO $$ DECLARE kept name[]; BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'public') THEN
        kept := ARRAY(SELECT n.nspname FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_roles r ON r.oid = n.nspowner
                       WHERE r.rolname = 'pg_database_owner');
        IF pg_catalog.cardinality(kept) = 1 THEN
          EXECUTE 'ALTER SCHEMA ' || pg_catalog.quote_ident(kept[1]) || ' RENAME TO public';
        ELSE
          CREATE SCHEMA public;
        END IF;
      END IF;
    END $$`,
    POSTGRES_RESET_DATABASE,
    `DROP TABLE IF EXISTS ${POSTGRES_MARKER}`,
    `CREATE TABLE ${POSTGRES_MARKER} (state text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
    `INSERT INTO ${POSTGRES_MARKER} (state) VALUES ('${state}')`,
    "COMMIT",
  ];
}

export interface PostgresAccountFacts {
  superuser: boolean;
  createRole: boolean;
  createDb: boolean;
  replication: boolean;
  bypassRls: boolean;
  ownsDatabase: boolean;
  /** Memberships in pg_read_server_files, pg_write_server_files, pg_execute_server_program. */
  serverRoles: string[];
}

/** Why a Postgres account must not run pull requests' SQL. */
export function postgresAccountProblems(f: PostgresAccountFacts): string[] {
  const out: string[] = [];
  if (f.superuser)
    out.push(
      "the account is a superuser (it could run programs and read files on the server, and reach every database)",
    );
  if (f.createRole) out.push("the account has CREATEROLE (it could grant itself more)");
  if (f.createDb) out.push("the account has CREATEDB (databases it creates would not be wiped)");
  if (f.replication) out.push("the account has REPLICATION");
  if (f.bypassRls) out.push("the account has BYPASSRLS");
  if (f.serverRoles.length > 0)
    out.push(`the account is a member of ${f.serverRoles.join(", ")} (server files and programs)`);
  if (!f.ownsDatabase)
    out.push(
      "the account does not own the database (make it the owner: DROP OWNED BY CURRENT_USER, which empties the database, would also revoke privileges granted to it)",
    );
  return out;
}

class PostgresSandbox implements SandboxOps {
  constructor(private readonly session: ServerSession<PgConnection>) {}

  async lock(waitMs: number): Promise<boolean> {
    const guard = this.session.guard;
    try {
      // Qualified, and the guard's own settings first: a replay that could not wipe may have
      // left session defaults (search_path with its schema before pg_catalog, statement_timeout)
      // that this connection started with; a function of that schema named pg_advisory_lock
      // would otherwise answer in the lock's place.
      await guard.query(
        `SELECT pg_catalog.set_config('search_path', 'pg_catalog', false),
                pg_catalog.set_config('statement_timeout', '0', false),
                pg_catalog.set_config('default_transaction_read_only', 'off', false),
                pg_catalog.set_config('lock_timeout', $1, false)`,
        [String(Math.max(1, Math.round(waitMs)))],
      );
      await guard.query(`SELECT pg_catalog.pg_advisory_lock(${LOCK_KEY})`);
      await guard.query("SELECT pg_catalog.set_config('lock_timeout', '0', false)");
      return true;
    } catch (err) {
      if ((err as PgError).code === "55P03") return false;
      throw err;
    }
  }

  async accountProblems(): Promise<string[]> {
    const [f] = (
      await this.session.query(
        `SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls,
                d.datdba = r.oid,
                ARRAY(SELECT b.rolname::text FROM pg_roles b
                       WHERE b.rolname IN ('pg_read_server_files', 'pg_write_server_files', 'pg_execute_server_program')
                         AND pg_has_role(r.oid, b.oid, 'MEMBER') ORDER BY 1)
           FROM pg_roles r, pg_database d
          WHERE r.rolname = current_user AND d.datname = current_database()`,
      )
    ).rows as unknown as Array<[boolean, boolean, boolean, boolean, boolean, boolean, string[]]>;
    return postgresAccountProblems({
      superuser: f![0],
      createRole: f![1],
      createDb: f![2],
      replication: f![3],
      bypassRls: f![4],
      ownsDatabase: f![5],
      serverRoles: f![6],
    });
  }

  async inventory(): Promise<Inventory> {
    const q = (sql: string) => this.session.query(sql);
    // A fresh database has the public schema, and extensions the operator installed (plpgsql, or
    // ones migrations may use): not objects a replay made, and not dropped by the wipe.
    const theirs = await q(
      "SELECT extname FROM pg_extension WHERE extowner <> (SELECT oid FROM pg_roles WHERE rolname = current_user)",
    );
    const infrastructure = new Set([
      "schema public",
      ...theirs.rows.map(([name]) => `extension ${String(name)}`),
    ]);
    const schema = omitTables(await postgresFingerprint(this.session.catalogQuery()), [
      POSTGRES_MARKER,
    ]);
    const objects = Object.values(schema)
      .filter((o) => !infrastructure.has(`${o.kind} ${o.name}`))
      // Privileges are not objects: they go with their object, and those on the public schema
      // are the database's from the start (PUBLIC's USAGE, on PostgreSQL 15 and later).
      .filter((o) => o.kind !== "privilege")
      // Columns, indexes… are listed through their table.
      .filter((o) => o.table === undefined)
      .map((o) => `${o.kind} ${o.name}`);
    const [present] = (await q(`SELECT to_regclass('${POSTGRES_MARKER}') IS NOT NULL`)).rows;
    let marker: string | null = null;
    if (present?.[0] === true) {
      const state = await q(`SELECT state FROM ${POSTGRES_MARKER} LIMIT 1`).catch(() => null);
      marker = state?.rows[0] ? String(state.rows[0][0]) : "";
    }
    return { marker, objects };
  }

  async wipe(state: MarkerState): Promise<void> {
    const work = this.session.work;
    try {
      for (const sql of postgresWipeStatements(state)) await work.query(sql);
    } catch (err) {
      await work.query("ROLLBACK").catch(() => undefined);
      throw new SandboxRefused(
        `could not empty ${this.session.target.label}: ${(err as Error).message}. Make the replay account the owner of the database and of everything in it`,
      );
    }
  }
}
