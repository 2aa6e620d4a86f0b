/**
 * A SQL lexer shared by the statement splitter, the ALTER TABLE action locator and the token
 * readers, so quoting and comment rules live in exactly one place.
 *
 * It is a cursor (no token objects) so the splitter can run over megabytes without allocating per
 * token, and it never throws: anything unterminated runs to the end of the range and is marked.
 *
 * It reads text the way the server does, because every difference is a way to hide a statement:
 * MySQL's `--` needs a following space or control character and its line comments end only at
 * `\n`; `/*! … *\/` (and MariaDB's `/*M! … *\/`) is code when the server's version runs it; how
 * `'…'` and `"…"` are read depends on session settings (Postgres standard_conforming_strings,
 * MySQL's NO_BACKSLASH_ESCAPES and ANSI_QUOTES), passed in as a `LexSyntax`.
 */
import type { Dialect } from "../types.js";

export type TokenKind =
  | "word"
  | "quoted-ident"
  | "string"
  | "number"
  | "punct"
  | "line-comment"
  | "block-comment"
  /** The delimiters of a MySQL executable comment (`/*!50001` and its `*\/`): neither code nor comment. */
  | "marker"
  | "eof";

export type Unterminated = "string" | "identifier" | "comment" | "dollar-quote";

export const isIdentStart = (c: number): boolean =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
export const isIdentChar = (c: number): boolean =>
  isIdentStart(c) || (c >= 48 && c <= 57) || c === 36;
export const isSpace = (c: number): boolean =>
  c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xfeff;

/** Which executable comments run: `mysql` is `/*!NNNNN`, `mariadb` is `/*M!NNNNNN`. */
export type ExecCommentPolicy = (kind: "mysql" | "mariadb", version: number | null) => boolean;

/** How the session reads quotes; the defaults are each server's out-of-the-box settings. */
export interface LexSyntax {
  /**
   * Backslash escapes in plain '…' strings: Postgres with standard_conforming_strings off, MySQL
   * without NO_BACKSLASH_ESCAPES (also in "…" strings), ClickHouse always.
   */
  backslashStrings: boolean;
  /** MySQL ANSI_QUOTES: "…" quotes an identifier instead of a string. */
  ansiQuotes: boolean;
  /** MySQL executable comments: does the server run this one? */
  execComment: ExecCommentPolicy;
}

const allExecComments: ExecCommentPolicy = () => true;

export function defaultSyntax(dialect: Dialect): LexSyntax {
  return {
    backslashStrings: dialect === "mysql" || dialect === "clickhouse",
    ansiQuotes: false,
    execComment: allExecComments,
  };
}

interface Rules {
  /** Postgres-family: nested block comments, dollar quotes, E'' strings, `--` always a comment. */
  pg: boolean;
  /** `--` needs a following space or control character (MySQL), `#` comments, `/*!…*\/` is code. */
  mysql: boolean;
  /** Line comments end at `\r` too (Postgres); MySQL and SQLite end them only at `\n`. */
  crEndsComment: boolean;
  backtick: boolean;
  brackets: boolean;
}

function rulesFor(dialect: Dialect): Rules {
  switch (dialect) {
    case "postgres":
    case "cockroachdb":
      return { pg: true, mysql: false, crEndsComment: true, backtick: false, brackets: false };
    case "mysql":
      return { pg: false, mysql: true, crEndsComment: false, backtick: true, brackets: false };
    case "sqlite":
      return { pg: false, mysql: false, crEndsComment: false, backtick: true, brackets: true };
    case "clickhouse":
      return { pg: false, mysql: false, crEndsComment: false, backtick: true, brackets: false };
  }
}

/** MySQL: `--` starts a comment only before whitespace or a control character (or the end). */
const mysqlDashDash = (c: number): boolean => c <= 32 || c === 127;

export class Lexer {
  /** Kind of the current token. */
  kind: TokenKind = "eof";
  /** Current token's range in `text`, end exclusive. */
  start = 0;
  end = 0;
  /** Set when the current token ran to the end of the range without its closing delimiter. */
  unterminated: Unterminated | null = null;
  /** For a "marker": the opening of an executable comment (false: its closing). */
  markerOpens = false;
  private pos: number;
  private readonly r: Rules;
  private syntax: LexSyntax;
  /** Inside a MySQL executable comment that runs: its `*\/` is a marker. */
  private inExec = false;

  constructor(
    readonly text: string,
    dialect: Dialect,
    from = 0,
    private readonly limit = text.length,
    syntax?: LexSyntax,
  ) {
    this.pos = from;
    this.r = rulesFor(dialect);
    this.syntax = syntax ?? defaultSyntax(dialect);
  }

  /** Read the rest with another string syntax (a session setting changed between statements). */
  setSyntax(syntax: LexSyntax): void {
    this.syntax = syntax;
  }

  /**
   * A statement ended: MySQL parses each statement of a multi-statement query on its own, so an
   * executable comment left open does not carry over (its `*\/` is then a syntax error).
   */
  statementBoundary(): void {
    this.inExec = false;
  }

  /** Advance to the next token, skipping whitespace. Comments are tokens. */
  next(): TokenKind {
    const text = this.text;
    const n = this.limit;
    let i = this.pos;
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    this.start = i;
    this.unterminated = null;
    if (i >= n) {
      this.end = n;
      this.pos = n;
      return (this.kind = "eof");
    }
    const c = text.charCodeAt(i);
    const next = i + 1 < n ? text.charCodeAt(i + 1) : -1;
    const r = this.r;

    if (
      c === 45 &&
      next === 45 &&
      (!r.mysql || i + 2 >= n || mysqlDashDash(text.charCodeAt(i + 2)))
    ) {
      return this.finish(this.lineEnd(i + 2), "line-comment");
    }
    if (c === 35 && r.mysql) return this.finish(this.lineEnd(i + 1), "line-comment");
    if (c === 47 && next === 42) {
      if (r.mysql) {
        const exec = this.execCommentOpen(i);
        if (exec >= 0) return exec > 0 ? this.marker(exec, true) : this.blockComment(i);
      }
      return this.blockComment(i);
    }
    if (c === 42 && next === 47 && this.inExec) {
      this.inExec = false;
      return this.marker(i + 2, false);
    }
    const sx = this.syntax;
    if (c === 39) return this.quoted(i, 39, sx.backslashStrings, "string");
    if (c === 34) {
      return r.mysql && !sx.ansiQuotes
        ? this.quoted(i, 34, sx.backslashStrings, "string")
        : this.quoted(i, 34, false, "quoted-ident");
    }
    if (c === 96 && r.backtick) return this.quoted(i, 96, false, "quoted-ident");
    if (c === 91 && r.brackets) {
      const close = text.indexOf("]", i + 1);
      if (close < 0 || close >= n) {
        this.unterminated = "identifier";
        return this.finish(n, "quoted-ident");
      }
      return this.finish(close + 1, "quoted-ident");
    }
    if (c === 36 && r.pg && !(i > 0 && isIdentChar(text.charCodeAt(i - 1)))) {
      let j = i + 1;
      if (j < n && isIdentStart(text.charCodeAt(j))) {
        while (j < n && isIdentChar(text.charCodeAt(j)) && text.charCodeAt(j) !== 36) j++;
      }
      if (j < n && text.charCodeAt(j) === 36) {
        const tag = text.slice(i, j + 1);
        const close = text.indexOf(tag, j + 1);
        if (close < 0 || close + tag.length > n) {
          this.unterminated = "dollar-quote";
          return this.finish(n, "string");
        }
        return this.finish(close + tag.length, "string");
      }
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(text.charCodeAt(j))) j++;
      // E'…' (Postgres escape string): the prefix and the literal are one token.
      if (r.pg && j === i + 1 && (c === 69 || c === 101) && j < n && text.charCodeAt(j) === 39) {
        this.quoted(j, 39, true, "string");
        this.start = i;
        return this.kind;
      }
      return this.finish(j, "word");
    }
    if (c >= 48 && c <= 57) {
      let j = i + 1;
      while (j < n && isIdentChar(text.charCodeAt(j))) j++;
      return this.finish(j, "number");
    }
    return this.finish(i + 1, "punct");
  }

  /** Text of the current token. */
  get value(): string {
    return this.text.slice(this.start, this.end);
  }

  /** True when the current token is the single character `ch`. */
  isPunct(ch: number): boolean {
    return this.kind === "punct" && this.text.charCodeAt(this.start) === ch;
  }

  private finish(end: number, kind: TokenKind): TokenKind {
    this.end = end;
    this.pos = end;
    return (this.kind = kind);
  }

  private marker(end: number, opens: boolean): TokenKind {
    this.markerOpens = opens;
    return this.finish(end, "marker");
  }

  /**
   * At `/*` in MySQL: -1 for an ordinary comment, 0 for an executable comment the server skips
   * (a comment), or the end of its opening marker when the server runs it (`/*!`, `/*!50001`,
   * MariaDB `/*M!100100`). Versions are 5 digits, or 6 (MariaDB's 10.x and later).
   */
  private execCommentOpen(i: number): number {
    const text = this.text;
    const n = this.limit;
    let j = i + 2;
    let kind: "mysql" | "mariadb" = "mysql";
    if (j + 1 < n && text.charCodeAt(j) === 77 /* M */ && text.charCodeAt(j + 1) === 33) {
      kind = "mariadb";
      j++;
    }
    if (j >= n || text.charCodeAt(j) !== 33 /* ! */) return -1;
    j++;
    let digits = 0;
    while (digits < 6 && j + digits < n && isDigit(text.charCodeAt(j + digits))) digits++;
    let version: number | null = null;
    if (digits >= 5) {
      version = Number(text.slice(j, j + digits));
      j += digits;
    }
    if (this.inExec || !this.syntax.execComment(kind, version)) return 0;
    this.inExec = true;
    return j;
  }

  private lineEnd(from: number): number {
    const text = this.text;
    const cr = this.r.crEndsComment;
    let j = from;
    while (j < this.limit) {
      const ch = text.charCodeAt(j);
      if (ch === 10 || (cr && ch === 13)) break;
      j++;
    }
    return j;
  }

  private blockComment(start: number): TokenKind {
    const text = this.text;
    const n = this.limit;
    let j = start + 2;
    let nest = 1;
    while (j < n) {
      const ch = text.charCodeAt(j);
      if (ch === 42 && j + 1 < n && text.charCodeAt(j + 1) === 47) {
        j += 2;
        if (--nest === 0) return this.finish(j, "block-comment");
        continue;
      }
      if (this.r.pg && ch === 47 && j + 1 < n && text.charCodeAt(j + 1) === 42) {
        nest++;
        j += 2;
        continue;
      }
      j++;
    }
    this.unterminated = "comment";
    return this.finish(n, "block-comment");
  }

  private quoted(
    start: number,
    quote: number,
    backslash: boolean,
    kind: "string" | "quoted-ident",
  ): TokenKind {
    const text = this.text;
    const n = this.limit;
    let j = start + 1;
    while (j < n) {
      const ch = text.charCodeAt(j);
      if (backslash && ch === 92) {
        j += 2;
        continue;
      }
      if (ch === quote) {
        if (j + 1 < n && text.charCodeAt(j + 1) === quote) {
          j += 2;
          continue;
        }
        return this.finish(j + 1, kind);
      }
      j++;
    }
    this.unterminated = kind === "string" ? "string" : "identifier";
    return this.finish(n, kind);
  }
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

export interface Token {
  kind: Exclude<TokenKind, "eof" | "line-comment" | "block-comment" | "marker">;
  start: number;
  end: number;
  /** Upper-cased text for words, raw text otherwise. */
  text: string;
}

/**
 * `tokenize`'s tokens one at a time (null at the end): for callers that need only the first few,
 * which would otherwise lex the rest of the statement for nothing.
 */
export function tokenReader(
  text: string,
  dialect: Dialect,
  from = 0,
  to = text.length,
): () => Token | null {
  const lx = new Lexer(text, dialect, from, to);
  return () => {
    for (let k = lx.next(); k !== "eof"; k = lx.next()) {
      if (k === "line-comment" || k === "block-comment" || k === "marker") continue;
      const raw = lx.value;
      return {
        kind: k,
        start: lx.start,
        end: lx.end,
        text: k === "word" ? raw.toUpperCase() : raw,
      };
    }
    return null;
  };
}

/** `tokenize(text, dialect, from)[0]`, without lexing what follows it. */
export function firstToken(text: string, dialect: Dialect, from = 0): Token | undefined {
  return tokenReader(text, dialect, from)() ?? undefined;
}

/**
 * The code tokens (no comments, no executable-comment markers) of `text[from, to)`, for small
 * inputs such as one statement.
 */
export function tokenize(
  text: string,
  dialect: Dialect,
  from = 0,
  to = text.length,
  syntax?: LexSyntax,
): Token[] {
  const lx = new Lexer(text, dialect, from, to, syntax);
  const out: Token[] = [];
  for (let k = lx.next(); k !== "eof"; k = lx.next()) {
    if (k === "line-comment" || k === "block-comment" || k === "marker") continue;
    const raw = lx.value;
    out.push({
      kind: k,
      start: lx.start,
      end: lx.end,
      text: k === "word" ? raw.toUpperCase() : raw,
    });
  }
  return out;
}
