/**
 * What the replay host sends to the sandbox worker and what comes back. Plain, structured-clone
 * friendly data only: it crosses a worker_threads boundary.
 */
import type { LockMode } from "./locks.js";
import type { Schema, SchemaChange } from "./schema.js";

/** Embedded engines run in the sandbox worker; the servers are the user's (src/replay/external). */
export type EngineKind = "pglite" | "sqljs" | "postgres-server" | "mysql-server";

export interface MigrationText {
  /** Repo-relative path. */
  path: string;
  /** Decimal version. */
  version: string;
  text: string;
}

export interface ReplayJob {
  engine: EngineKind;
  /** The configured directory (for messages). */
  directory: string;
  /** golang-migrate x-multi-statement (postgres). */
  multiStatement: boolean;
  /**
   * Base state: a cached state of the first base files (or a fresh database, from the template
   * when there is one), then the base files after those, in golang-migrate order.
   */
  base: {
    restore?: BaseSnapshot;
    template?: Uint8Array;
    files: MigrationText[];
  };
  /** The change's new up migrations, version ascending. */
  ups: MigrationText[];
  /** Down file per new version (same order as ups); null when the version has none. */
  downs: Array<MigrationText | null>;
  /** Extensions the change's files mention (CREATE EXTENSION), to make available. */
  extensions: string[];
  /** Return a snapshot of the base state for the cache (when base files were applied). */
  wantSnapshot: boolean;
  /** Return a snapshot of a fresh, empty database (the template) for the cache. */
  wantTemplate: boolean;
  /** Return the base state's fingerprint (drift detection). */
  wantSchema?: boolean;
  /** Postgres: the session's search_path (drift: the live database URL's). */
  searchPath?: string;
  /** golang-migrate's version table, created before the first file of a fresh database. */
  migrationsTable: string;
  /** SQLite: application-registered functions the sandbox stands in for (replay.functions). */
  functions?: string[];
}

/** The sandbox database after the first `files` base migrations. */
export interface BaseSnapshot {
  data: Uint8Array;
  /** Extensions the state needs loaded. */
  extensions: string[];
  files: number;
}

export interface DbError {
  message: string;
  /** SQLSTATE (postgres) when known. */
  code?: string;
  detail?: string;
  hint?: string;
  /**
   * Raised by the migration's own code (PL/pgSQL RAISE, another procedural language), or of an
   * origin the server did not name: whatever its message and SQLSTATE say, never the sandbox's
   * limitation (limitationOf).
   */
  raisedByMigration?: true;
}

export interface RelationLock {
  /** Qualified relation name, as it was before the change. */
  relation: string;
  /** "table", "index", "view", "materialized view", "sequence", "foreign table". */
  relationKind: string;
  /** For an index: the table it belongs to. */
  table?: string;
  mode: LockMode;
}

export interface StatementRun {
  /** 1-based lines in the file. */
  line: number;
  endLine: number;
  /** The statement's first line, shortened, for reports. */
  sql: string;
  ms: number;
  /**
   * Locks on relations that existed before the change, taken first by this statement (they are
   * held until the file's transaction ends). Null when not observed (statement ran outside a
   * transaction, or the file controls its own transactions).
   */
  locks: RelationLock[] | null;
}

export interface FileRun {
  path: string;
  version: string;
  ok: boolean;
  ms: number;
  statements: StatementRun[];
  /** Set when !ok. */
  error?: DbError & { line: number; endLine: number };
  /**
   * When !ok on a server without transactional DDL (MySQL): the statements before the failing one
   * that stayed applied, and the last line they cover.
   */
  leftApplied?: { statements: number; lastLine: number };
  /** How the file was run, when it differs from the default (e.g. outside a transaction). */
  notes: string[];
}

/** Something the sandbox cannot do, as opposed to a mistake in a migration. */
export interface SandboxLimitation {
  reason: string;
  path: string;
  line: number;
}

export interface DownCheck {
  /** The down file. */
  path: string;
  version: string;
  /** Differences from the schema before this version's up ran, not already reported. */
  differences: SchemaChange[];
}

export interface ReplayResult {
  /** "PGlite 0.5.16 (PostgreSQL 18.6)". */
  engine: string;
  /**
   * Base migrations in all, how many of them a cached state covered, how many were applied on top
   * of it (fewer than `files - restored` when one failed), and the time applying them took (the
   * snapshot for the cache not included).
   */
  base: {
    files: number;
    restored: number;
    applied: number;
    ms: number;
    /** Not run: an earlier replay of the same merged files failed, and the cache says where. */
    failureCached?: true;
  };
  /** A merged migration does not apply in the sandbox: nothing else was run. */
  baseFailure?: { path: string; line: number; error: DbError; limitation: boolean };
  /** The change needs something the sandbox cannot provide: replay stopped there. */
  limitation?: SandboxLimitation;
  ups: FileRun[];
  downs: FileRun[];
  reups: FileRun[];
  downChecks: DownCheck[];
  /** Post-up schema vs after down + up again; null when not checked. */
  reupDifferences: SchemaChange[] | null;
  /** Base schema → schema after the change's ups; null when the ups did not all apply. */
  schemaDiff: SchemaChange[] | null;
  /** Roles the migrations refer to that the sandbox created (they exist outside migrations). */
  rolesCreated: string[];
  notes: string[];
  /** Extensions the base state needs (kept with its snapshot): the ones base files create. */
  baseExtensions: string[];
  /** The base state's fingerprint, when the job asked for it. */
  baseSchema?: Schema;
  snapshot?: Uint8Array;
  template?: Uint8Array;
}

/** A result before anything has run: nothing replayed, nothing compared. */
export function emptyReplayResult(
  engine: string,
  base: ReplayResult["base"],
  baseExtensions: string[],
): ReplayResult {
  return {
    engine,
    base,
    ups: [],
    downs: [],
    reups: [],
    downChecks: [],
    reupDifferences: null,
    schemaDiff: null,
    rolesCreated: [],
    notes: [],
    baseExtensions,
  };
}

/** Messages from the worker. */
export type WorkerMessage =
  | { type: "progress"; phase: Phase; path?: string; line?: number; statement: boolean }
  | { type: "partial"; result: ReplayResult }
  | { type: "done"; result: ReplayResult }
  | { type: "error"; message: string };

export type Phase = "start" | "base" | "up" | "down" | "reup" | "inspect";
