/**
 * How golang-migrate hands a file to the database (reference/golang-migrate.md §3), reproduced
 * for the sandbox: x-multi-statement's byte-level split, and the statements that make a file
 * manage its own transactions.
 */
import {
  multiStatementPieces as goMultiStatementPieces,
  type SplitStatement,
} from "../core/sql/split.js";

export interface Piece {
  text: string;
  /** Offset of the piece in the file. */
  start: number;
}

/**
 * `database/multistmt`: split on every ";" byte, quotes, comments and $$ bodies notwithstanding
 * (golang-migrate #590/#698); each piece keeps its ";" and runs on its own in autocommit. The
 * same pieces the static analysis reads (core/sql/split.ts), so both see what the database runs.
 */
export function multiStatementPieces(text: string): Piece[] {
  return goMultiStatementPieces(text).map((p) => ({
    text: text.slice(p.start, p.end),
    start: p.start,
  }));
}

const TX_CONTROL =
  /^(begin|start\s+transaction|commit|end|rollback|abort|savepoint|release|prepare\s+transaction)\b/i;

/** Statements that open or close transactions themselves (BEGIN, COMMIT, SAVEPOINT …). */
export function controlsTransactions(statements: readonly SplitStatement[]): boolean {
  return statements.some((s) => TX_CONTROL.test(s.text));
}

const CREATE_EXTENSION = /create\s+extension\s+(?:if\s+not\s+exists\s+)?("[^"]+"|[A-Za-z0-9_-]+)/gi;

/** Extension names a file creates, lower-cased and unquoted ("uuid-ossp"). */
export function mentionedExtensions(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(CREATE_EXTENSION)) {
    out.add(m[1]!.replace(/^"|"$/g, "").toLowerCase());
  }
  return [...out].sort();
}

/** A statement's first line, shortened, for reports. */
export function statementHead(text: string, max = 100): string {
  const first = text.split(/\r?\n|\r/, 1)[0]!.trim();
  const more = first.length < text.trim().length;
  return first.length > max ? `${first.slice(0, max - 1)}…` : more ? `${first} …` : first;
}

/** golang-migrate's default `x-migrations-table`. */
export const DEFAULT_MIGRATIONS_TABLE = "schema_migrations";

/**
 * The version table exactly as golang-migrate's driver creates it before the first migration
 * (`ensureVersionTable`), so a migration that reads or alters it replays as in production.
 * Postgres creates it in current_schema() (what an unqualified name resolves to).
 */
export function migrationsTableDdl(engine: "postgres" | "mysql" | "sqlite", table: string): string {
  switch (engine) {
    case "postgres":
      return `CREATE TABLE IF NOT EXISTS "${table}" (version bigint not null primary key, dirty boolean not null);\n`;
    case "mysql":
      return `CREATE TABLE IF NOT EXISTS \`${table}\` (version bigint not null primary key, dirty boolean not null);\n`;
    case "sqlite":
      return `CREATE TABLE IF NOT EXISTS ${table} (version uint64,dirty bool);\nCREATE UNIQUE INDEX IF NOT EXISTS version_unique ON ${table} (version);\n`;
  }
}
