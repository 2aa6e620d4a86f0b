/**
 * Replay on a PostgreSQL server the user provides. Files run exactly as on PGlite
 * (postgres-common.ts): one simple Query per file, observed statement by statement inside the same
 * single transaction, so pg_locks is read the same way. Connecting, the lock, the account check
 * and the wipe are the server session's (external/session.ts with external/postgres.ts).
 */
import { limitationOf, type EngineOptions } from "./engine.js";
import { missingRole, PostgresEngine } from "./postgres-common.js";
import type { CatalogQuery, CatalogRows } from "../fingerprint/catalog.js";
import { omitTables, type AttrValue, type Schema } from "../schema.js";
import type { DbError } from "../types.js";
import { POSTGRES_MARKER, postgresFamily, type PgConnection } from "../external/postgres.js";
import type { ServerLimits, ServerTarget } from "../external/sandbox.js";
import { ServerSession } from "../external/session.js";

export class PostgresServerEngine extends PostgresEngine {
  private constructor(
    private readonly session: ServerSession<PgConnection>,
    progress: EngineOptions["progress"],
  ) {
    super(session.description, progress);
  }

  /** Connect, take the lock, check and wipe the database (throws SandboxRefused/ServerUnavailable). */
  static async open(
    target: ServerTarget,
    limits: ServerLimits,
    progress: EngineOptions["progress"],
  ): Promise<PostgresServerEngine> {
    return new PostgresServerEngine(
      await ServerSession.open(postgresFamily, target, limits),
      progress,
    );
  }

  /** Stop the replay now (watchdog). */
  kill(reason: string): Promise<void> {
    return this.session.kill(reason);
  }

  protected async exec(sql: string): Promise<void> {
    await this.session.use((work) => work.client.query(sql));
  }

  protected catalog(sql: string, params?: readonly AttrValue[]): Promise<CatalogRows> {
    return this.session.query(sql, params);
  }

  override catalogQuery(): CatalogQuery {
    return this.session.catalogQuery();
  }

  protected async rollbackAfterError(): Promise<void> {
    // Outside a transaction ROLLBACK only warns.
    await this.exec("ROLLBACK");
  }

  limitation(err: DbError): string | null {
    const role = missingRole(err);
    if (role)
      return `role "${role}" does not exist on ${this.session.target.label} (roles are created by ops, outside migrations: create it there, e.g. CREATE ROLE "${role}" NOLOGIN)`;
    return limitationOf(err);
  }

  rolesCreated(): string[] {
    return [];
  }

  async snapshot(): Promise<Uint8Array> {
    throw new Error("a database server's state is not snapshotted");
  }

  override async schema(): Promise<Schema> {
    // The marker is the sandbox's, not the migrations'.
    return omitTables(await super.schema(), [POSTGRES_MARKER]);
  }

  close(): Promise<void> {
    return this.session.close();
  }
}
