/**
 * Replay on a PostgreSQL server the user provides (node-postgres). Files run exactly as on PGlite
 * (postgres-common.ts): one simple Query per file, observed statement by statement inside the same
 * single transaction, so pg_locks is read the same way. The database is wiped with
 * DROP OWNED BY CURRENT_USER (see external/sandbox.ts for the rules around it).
 *
 * Two connections: "work" runs the migrations; "guard" holds the advisory lock that serialises
 * replays on this database and, when the watchdog fires, terminates the work session. SQL from a
 * pull request never runs on the guard, so it cannot release the lock with
 * pg_advisory_unlock_all().
 */
import pg from "pg";
import { limitationOf, EngineAborted, StatementTimedOut, type EngineOptions } from "./engine.js";
import { missingRole, PostgresEngine } from "./postgres-common.js";
import type { AttrValue, Schema } from "../schema.js";
import type { DbError } from "../types.js";
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

/** Advisory lock key for "one replay at a time" (advisory locks are per database). */
const LOCK_KEY = "7245910418727141"; // "mw" replay, any constant will do

const MARKER = `public.${MARKER_TABLE}`;

/** The statements that empty the database and leave a fresh marker, in one transaction. */
export function postgresWipeStatements(state: MarkerState): string[] {
  return [
    // A statement the watchdog or the server cancelled may have left a transaction open.
    "ROLLBACK",
    "BEGIN",
    // Everything the replay account owns in this database: schemas (with their contents), tables,
    // types, functions, extensions…, the marker included. Objects of other roles stay, and the
    // inventory after the wipe refuses the database if there are any.
    "DROP OWNED BY CURRENT_USER",
    // A migration may have dropped the public schema; a fresh database has it.
    `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public') THEN CREATE SCHEMA public; END IF; END $$`,
    `DROP TABLE IF EXISTS ${MARKER}`,
    `CREATE TABLE ${MARKER} (state text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
    `INSERT INTO ${MARKER} (state) VALUES ('${state}')`,
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

interface PgError extends Error {
  code?: string;
}

function isDatabaseError(err: unknown): boolean {
  return err instanceof pg.DatabaseError;
}

const AUTH_OR_MISSING = new Set(["28P01", "28000", "3D000", "42501"]);

export class PostgresServerEngine extends PostgresEngine implements SandboxOps {
  private lost: string | null = null;
  private workPid = 0;
  private claimed = false;

  private constructor(
    private readonly work: pg.Client,
    private readonly guard: pg.Client,
    private readonly target: ServerTarget,
    description: string,
    progress: EngineOptions["progress"],
  ) {
    super(description, progress);
  }

  /** Connect, take the lock, check and wipe the database (throws SandboxRefused/ServerUnavailable). */
  static async open(
    target: ServerTarget,
    limits: ServerLimits,
    progress: EngineOptions["progress"],
  ): Promise<PostgresServerEngine> {
    const u = target.url;
    const config: pg.ClientConfig = {
      host: u.host,
      port: u.port,
      user: u.user,
      database: u.database,
      connectionTimeoutMillis: limits.connectTimeoutMs,
      application_name: "migration-warden replay",
      keepAlive: true,
    };
    if (u.password !== undefined) config.password = u.password;
    if (u.tls !== "disable") config.ssl = { rejectUnauthorized: u.tls === "verify-full" };
    const work = new pg.Client({
      ...config,
      statement_timeout: limits.statementTimeoutMs,
      // A replay that vanishes mid-file must not keep its locks.
      idle_in_transaction_session_timeout: Math.max(limits.statementTimeoutMs, 10_000),
    });
    const guard = new pg.Client(config);
    const clients = [work, guard];
    for (const c of clients) c.on("error", () => undefined); // reported through the next query
    return openSandbox(target, {
      connect: async () => {
        await Promise.all(clients.map((c) => c.connect()));
      },
      isConfigError: (err) => AUTH_OR_MISSING.has((err as PgError).code ?? ""),
      close: async () => {
        await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      },
      prepare: async () => {
        const v = await work.query<{ v: string; pid: number }>(
          "SELECT current_setting('server_version') AS v, pg_backend_pid() AS pid",
        );
        const row = v.rows[0]!;
        const engine = new PostgresServerEngine(
          work,
          guard,
          target,
          // "15.18 (Debian 15.18-0+deb12u1)" → "15.18"
          `PostgreSQL ${row.v.split(" ")[0]} (${target.label})`,
          progress,
        );
        engine.workPid = row.pid;
        guard.on("end", () => engine.loseConnection("the lock's connection closed"));
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
    // Without the lock another replay may start: stop this one at once.
    void this.work.end().catch(() => undefined);
  }

  /** Stop the replay now (watchdog): end the work session on the server, then both connections. */
  async kill(reason: string): Promise<void> {
    if (!this.lost) {
      this.lost = reason;
      await this.guard
        .query("SELECT pg_terminate_backend($1)", [this.workPid])
        .catch(() => undefined);
    }
    await Promise.all([this.work, this.guard].map((c) => c.end().catch(() => undefined)));
  }

  private translate(err: unknown): unknown {
    if (this.lost) return new EngineAborted(`the replay was stopped: ${this.lost}`);
    if (!isDatabaseError(err))
      return new EngineAborted(
        `lost the connection to ${this.target.label}: ${(err as Error).message}`,
      );
    const e = err as PgError;
    if (e.code === "57014" && /statement timeout/.test(e.message))
      return new StatementTimedOut(e.message);
    return err;
  }

  protected async exec(sql: string): Promise<void> {
    if (this.lost) throw new EngineAborted(`the replay was stopped: ${this.lost}`);
    try {
      await this.work.query(sql);
    } catch (err) {
      throw this.translate(err);
    }
  }

  protected async rows(sql: string): Promise<AttrValue[][]> {
    if (this.lost) throw new EngineAborted(`the replay was stopped: ${this.lost}`);
    try {
      return (await this.work.query<AttrValue[]>({ text: sql, rowMode: "array" })).rows;
    } catch (err) {
      throw this.translate(err);
    }
  }

  protected async rollbackAfterError(): Promise<void> {
    // Outside a transaction ROLLBACK only warns.
    await this.exec("ROLLBACK");
  }

  limitation(err: DbError): string | null {
    const role = missingRole(err);
    if (role)
      return `role "${role}" does not exist on ${this.target.label} (roles are created by ops, outside migrations: create it there, e.g. CREATE ROLE "${role}" NOLOGIN)`;
    return limitationOf(err);
  }

  rolesCreated(): string[] {
    return [];
  }

  async snapshot(): Promise<Uint8Array> {
    throw new Error("a database server's state is not snapshotted");
  }

  override async schema(): Promise<Schema> {
    const all = await super.schema();
    // The marker is the sandbox's, not the migrations'.
    return Object.fromEntries(
      Object.entries(all).filter(([, o]) => o.name !== MARKER && o.table !== MARKER),
    );
  }

  async close(): Promise<void> {
    try {
      if (this.claimed && !this.lost) await releaseSandbox(this);
    } finally {
      await Promise.all([this.work, this.guard].map((c) => c.end().catch(() => undefined)));
    }
  }

  // SandboxOps

  async lock(waitMs: number): Promise<boolean> {
    try {
      await this.guard.query(`SET lock_timeout = ${Math.max(1, Math.round(waitMs))}`);
      await this.guard.query(`SELECT pg_advisory_lock(${LOCK_KEY})`);
      await this.guard.query("SET lock_timeout = 0");
      return true;
    } catch (err) {
      if ((err as PgError).code === "55P03") return false;
      throw err;
    }
  }

  async accountProblems(): Promise<string[]> {
    const r = await this.work.query<{
      superuser: boolean;
      create_role: boolean;
      create_db: boolean;
      replication: boolean;
      bypass_rls: boolean;
      owns: boolean;
      server_roles: string[];
    }>(
      `SELECT r.rolsuper AS superuser, r.rolcreaterole AS create_role, r.rolcreatedb AS create_db,
              r.rolreplication AS replication, r.rolbypassrls AS bypass_rls, d.datdba = r.oid AS owns,
              ARRAY(SELECT b.rolname::text FROM pg_roles b
                     WHERE b.rolname IN ('pg_read_server_files', 'pg_write_server_files', 'pg_execute_server_program')
                       AND pg_has_role(r.oid, b.oid, 'MEMBER') ORDER BY 1) AS server_roles
         FROM pg_roles r, pg_database d
        WHERE r.rolname = current_user AND d.datname = current_database()`,
    );
    const f = r.rows[0]!;
    return postgresAccountProblems({
      superuser: f.superuser,
      createRole: f.create_role,
      createDb: f.create_db,
      replication: f.replication,
      bypassRls: f.bypass_rls,
      ownsDatabase: f.owns,
      serverRoles: f.server_roles,
    });
  }

  async inventory(): Promise<Inventory> {
    // A fresh database has the public schema, and extensions the operator installed (plpgsql, or
    // ones migrations may use): not objects a replay made, and not dropped by the wipe.
    const theirs = await this.work.query<{ name: string }>(
      "SELECT extname AS name FROM pg_extension WHERE extowner <> (SELECT oid FROM pg_roles WHERE rolname = current_user)",
    );
    const infrastructure = new Set([
      "schema public",
      ...theirs.rows.map((r) => `extension ${r.name}`),
    ]);
    const objects = Object.values(await this.schema())
      .filter((o) => !infrastructure.has(`${o.kind} ${o.name}`))
      // Columns, indexes… are listed through their table.
      .filter((o) => o.table === undefined)
      .map((o) => `${o.kind} ${o.name}`);
    const m = await this.work.query<{ present: boolean }>(
      `SELECT to_regclass('${MARKER}') IS NOT NULL AS present`,
    );
    let marker: string | null = null;
    if (m.rows[0]?.present) {
      const state = await this.work
        .query<{ state: string }>(`SELECT state FROM ${MARKER} LIMIT 1`)
        .catch(() => ({ rows: [] as Array<{ state: string }> }));
      marker = state.rows[0]?.state ?? "";
    }
    return { marker, objects };
  }

  async wipe(state: MarkerState): Promise<void> {
    try {
      for (const sql of postgresWipeStatements(state)) await this.work.query(sql);
    } catch (err) {
      await this.work.query("ROLLBACK").catch(() => undefined);
      throw new SandboxRefused(
        `could not empty ${this.target.label}: ${(err as Error).message}. Make the replay account the owner of the database and of everything in it`,
      );
    }
  }
}
