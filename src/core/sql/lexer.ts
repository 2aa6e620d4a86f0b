/**
 * A SQL lexer shared by the statement splitter, the ALTER TABLE action locator and the SQLite
 * classifier, so quoting and comment rules live in exactly one place.
 *
 * It is a cursor (no token objects) so the splitter can run over megabytes without allocating per
 * token, and it never throws: anything unterminated runs to the end of the range and is marked.
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
  | "eof";

export type Unterminated = "string" | "identifier" | "comment" | "dollar-quote";

export const isIdentStart = (c: number): boolean =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
export const isIdentChar = (c: number): boolean =>
  isIdentStart(c) || (c >= 48 && c <= 57) || c === 36;
export const isSpace = (c: number): boolean =>
  c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xfeff;

interface Rules {
  /** Postgres-family: nested block comments, dollar quotes, E'' strings. */
  pg: boolean;
  /** `--` needs a following space (MySQL), `#` comments, `/*!…*\/` is code. */
  mysql: boolean;
  /** `"…"` is a string (MySQL) rather than an identifier. */
  doubleQuoteString: boolean;
  /** Backslash escapes in '…' strings. */
  backslash: boolean;
  backtick: boolean;
  brackets: boolean;
}

function rulesFor(dialect: Dialect): Rules {
  switch (dialect) {
    case "postgres":
    case "cockroachdb":
      return {
        pg: true,
        mysql: false,
        doubleQuoteString: false,
        backslash: false,
        backtick: false,
        brackets: false,
      };
    case "mysql":
      return {
        pg: false,
        mysql: true,
        doubleQuoteString: true,
        backslash: true,
        backtick: true,
        brackets: false,
      };
    case "sqlite":
      return {
        pg: false,
        mysql: false,
        doubleQuoteString: false,
        backslash: false,
        backtick: true,
        brackets: true,
      };
    case "clickhouse":
      return {
        pg: false,
        mysql: false,
        doubleQuoteString: false,
        backslash: true,
        backtick: true,
        brackets: false,
      };
  }
}

export class Lexer {
  /** Kind of the current token. */
  kind: TokenKind = "eof";
  /** Current token's range in `text`, end exclusive. */
  start = 0;
  end = 0;
  /** Set when the current token ran to the end of the range without its closing delimiter. */
  unterminated: Unterminated | null = null;
  private pos: number;
  private readonly r: Rules;

  constructor(
    readonly text: string,
    dialect: Dialect,
    from = 0,
    private readonly limit = text.length,
  ) {
    this.pos = from;
    this.r = rulesFor(dialect);
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

    if (c === 45 && next === 45 && (!r.mysql || i + 2 >= n || isSpace(text.charCodeAt(i + 2)))) {
      return this.finish(this.lineEnd(i + 2), "line-comment");
    }
    if (c === 35 && r.mysql) return this.finish(this.lineEnd(i + 1), "line-comment");
    if (c === 47 && next === 42 && !(r.mysql && i + 2 < n && text.charCodeAt(i + 2) === 33)) {
      return this.blockComment(i);
    }
    if (c === 39) return this.quoted(i, 39, r.backslash, "string");
    if (c === 34) {
      return r.doubleQuoteString
        ? this.quoted(i, 34, r.backslash, "string")
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

  private lineEnd(from: number): number {
    const text = this.text;
    let j = from;
    while (j < this.limit) {
      const ch = text.charCodeAt(j);
      if (ch === 10 || ch === 13) break;
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

export interface Token {
  kind: Exclude<TokenKind, "eof" | "line-comment" | "block-comment">;
  start: number;
  end: number;
  /** Upper-cased text for words, raw text otherwise. */
  text: string;
}

/** The code tokens (no comments) of `text[from, to)`, for small inputs such as one statement. */
export function tokenize(text: string, dialect: Dialect, from = 0, to = text.length): Token[] {
  const lx = new Lexer(text, dialect, from, to);
  const out: Token[] = [];
  for (let k = lx.next(); k !== "eof"; k = lx.next()) {
    if (k === "line-comment" || k === "block-comment") continue;
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
