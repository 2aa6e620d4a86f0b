/**
 * Split a migration file into statements with exact locations, the way the database would see
 * them: aware of comments (nested in Postgres, `#` and `/*!…*\/` in MySQL), quoted strings and
 * identifiers, Postgres dollar quotes and E'' strings, routine bodies whose `;` do not end the
 * statement (Postgres BEGIN ATOMIC, MySQL/SQLite BEGIN … END: see compound.ts), and session
 * settings that change how the rest is read (see session.ts).
 *
 * With golang-migrate's x-multi-statement the file is first cut at every `;` byte, exactly as
 * `database/multistmt` does — inside comments and strings too — and each piece is read on its
 * own, as the database receives it: `-- stale rows; DELETE FROM users;` is a DELETE there.
 *
 * Invariants (fuzzed by the tests): never throws; linear time; statements are in order and do
 * not overlap; every character that is not whitespace, not a comment and not a separating `;`
 * belongs to exactly one statement. Parsers never decide locations: everything downstream uses
 * the offsets computed here.
 */
import type { Dialect } from "../types.js";
import { BlockTracker } from "./compound.js";
import { Lexer, tokenize, type ExecCommentPolicy, type LexSyntax } from "./lexer.js";
import { LineIndex, type Position } from "./positions.js";
import { encodingView } from "./encoding-view.js";
import { defaultSession, lexSyntax, type Session } from "./session.js";
import { SessionTracker } from "./session-tracker.js";

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
  /**
   * The statement as a parser must read it, when that differs from `text` (same length, so
   * offsets agree): MySQL executable-comment markers blanked, strings whose reading depends on a
   * session setting neutralised, characters the client encoding merges marked.
   */
  parserText?: string;
  start: number;
  /** Exclusive. */
  end: number;
  startPos: Position;
  /** Position of the last code character. */
  endPos: Position;
  /** False when the file (or x-multi-statement piece) ended before a `;`. */
  terminated: boolean;
  /** Set when a string, quoted identifier, comment or body ran to the end of the file (or piece). */
  unterminated?: "string" | "identifier" | "comment" | "dollar-quote" | "body";
}

export interface SplitResult {
  statements: SplitStatement[];
  comments: SqlComment[];
  lines: LineIndex;
  /** How the session reads SQL after this file ran, for the next file in the same session. */
  sessionAfter: Session;
  /** A statement changed the reading in a way that cannot be followed (a computed value). */
  uncertain: boolean;
}

export interface SplitOptions {
  /** golang-migrate x-multi-statement: the file runs as pieces cut at every `;` byte. */
  multiStatement?: boolean;
  /** How the session reads SQL when the file starts (default: the server's defaults). */
  session?: Session;
  /** Which MySQL executable comments (`/*!50001 … *\/`) run (default: all). */
  execComment?: ExecCommentPolicy;
}

/** A unit golang-migrate sends in one Exec. */
export interface Piece {
  /** Offsets in the file; `end` is after the piece's `;` (or the end of the file). */
  start: number;
  end: number;
}

/**
 * golang-migrate's `database/multistmt.Parse`: the text up to and including each `;` byte is one
 * piece, whatever the `;` is inside of; pieces that are only whitespace are skipped by the driver.
 */
export function multiStatementPieces(text: string): Piece[] {
  const pieces: Piece[] = [];
  let start = 0;
  for (let i = text.indexOf(";"); i >= 0; i = text.indexOf(";", i + 1)) {
    pieces.push({ start, end: i + 1 });
    start = i + 1;
  }
  if (start < text.length) pieces.push({ start, end: text.length });
  return pieces.filter((p) => !isBlank(text, p.start, p.end));
}

/** Go's `strings.TrimSpace(piece) == ""` (unicode.IsSpace: not U+FEFF, but U+0085). */
function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    const space =
      (c >= 9 && c <= 13) ||
      c === 32 ||
      c === 0x85 ||
      c === 0xa0 ||
      c === 0x1680 ||
      (c >= 0x2000 && c <= 0x200a) ||
      c === 0x2028 ||
      c === 0x2029 ||
      c === 0x202f ||
      c === 0x205f ||
      c === 0x3000;
    if (!space) return false;
  }
  return true;
}

/** First words of statements that can change the session's reading or its transaction. */
const SESSION_WORDS = new Set([
  "SET",
  "RESET",
  "BEGIN",
  "START",
  "COMMIT",
  "END",
  "ROLLBACK",
  "ABORT",
]);

export function splitStatements(
  text: string,
  dialect: Dialect,
  opts: SplitOptions = {},
): SplitResult {
  const lines = new LineIndex(text);
  const statements: SplitStatement[] = [];
  const comments: SqlComment[] = [];
  const pg = dialect === "postgres" || dialect === "cockroachdb";
  const multi = opts.multiStatement === true && dialect !== "mysql" && dialect !== "sqlite";
  const execComment: ExecCommentPolicy = opts.execComment ?? (() => true);
  const tracker = new SessionTracker(
    dialect,
    opts.session ?? defaultSession(dialect),
    pg && !multi,
  );
  // What the parsers assume about strings: readings that differ get neutralised strings.
  const assumed = defaultSession(dialect);
  // MySQL reads a multi-statement Exec one statement at a time, so a SET changes how the rest of
  // the file is read; Postgres reads a whole Exec at once, so only the next piece or file.
  const perStatement = dialect === "mysql";

  let view = text; // the text as the server reads it (client-encoding view)
  let syntax: LexSyntax = lexSyntax(tracker.current, execComment);
  if (tracker.current.encoding) view = encodingView(text, 0, tracker.current.encoding);

  // The current statement.
  let stmtStart = -1;
  let lastCode = -1;
  let unterminated: SplitStatement["unterminated"];
  let block = new BlockTracker(dialect);
  let edits: Array<{ start: number; end: number; text: string }> = [];
  let sessionWord = false;
  let firstWord = true;
  let parens = 0;

  /** Ends the current statement; returns its range when it may change the session. */
  const finish = (terminated: boolean): { start: number; end: number } | null => {
    let range: { start: number; end: number } | null = null;
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
      if (edits.length > 0 || view !== text) {
        let p = "";
        let at = stmtStart;
        for (const e of edits) {
          p += view.slice(at, e.start) + e.text;
          at = e.end;
        }
        p += view.slice(at, end);
        if (p !== s.text) s.parserText = p;
      }
      if (unterminated) s.unterminated = unterminated;
      statements.push(s);
      if (sessionWord) range = { start: stmtStart, end };
    }
    stmtStart = -1;
    lastCode = -1;
    unterminated = undefined;
    block = new BlockTracker(dialect);
    edits = [];
    sessionWord = false;
    firstWord = true;
    parens = 0;
    return range;
  };

  /**
   * A statement ran: follow what it does to the session. Returns true when the reading of what
   * follows changed (the caller decides from where it applies).
   */
  const ran = (range: { start: number; end: number } | null): boolean =>
    range !== null && tracker.statement(tokenize(view, dialect, range.start, range.end, syntax));

  /** Read the text from `from` on the way the session now reads it. */
  const reread = (from: number) => {
    const before = syntax;
    syntax = lexSyntax(tracker.current, execComment);
    const enc = tracker.current.encoding;
    const rest = enc ? encodingView(text, from, enc).slice(from) : text.slice(from);
    if (view.slice(from) !== rest) view = view.slice(0, from) + rest;
    return before;
  };

  const pieces: Piece[] = multi ? multiStatementPieces(text) : [{ start: 0, end: text.length }];
  for (const piece of pieces) {
    let lx = new Lexer(view, dialect, piece.start, piece.end, syntax);
    let sawSeparator = false;
    const ranges: Array<{ start: number; end: number } | null> = [];
    for (let k = lx.next(); k !== "eof"; k = lx.next()) {
      if (k === "line-comment") {
        const bodyStart = lx.start + (text.charCodeAt(lx.start) === 35 ? 1 : 2);
        pushComment("line", lx.start, lx.end, text.slice(bodyStart, lx.end));
        continue;
      }
      if (k === "block-comment") {
        if (lx.unterminated) {
          // An unterminated comment swallows the rest; the database rejects it, so it is code
          // for our purposes (it must reach a parser and be reported).
          if (stmtStart < 0) stmtStart = lx.start;
          unterminated = "comment";
          lastCode = lx.end - 1;
          continue;
        }
        pushComment("block", lx.start, lx.end, text.slice(lx.start + 2, lx.end - 2));
        continue;
      }
      if (k === "punct" && view.charCodeAt(lx.start) === 59 /* ; */) {
        if (multi) sawSeparator = lx.end === piece.end;
        if (!block.semicolon() || (block.rule && !multi && parens > 0)) {
          // Inside a routine body, or inside parentheses (CREATE RULE … DO (a; b)).
          if (stmtStart < 0) stmtStart = lx.start;
          lastCode = lx.start;
          continue;
        }
        lx.statementBoundary();
        const range = finish(true); // an empty statement (";;") produces nothing
        if (!perStatement) ranges.push(range);
        else if (ran(range)) {
          reread(lx.end);
          lx = new Lexer(view, dialect, lx.end, piece.end, syntax);
        }
        continue;
      }
      if (stmtStart < 0) stmtStart = lx.start;
      if (lx.unterminated) unterminated = lx.unterminated;
      lastCode = lx.end - 1;
      switch (k) {
        case "marker":
          edits.push({ start: lx.start, end: lx.end, text: " ".repeat(lx.end - lx.start) });
          continue;
        case "word": {
          // Slicing every word of a 10 MB file is wasteful: only the few that matter are read.
          const len = lx.end - lx.start;
          const session = !sessionWord && (firstWord ? len <= 8 : len === 10);
          if (block.wantsWords || session) {
            const u = view.slice(lx.start, lx.end).toUpperCase();
            if (block.wantsWords) block.word(u, lx.start);
            if (session && (firstWord ? SESSION_WORDS.has(u) : u === "SET_CONFIG"))
              sessionWord = true;
          }
          firstWord = false;
          continue;
        }
        case "string":
          if (syntax.backslashStrings !== assumed.backslashStrings) neutralise(lx.start, lx.end);
          block.other("string", lx.start);
          break;
        case "quoted-ident":
          if (syntax.ansiQuotes && view.charCodeAt(lx.start) === 34) asBackticks(lx.start, lx.end);
          block.other("quoted-ident", lx.start);
          break;
        case "punct": {
          const ch = view[lx.start]!;
          if (ch === "(") parens++;
          else if (ch === ")") parens = Math.max(0, parens - 1);
          block.other(ch, lx.start);
          break;
        }
        default:
          block.other(k, lx.start);
      }
      firstWord = false;
    }
    if (stmtStart >= 0 && block.unclosed && !unterminated) unterminated = "body";
    const last = finish(sawSeparator);
    if (perStatement) {
      if (ran(last)) reread(piece.end);
    } else {
      ranges.push(last);
      let changed = false;
      for (const r of ranges) changed = ran(r) || changed;
      // Postgres: the next x-multi-statement piece is a new query, read with the new settings.
      if (changed && multi) reread(piece.end);
    }
  }
  return {
    statements,
    comments,
    lines,
    sessionAfter: tracker.finish(),
    uncertain: tracker.uncertain,
  };

  /**
   * A string whose reading depends on the session (backslashes): the parser, which assumes the
   * default, gets a same-length placeholder that reads the same either way. E'' and $$ strings
   * read the same under every setting.
   */
  function neutralise(start: number, end: number): void {
    const raw = view.slice(start, end);
    const quote = raw[0];
    if ((quote !== "'" && quote !== '"') || !raw.includes("\\")) return;
    const closed = raw.length >= 2 && raw.endsWith(quote);
    const inner = raw.slice(1, closed ? -1 : undefined).replace(/[^\n\r]/g, "x");
    edits.push({ start: start + 1, end: start + 1 + inner.length, text: inner });
  }

  /** MySQL ANSI_QUOTES: "name" is `name` to a parser that assumes the default. */
  function asBackticks(start: number, end: number): void {
    const raw = view.slice(start, end);
    if (raw.includes("`") || raw.length < 2 || !raw.endsWith('"')) return;
    edits.push({ start, end, text: "`" + raw.slice(1, -1) + "`" });
  }

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
