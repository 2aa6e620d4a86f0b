/**
 * Split a migration file into statements with exact locations, the way the database would see
 * them: aware of comments (nested in Postgres, `#` and `/*!…*\/` in MySQL), quoted strings and
 * identifiers, Postgres dollar quotes and E'' strings, and routine bodies whose `;` do not end
 * the statement (Postgres BEGIN ATOMIC, MySQL/SQLite BEGIN … END).
 *
 * Invariants (fuzzed by the tests): never throws; linear time; statements are in order and do
 * not overlap; every character that is not whitespace, not a comment and not a separating `;`
 * belongs to exactly one statement. Parsers never decide locations: everything downstream uses
 * the offsets computed here.
 */
import type { Dialect } from "../types.js";
import { Lexer } from "./lexer.js";
import { LineIndex, type Position } from "./positions.js";

export interface SqlComment {
  kind: "line" | "block";
  /** Offsets into the text, end exclusive. */
  start: number;
  end: number;
  /** The comment's text without delimiters. */
  body: string;
  startPos: Position;
  endPos: Position;
}

export interface SplitStatement {
  index: number;
  /** Source text from the first to the last code character (no terminating `;`). */
  text: string;
  start: number;
  /** Exclusive. */
  end: number;
  startPos: Position;
  /** Position of the last code character. */
  endPos: Position;
  /** False when the file ended before a `;` (fine for the last statement). */
  terminated: boolean;
  /** Set when a string, quoted identifier, comment or body ran to the end of the file. */
  unterminated?: "string" | "identifier" | "comment" | "dollar-quote" | "body";
}

export interface SplitResult {
  statements: SplitStatement[];
  comments: SqlComment[];
  lines: LineIndex;
}

/** Words remembered per statement to recognise routine headers (CREATE OR REPLACE FUNCTION…). */
const HEADER_WORDS = 12;

export function splitStatements(text: string, dialect: Dialect): SplitResult {
  const lines = new LineIndex(text);
  const statements: SplitStatement[] = [];
  const comments: SqlComment[] = [];
  const pg = dialect === "postgres" || dialect === "cockroachdb";
  const routineKinds = ROUTINE_KINDS[dialect];

  let stmtStart = -1;
  let lastCode = -1;
  let unterminated: SplitStatement["unterminated"];
  let words: string[] = [];
  let routine = false;
  let depth = 0;
  let pendingEnd = false;
  let prevWord = "";

  const finish = (terminated: boolean) => {
    if (stmtStart >= 0) {
      const end = lastCode + 1;
      const s: SplitStatement = {
        index: statements.length,
        text: text.slice(stmtStart, end),
        start: stmtStart,
        end,
        startPos: lines.position(stmtStart),
        endPos: lines.position(end - 1),
        terminated,
      };
      if (unterminated) s.unterminated = unterminated;
      statements.push(s);
    }
    stmtStart = -1;
    lastCode = -1;
    unterminated = undefined;
    words = [];
    routine = false;
    depth = 0;
    pendingEnd = false;
    prevWord = "";
  };

  // Tracks BEGIN … END nesting inside routine bodies so their `;` do not end the statement.
  const onWord = (u: string) => {
    if (words.length < HEADER_WORDS) {
      words.push(u);
      if (!routine && isRoutineHeader(words, routineKinds)) routine = true;
    }
    if (!routine) return;
    if (pendingEnd) {
      pendingEnd = false;
      // END IF / END LOOP / … close blocks that were never counted.
      if (u === "IF" || u === "LOOP" || u === "WHILE" || u === "REPEAT") {
        prevWord = u;
        return;
      }
      depth = Math.max(0, depth - 1);
      if (u === "CASE") {
        prevWord = u; // END CASE closes the CASE it names
        return;
      }
    }
    if (u === "END") pendingEnd = true;
    else if (u === "CASE") depth++;
    else if (u === "BEGIN" && !pg) depth++;
    else if (u === "ATOMIC" && pg && prevWord === "BEGIN") depth++;
    prevWord = u;
  };

  const lx = new Lexer(text, dialect);
  for (let k = lx.next(); k !== "eof"; k = lx.next()) {
    if (k === "line-comment") {
      const bodyStart = lx.start + (text.charCodeAt(lx.start) === 35 ? 1 : 2);
      pushComment("line", lx.start, lx.end, text.slice(bodyStart, lx.end));
      continue;
    }
    if (k === "block-comment") {
      if (lx.unterminated) {
        // An unterminated comment swallows the rest of the file; the database rejects it, so
        // it is code for our purposes (it must reach a parser and be reported).
        if (stmtStart < 0) stmtStart = lx.start;
        unterminated = "comment";
        lastCode = lx.end - 1;
        continue;
      }
      pushComment("block", lx.start, lx.end, text.slice(lx.start + 2, lx.end - 2));
      continue;
    }
    if (k === "punct" && text.charCodeAt(lx.start) === 59 /* ; */) {
      if (pendingEnd) {
        pendingEnd = false;
        depth = Math.max(0, depth - 1);
      }
      if (routine && depth > 0) {
        lastCode = lx.start;
        continue;
      }
      finish(true); // an empty statement (";;") produces nothing
      continue;
    }
    if (stmtStart < 0) stmtStart = lx.start;
    if (lx.unterminated) unterminated = lx.unterminated;
    // Only words can change the routine state; slicing every word of a 10 MB file is wasteful.
    if (k === "word" && (routine || words.length < HEADER_WORDS)) {
      onWord(text.slice(lx.start, lx.end).toUpperCase());
    }
    lastCode = lx.end - 1;
  }
  if (stmtStart >= 0 && routine && depth > 0 && !unterminated) unterminated = "body";
  finish(false);
  return { statements, comments, lines };

  function pushComment(kind: SqlComment["kind"], start: number, end: number, body: string) {
    comments.push({
      kind,
      start,
      end,
      body,
      startPos: lines.position(start),
      endPos: lines.position(end - 1),
    });
  }
}

/** Statement kinds whose bodies may contain `;`, per dialect. */
const ROUTINE_KINDS: Record<Dialect, readonly string[]> = {
  postgres: ["FUNCTION", "PROCEDURE"],
  cockroachdb: ["FUNCTION", "PROCEDURE"],
  mysql: ["PROCEDURE", "FUNCTION", "TRIGGER", "EVENT"],
  sqlite: ["TRIGGER"],
  clickhouse: [],
};

/** CREATE … FUNCTION/PROCEDURE/TRIGGER/EVENT, with only modifiers in between. */
function isRoutineHeader(words: readonly string[], kinds: readonly string[]): boolean {
  if (words[0] !== "CREATE") return false;
  if (!kinds.includes(words[words.length - 1]!)) return false;
  // Only modifiers may sit between CREATE and the kind (OR REPLACE, DEFINER = x, TEMP, AGGREGATE…).
  for (let i = 1; i < words.length - 1; i++) {
    const w = words[i];
    if (w === "TABLE" || w === "INDEX" || w === "VIEW" || w === "AS") return false;
  }
  return true;
}
