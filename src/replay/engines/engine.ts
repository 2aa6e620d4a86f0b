/** The interface every sandbox database implements (inside the worker). */
import type { Schema } from "../schema.js";
import type { DbError, FileRun, MigrationText, Phase } from "../types.js";

export interface RunOptions {
  phase: Phase;
  /** Record per-statement locks (only for the change's first up run). */
  observeLocks: boolean;
  /** golang-migrate x-multi-statement. */
  multiStatement: boolean;
}

/** Called before each statement so the host's watchdog can time it. */
export type ProgressFn = (phase: Phase, path: string | undefined, line: number | undefined) => void;

export interface Engine {
  /** "PGlite 0.5.16 (PostgreSQL 18.6)". */
  readonly description: string;
  /** Run one migration file the way golang-migrate's driver would. */
  runFile(file: MigrationText, opts: RunOptions): Promise<FileRun>;
  /** The schema fingerprint. */
  schema(): Promise<Schema>;
  /** Remember the relations that exist now: locks are reported only on these. */
  markExistingRelations(): Promise<void>;
  /** Roles created because migrations refer to them (Postgres). */
  rolesCreated(): string[];
  /** The whole database, to restore later with the same engine. */
  snapshot(): Promise<Uint8Array>;
  /**
   * The fresh database to start later replays from (asked for with EngineOptions.wantTemplate),
   * when the engine has a better one than snapshot() right after its start (PGlite: initdb's
   * cleanly shut down data directory instead of a running one's).
   */
  template?(): Promise<Uint8Array>;
  close(): Promise<void>;
  /**
   * Why an error is the environment's, not the migration's (default: limitationOf). An external
   * server adds its own reasons (a role that exists only in production).
   */
  limitation?(err: DbError): string | null;
  /** Remarks on how this engine ran the replay, for the report. */
  notes?(): string[];
  /** Postgres: set the session's search_path before anything runs. */
  setSearchPath?(searchPath: string): Promise<void>;
}

/**
 * Not a database error but the end of the replay: the connection to the server is gone or was
 * cut by the watchdog. Engines let it propagate instead of reporting a failed statement.
 */
export class EngineAborted extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EngineAborted";
  }
}

/** The server cancelled a statement at replay.statementTimeoutMs (reported like the watchdog). */
export class StatementTimedOut extends EngineAborted {
  constructor(message: string) {
    super(message);
    this.name = "StatementTimedOut";
  }
}

export interface EngineOptions {
  /** Restore this snapshot instead of starting empty. */
  snapshot?: Uint8Array;
  /** Extensions to make available (Postgres). */
  extensions: string[];
  progress: ProgressFn;
  /** SQLite: application-registered functions to stand in for (replay.functions). */
  functions?: string[];
  /** A fresh database is wanted as the template (Engine.template); no snapshot is given. */
  wantTemplate?: boolean;
}

/** A FileRun that has not run anything yet. */
export function newRun(file: MigrationText): FileRun {
  return { path: file.path, version: file.version, ok: true, ms: 0, statements: [], notes: [] };
}

/** A database error the sandbox cannot do anything about (not the migration's fault). */
export function limitationOf(err: DbError): string | null {
  // The migration chose the words (RAISE EXCEPTION 'extension "postgis" is not available'):
  // its own failure, which must not become a warning that lets the check pass.
  if (err.raisedByMigration) return null;
  const m = /extension "([^"]+)" is not available/.exec(err.message);
  if (m) return `extension "${m[1]}" is not available in the sandbox database`;
  if (/could not execute command/.test(err.message))
    return "the sandbox runs no external programs (COPY … PROGRAM)";
  if (err.code === "58P01" || err.code === "58P02" || err.code === "58030")
    return `the sandbox has no server filesystem (${err.message})`;
  if (/could not (load|access) (library|file)/.test(err.message))
    return `the sandbox cannot load server libraries (${err.message})`;
  // Postgres's insufficient_privilege: the migration needs a superuser (an event trigger, ALTER
  // SYSTEM, COPY from a server file, a C function, a role change…) or an object the database's
  // owner does not own. The sandbox replays as that owner, as a managed server's master account
  // runs migrations: whether production grants more is unknown, so the replay stops unverified.
  if (err.code === "42501")
    return `the sandbox replays as the database's owner, not as a superuser (${err.message})`;
  return null;
}
