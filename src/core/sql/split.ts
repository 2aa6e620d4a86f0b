/**
 * Split a migration file into statements with exact locations, the way the database would see
 * them: aware of comments (nested in Postgres, `#` and `/*!…*\/` in MySQL), quoted strings and
 * identifiers, Postgres dollar quotes and E'' strings, and routine bodies whose `;` do not end
 * the statement (Postgres BEGIN ATOMIC, MySQL/SQLite BEGIN … END).
 *
 * Single pass, no regular expressions over the input, so time is linear even on 10 MB lines.
 * Parsers never decide locations: everything downstream uses the offsets computed here.
 */
import type { Dialect } from "../types.js";
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

type Mode = "code" | "routine";

const isIdentStart = (c: number) =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
const isIdentChar = (c: number) => isIdentStart(c) || (c >= 48 && c <= 57) || c === 36;
const isSpace = (c: number) =>
  c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xfeff;

export function splitStatements(text: string, dialect: Dialect): SplitResult {
  const lines = new LineIndex(text);
  const statements: SplitStatement[] = [];
  const comments: SqlComment[] = [];
  const pg = dialect === "postgres" || dialect === "cockroachdb";
  const mysql = dialect === "mysql";
  const sqlite = dialect === "sqlite";
  const n = text.length;

  // Current statement state.
  let stmtStart = -1;
  let lastCode = -1;
  let unterminated: SplitStatement["unterminated"];
  let words: string[] = []; // first few upper-cased words, to recognise routine headers
  let mode = "code" as Mode;
  let depth = 0;
  let pendingEnd = false;
  let prevWord = "";

  const begin = (i: number) => {
    if (stmtStart < 0) stmtStart = i;
  };
  const finish = (terminated: boolean) => {
    if (stmtStart >= 0) {
      const end = lastCode + 1;
      const s: SplitStatement = {
        index: statements.length,
        text: text.slice(stmtStart, end),
        start: stmtStart,
        end,
        startPos: lines.position(stmtStart),
        endPos: lines.position(Math.max(stmtStart, end - 1)),
        terminated,
      };
      if (unterminated) s.unterminated = unterminated;
      statements.push(s);
    }
    stmtStart = -1;
    lastCode = -1;
    unterminated = undefined;
    words = [];
    mode = "code";
    depth = 0;
    pendingEnd = false;
    prevWord = "";
  };

  const onWord = (w: string) => {
    const u = w.toUpperCase();
    if (words.length < 12) {
      words.push(u);
      if (mode === "code" && isRoutineHeader(words, dialect)) mode = "routine";
    }
    if (mode === "routine") {
      if (pendingEnd) {
        pendingEnd = false;
        if (u === "IF" || u === "LOOP" || u === "WHILE" || u === "REPEAT") {
          prevWord = u;
          return; // END IF etc. close blocks we never counted
        }
        depth = Math.max(0, depth - 1);
        if (u === "CASE") {
          prevWord = u;
          return; // END CASE closes the CASE it names
        }
      }
      if (u === "END") pendingEnd = true;
      else if (u === "CASE") depth++;
      else if (u === "BEGIN" && !pg) depth++;
      else if (u === "ATOMIC" && pg && prevWord === "BEGIN") depth++;
    }
    prevWord = u;
  };
  const resolvePendingEnd = () => {
    if (pendingEnd) {
      pendingEnd = false;
      depth = Math.max(0, depth - 1);
    }
  };

  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const next = i + 1 < n ? text.charCodeAt(i + 1) : -1;

    if (isSpace(c)) {
      i++;
      continue;
    }

    // -- line comment (MySQL needs whitespace or end after "--").
    if (c === 45 && next === 45 && (!mysql || i + 2 >= n || isSpace(text.charCodeAt(i + 2)))) {
      i = lineComment(i, i + 2);
      continue;
    }
    if (c === 35 && mysql) {
      i = lineComment(i, i + 1);
      continue;
    }
    // /* block comment */ (MySQL /*! … */ is executable code, not a comment).
    if (c === 47 && next === 42 && !(mysql && text.charCodeAt(i + 2) === 33)) {
      i = blockComment(i);
      continue;
    }

    begin(i);

    if (c === 59 /* ; */) {
      resolvePendingEnd();
      if (mode === "routine" && depth > 0) {
        lastCode = i;
        i++;
        continue;
      }
      finish(true);
      i++;
      continue;
    }

    if (c === 39 /* ' */) {
      const prev = i > 0 ? text.charCodeAt(i - 1) : 0;
      const escapes =
        mysql ||
        (pg && (prev === 69 || prev === 101) && !isIdentChar(i > 1 ? text.charCodeAt(i - 2) : 0));
      i = quoted(i, 39, escapes, "string");
      continue;
    }
    if (c === 34 /* " */) {
      i = quoted(i, 34, mysql, mysql ? "string" : "identifier");
      continue;
    }
    if (c === 96 /* ` */ && (mysql || sqlite)) {
      i = quoted(i, 96, false, "identifier");
      continue;
    }
    if (c === 91 /* [ */ && sqlite) {
      const close = text.indexOf("]", i + 1);
      const end = close < 0 ? n : close + 1;
      if (close < 0) unterminated = "identifier";
      lastCode = end - 1;
      i = end;
      continue;
    }
    if (c === 36 /* $ */ && pg) {
      const prev = i > 0 ? text.charCodeAt(i - 1) : 0;
      if (!isIdentChar(prev)) {
        let j = i + 1;
        if (j < n && isIdentStart(text.charCodeAt(j))) {
          while (j < n && isIdentChar(text.charCodeAt(j)) && text.charCodeAt(j) !== 36) j++;
        }
        if (j < n && text.charCodeAt(j) === 36) {
          const tag = text.slice(i, j + 1);
          const close = text.indexOf(tag, j + 1);
          const end = close < 0 ? n : close + tag.length;
          if (close < 0) unterminated = "dollar-quote";
          lastCode = end - 1;
          i = end;
          continue;
        }
      }
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(text.charCodeAt(j))) j++;
      onWord(text.slice(i, j));
      lastCode = j - 1;
      i = j;
      continue;
    }
    if (c >= 48 && c <= 57) {
      let j = i + 1;
      while (j < n && isIdentChar(text.charCodeAt(j))) j++;
      lastCode = j - 1;
      i = j;
      continue;
    }
    lastCode = i;
    i++;
  }
  if (stmtStart >= 0 && mode === "routine" && depth > 0 && !unterminated) unterminated = "body";
  finish(false);
  return { statements, comments, lines };

  function lineComment(start: number, bodyStart: number): number {
    let j = bodyStart;
    while (j < n) {
      const ch = text.charCodeAt(j);
      if (ch === 10 || ch === 13) break;
      j++;
    }
    pushComment("line", start, j, text.slice(bodyStart, j));
    return j;
  }

  function blockComment(start: number): number {
    let j = start + 2;
    let nest = 1;
    while (j < n) {
      const ch = text.charCodeAt(j);
      if (ch === 42 && text.charCodeAt(j + 1) === 47) {
        nest--;
        j += 2;
        if (nest === 0) break;
        continue;
      }
      if (pg && ch === 47 && text.charCodeAt(j + 1) === 42) {
        nest++;
        j += 2;
        continue;
      }
      j++;
    }
    const closed = nest === 0;
    if (!closed) {
      // An unterminated comment swallows the rest of the file; the database rejects it.
      begin(start);
      unterminated = "comment";
      lastCode = n - 1;
      return n;
    }
    pushComment("block", start, j, text.slice(start + 2, j - 2));
    return j;
  }

  function quoted(
    start: number,
    quote: number,
    backslash: boolean,
    what: "string" | "identifier",
  ): number {
    let j = start + 1;
    while (j < n) {
      const ch = text.charCodeAt(j);
      if (backslash && ch === 92) {
        j += 2;
        continue;
      }
      if (ch === quote) {
        if (text.charCodeAt(j + 1) === quote) {
          j += 2;
          continue;
        }
        lastCode = j;
        return j + 1;
      }
      j++;
    }
    unterminated = what;
    lastCode = n - 1;
    return n;
  }

  function pushComment(kind: SqlComment["kind"], start: number, end: number, body: string) {
    comments.push({
      kind,
      start,
      end,
      body,
      startPos: lines.position(start),
      endPos: lines.position(Math.max(start, end - 1)),
    });
  }
}

/** CREATE … FUNCTION/PROCEDURE/TRIGGER/EVENT headers whose bodies may contain `;`. */
function isRoutineHeader(words: string[], dialect: Dialect): boolean {
  if (words[0] !== "CREATE") return false;
  const kinds =
    dialect === "mysql"
      ? ["PROCEDURE", "FUNCTION", "TRIGGER", "EVENT"]
      : dialect === "sqlite"
        ? ["TRIGGER"]
        : dialect === "postgres" || dialect === "cockroachdb"
          ? ["FUNCTION", "PROCEDURE"]
          : [];
  const last = words[words.length - 1]!;
  if (!kinds.includes(last)) return false;
  // Only modifiers may sit between CREATE and the kind (OR REPLACE, DEFINER = x, TEMP, AGGREGATE…).
  return !words
    .slice(1, -1)
    .some((w) => w === "TABLE" || w === "INDEX" || w === "VIEW" || w === "AS");
}
