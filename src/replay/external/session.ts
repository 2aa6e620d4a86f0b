/**
 * The one server-session abstraction, for the replay's servers and drift's live databases alike:
 * a ServerFamily is a driver (external/postgres.ts with node-postgres, external/mysql.ts with
 * mysql2) behind one interface — a connection with a connect deadline, a work session with the
 * server's own statement limit (startWork) or a read-only inspection session (startInspect),
 * killing a session, the throwaway database's primitives (sandboxOps: lock, account check,
 * inventory, wipe), and closing. Nothing above this file knows which driver it talks to, except
 * the engines' way of sending a file (golang-migrate's drivers differ there).
 *
 * ServerSession is one replay's session on a server the user provides, whatever the server.
 *
 * Two connections: "work" runs the migrations; "guard" holds the per-database lock that
 * serialises replays and, when the watchdog fires, ends the work session on the server. SQL from
 * a pull request never runs on the guard, so it cannot release the lock. When either connection
 * goes away the session is lost: the replay stops at once (EngineAborted), since without the lock
 * another replay may already be starting.
 */
import { EngineAborted, StatementTimedOut } from "../engines/engine.js";
import {
  catalogQuery,
  type CatalogBatch,
  type CatalogQuery,
  type CatalogRows,
} from "../fingerprint/catalog.js";
import type { AttrValue } from "../schema.js";
import {
  claimSandbox,
  openSandbox,
  releaseSandbox,
  SandboxRefused,
  type SandboxOps,
  type ServerLimits,
  type ServerTarget,
} from "./sandbox.js";
import type { ServerAddress } from "./url.js";

/** One connection, as the session needs it from a driver. */
export interface ServerConnection {
  connect(): Promise<void>;
  /** Rows as arrays, with the column names. */
  query(sql: string, params?: readonly AttrValue[]): Promise<CatalogRows>;
  /**
   * Catalog statements in one round trip, once the driver knows the server runs them as the
   * fingerprint needs (CatalogQuery.batch); absent otherwise.
   */
  catalogBatch?: CatalogBatch;
  /** Called once when the connection ends or fails for good. */
  onClose(listener: () => void): void;
  /** End politely (falls back to destroy); never throws. */
  close(): Promise<void>;
  /** Drop the socket now. */
  destroy(): void;
}

/**
 * What a connection is for. "work" runs migrations (with the replay's statement bounds), "guard"
 * holds the lock, "inspect" reads a live database for drift detection: read-only and bounded.
 */
export type ConnectionRole = "work" | "guard" | "inspect";

export interface ConnectOptions {
  role: ConnectionRole;
  connectTimeoutMs: number;
  /** The server's own statement limit for this session. */
  statementTimeoutMs: number;
  /** How reports name the server: never part of a message as the address. */
  label?: string;
}

/** The limits of a read-only inspection session (drift). */
export interface InspectBounds {
  /** Each statement. */
  statementTimeoutMs: number;
  /** Waiting for a lock (a migration running now holds its table). */
  lockTimeoutMs: number;
  /** Postgres: the URL's search_path, set before the transaction starts. */
  searchPath?: string;
}

/** A read-only inspection session, once started. */
export interface InspectSession {
  /** "PostgreSQL 15.4", "MariaDB 10.11.6". */
  server: string;
  /**
   * What the server says of the open transaction's access mode, where it can say (Postgres):
   * the caller stops unless it is true. Undefined where the server cannot report it (MySQL).
   */
  readOnly?: boolean;
  /** Postgres: the current schema (the search path's first), where golang-migrate's table is. */
  currentSchema?: string | null;
}

/** A database server family's driver code (connection options, error kinds, session control). */
export interface ServerFamily<C extends ServerConnection = ServerConnection> {
  /** A connection (not yet connected) with explicit options from the parsed address. */
  connection(address: ServerAddress, options: ConnectOptions): C;
  /** A connection error that is the URL's fault (password, database name), not the server's. */
  isConfigError(err: unknown): boolean;
  /** An error after which the connection is unusable (as opposed to a failed statement). */
  isConnectionError(err: unknown): boolean;
  /** The server cancelled a statement at the session's statement limit. */
  isStatementTimeout(err: unknown): boolean;
  /**
   * Set the work session's bounds once connected; returns its server-side id (for killSession)
   * and the server's name and version ("PostgreSQL 15.18", "MariaDB 10.11.6").
   */
  startWork(work: C, limits: ServerLimits): Promise<{ id: number; server: string }>;
  /**
   * Make a connected "inspect" connection read-only and bounded (drift reads production with it):
   * the session's transactions read-only, then one read-only transaction on a consistent snapshot,
   * with statement and lock limits. Statements run inside that transaction until the caller rolls
   * it back.
   */
  startInspect(conn: C, bounds: InspectBounds): Promise<InspectSession>;
  /** End the work session `id` from the guard connection. */
  killSession(guard: C, id: number): Promise<void>;
  /** The sandbox protocol's primitives (lock, account check, inventory, wipe) for a session. */
  sandboxOps(session: ServerSession<C>): SandboxOps;
  /** The server ended the session (Postgres 57P01: pg_terminate_backend, a shutdown). */
  isEndedByServer(err: unknown): boolean;
  /**
   * Run on the work connection once it is connected, before the guard connects (Postgres: a
   * connection limit under 2, left by a replay that could not wipe, would refuse the guard).
   */
  afterFirstConnect?(work: C): Promise<void>;
  /**
   * Session defaults a connection started with that a replay could have set (Postgres: ALTER
   * DATABASE/ROLE … SET), as "name=value"; [] when none. The wipe removes them from the catalog,
   * but connections opened before it keep them.
   */
  inheritedSettings?(conn: C): Promise<string[]>;
}

/**
 * Every replay on a server runs with the same account, which may end its own other sessions
 * (pg_terminate_backend, KILL): a migration of one replay can end another's. That replay then
 * verified nothing, and a notice ("unavailable") would pass its change: an error, to run again.
 */
export function endedFromOutside(label: string, why: unknown): string {
  const reason = typeof why === "string" ? why : (why as Error)?.message;
  return `the replay's session on ${label} was ended from outside once connected (${reason}), so nothing was verified. Every replay on this server runs with the same account, and a migration of another replay can end its sessions (pg_terminate_backend, KILL); so can a server restart. Run it again`;
}

export class ServerSession<C extends ServerConnection = ServerConnection> {
  private lost: string | null = null;
  private claimed = false;

  private constructor(
    readonly family: ServerFamily<C>,
    readonly target: ServerTarget,
    readonly work: C,
    readonly guard: C,
    /** "PostgreSQL 15.18 (postgres://mw@127.0.0.1:5432/replay)". */
    readonly description: string,
    private readonly workId: number,
  ) {}

  /**
   * Connect both connections, take the lock, check the account and wipe the database
   * (claimSandbox). Throws SandboxRefused (the configuration is wrong) or ServerUnavailable.
   */
  static async open<C extends ServerConnection>(
    family: ServerFamily<C>,
    target: ServerTarget,
    limits: ServerLimits,
  ): Promise<ServerSession<C>> {
    const first = await ServerSession.openOnce(family, target, limits);
    // Connections opened while an earlier replay had set session defaults (or before the claim's
    // wipe removed ones a killed replay left) still carry them: the migrations would run under a
    // previous pull request's settings. The wipe has removed them now, so connect again, once.
    if ((await first.inheritedOrLost()).length === 0) return first;
    await first.close();
    const second = await ServerSession.openOnce(family, target, limits);
    const left = await second.inheritedOrLost();
    if (left.length === 0) return second;
    await second.close();
    throw new SandboxRefused(
      `refusing to replay on ${target.label}: its sessions start with settings of the database or the account that the wipe could not remove (${left.join(", ")}); a replay must not run under settings a pull request may have chosen. Remove them (ALTER DATABASE … RESET ALL, ALTER ROLE … RESET ALL)`,
    );
  }

  /** inherited(), where a session ended meanwhile is ended from outside (an error). */
  private async inheritedOrLost(): Promise<string[]> {
    try {
      return await this.inherited();
    } catch (err) {
      await this.close();
      throw this.family.isConnectionError(err) || this.family.isEndedByServer(err)
        ? new SandboxRefused(endedFromOutside(this.target.label, this.lost ?? err))
        : err;
    }
  }

  private async inherited(): Promise<string[]> {
    const read = this.family.inheritedSettings;
    if (!read) return [];
    const found = await Promise.all([this.work, this.guard].map((c) => read(c)));
    return [...new Set(found.flat())].sort();
  }

  private static async openOnce<C extends ServerConnection>(
    family: ServerFamily<C>,
    target: ServerTarget,
    limits: ServerLimits,
  ): Promise<ServerSession<C>> {
    const options = (role: ConnectionRole): ConnectOptions => ({
      role,
      connectTimeoutMs: limits.connectTimeoutMs,
      statementTimeoutMs: limits.statementTimeoutMs,
      label: target.label,
    });
    const work = family.connection(target.url, options("work"));
    const guard = family.connection(target.url, options("guard"));
    const both = [work, guard];
    return openSandbox(target, {
      connect: async () => {
        let accepted = false;
        try {
          await work.connect();
          accepted = true;
          await family.afterFirstConnect?.(work);
          await guard.connect();
        } catch (err) {
          // Once the server has accepted the work session (or ends it: pg_terminate_backend
          // during its start-up), a failure is another replay's migration or a restart ending
          // our sessions: an error, never "unavailable" (a notice that passes the change).
          if (family.isEndedByServer(err) || (accepted && family.isConnectionError(err)))
            throw new SandboxRefused(endedFromOutside(target.label, err));
          throw err;
        }
      },
      isConfigError: (err) => family.isConfigError(err),
      close: async () => {
        await Promise.all(both.map((c) => c.close()));
      },
      prepare: async () => {
        let session: ServerSession<C> | undefined;
        try {
          const { id, server } = await family.startWork(work, limits);
          const s = new ServerSession(
            family,
            target,
            work,
            guard,
            `${server} (${target.label})`,
            id,
          );
          session = s;
          guard.onClose(() => s.lose("the lock's connection closed"));
          work.onClose(() => s.lose("the connection closed"));
          await claimSandbox(family.sandboxOps(s), target, limits);
          s.claimed = true;
          return s;
        } catch (err) {
          if (session?.lost || family.isConnectionError(err) || family.isEndedByServer(err))
            throw new SandboxRefused(endedFromOutside(target.label, session?.lost ?? err));
          throw err;
        }
      },
    });
  }

  /** Without the lock another replay may start: stop this one at once. */
  private lose(why: string): void {
    if (this.lost) return;
    this.lost = why;
    this.work.destroy();
  }

  /** The replay ends here: the session was lost or killed. */
  aborted(): EngineAborted {
    return new EngineAborted(`the replay was stopped: ${this.lost}`);
  }

  /** Throws when the session is already lost (before sending anything). */
  check(): void {
    if (this.lost) throw this.aborted();
  }

  /**
   * A driver error as the replay sees it: the end of the replay (lost session or connection:
   * EngineAborted; the server's statement timeout: StatementTimedOut), or the database error
   * itself, which the migration caused.
   */
  translate(err: unknown): unknown {
    if (this.lost) return this.aborted();
    if (this.family.isConnectionError(err))
      return new EngineAborted(
        `lost the connection to ${this.target.label}: ${(err as Error).message}`,
      );
    if (this.family.isStatementTimeout(err)) return new StatementTimedOut((err as Error).message);
    return err;
  }

  /** Run `fn` on the work connection, its errors translated. */
  async use<T>(fn: (work: C) => Promise<T>): Promise<T> {
    this.check();
    try {
      return await fn(this.work);
    } catch (err) {
      throw this.translate(err);
    }
  }

  /** One query on the work connection. */
  query(sql: string, params?: readonly AttrValue[]): Promise<CatalogRows> {
    return this.use((w) => w.query(sql, params));
  }

  /** The work connection as the fingerprint reads it: query(), and its batch when it has one. */
  catalogQuery(): CatalogQuery {
    const batch = this.work.catalogBatch;
    return catalogQuery(
      (sql, params) => this.query(sql, params),
      batch && ((statements) => this.use(() => batch(statements))),
    );
  }

  /** Stop the replay now (watchdog): end the work session on the server, then both connections. */
  async kill(reason: string): Promise<void> {
    if (!this.lost) {
      this.lost = reason;
      // A closed socket does not stop the statement on the server.
      await this.family.killSession(this.guard, this.workId).catch(() => undefined);
    }
    this.work.destroy();
    this.guard.destroy();
  }

  /** Wipe the database and mark it clean (unless the session was lost), then disconnect. */
  async close(): Promise<void> {
    try {
      if (this.claimed && !this.lost) await releaseSandbox(this.family.sandboxOps(this));
    } finally {
      await Promise.all([this.work, this.guard].map((c) => c.close()));
    }
  }
}
