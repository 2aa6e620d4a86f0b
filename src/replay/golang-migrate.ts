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
