/**
 * A cursor over one statement's lexer tokens: looking ahead, consuming expected words, reading
 * names and skipping parenthesised groups. The dialect readers (mysql.ts, sqlite.ts,
 * clickhouse.ts) are built on it; it knows no dialect.
 */
import type { Token } from "../../lexer.js";
import type { ObjectName, Span } from "../../model.js";
import type { StatementInput } from "../types.js";

/** Thrown by a reader when the statement is not of a shape it knows. */
export class Unrecognised extends Error {}

export class TokenCursor {
  protected i = 0;
  /** A 'string' where a name is expected is read as the name (SQLite's legacy quirk). */
  protected readonly stringNames: boolean = false;

  constructor(
    protected readonly toks: Token[],
    protected readonly input: StatementInput,
  ) {}

  done(): boolean {
    return this.i >= this.toks.length;
  }

  protected peek(k = 0): Token | undefined {
    return this.toks[this.i + k];
  }

  protected isWord(w: string, k = 0): boolean {
    const t = this.peek(k);
    return t !== undefined && t.kind === "word" && t.text === w;
  }

  protected isPunct(p: string, k = 0): boolean {
    const t = this.peek(k);
    return t !== undefined && t.kind === "punct" && t.text === p;
  }

  /** Consume the words if they all come next. */
  protected accept(...ws: string[]): boolean {
    for (let k = 0; k < ws.length; k++) if (!this.isWord(ws[k]!, k)) return false;
    this.i += ws.length;
    return true;
  }

  /** Consume one of the words if it comes next. */
  protected acceptOne(...ws: string[]): boolean {
    return ws.some((w) => this.accept(w));
  }

  protected expect(...ws: string[]): void {
    if (!this.accept(...ws)) throw new Unrecognised();
  }

  protected fail(): never {
    throw new Unrecognised();
  }

  /** An identifier (word or quoted), unquoted and lower-cased. */
  protected ident(): string {
    const t = this.peek();
    if (
      !t ||
      (t.kind !== "word" && t.kind !== "quoted-ident" && !(this.stringNames && t.kind === "string"))
    )
      this.fail();
    this.i++;
    return unquote(t);
  }

  protected name(): ObjectName {
    const first = this.ident();
    if (this.isPunct(".")) {
      this.i++;
      return { schema: first, name: this.ident() };
    }
    return { name: first };
  }

  protected nameList(): ObjectName[] {
    const out = [this.name()];
    while (this.isPunct(",")) {
      this.i++;
      out.push(this.name());
    }
    return out;
  }

  /** Skip a balanced parenthesised group starting at the current `(`. */
  protected skipParens(): Span {
    if (!this.isPunct("(")) this.fail();
    const start = this.peek()!.start;
    let depth = 0;
    while (!this.done()) {
      const t = this.toks[this.i++]!;
      if (t.kind === "punct" && t.text === "(") depth++;
      else if (t.kind === "punct" && t.text === ")" && --depth === 0) return { start, end: t.end };
    }
    return this.fail();
  }

  /** Skips `( … )` like skipParens and returns how many items its top-level commas separate. */
  protected listItems(): number {
    const from = this.i;
    this.skipParens();
    let depth = 0;
    let items = 1;
    for (let k = from; k < this.i; k++) {
      const t = this.toks[k]!;
      if (t.kind !== "punct") continue;
      if (t.text === "(") depth++;
      else if (t.text === ")") depth--;
      else if (t.text === "," && depth === 1) items++;
    }
    return items;
  }

  protected rest(): void {
    this.i = this.toks.length;
  }

  protected span(from: number, to: number): Span {
    return { start: this.input.base + from, end: this.input.base + to };
  }

  protected textOf(a: Token, b: Token): string {
    return this.input.text.slice(a.start, b.end);
  }
}

/** Identifier text without quotes, lower-cased (MySQL and SQLite compare names case-insensitively). */
export function unquote(t: Token): string {
  let s = t.text;
  if (t.kind === "quoted-ident" || t.kind === "string") {
    const q = s[0]!;
    if (q === "[") s = s.slice(1, -1);
    else
      s = s
        .slice(1, s.endsWith(q) && s.length > 1 ? -1 : undefined)
        .split(q + q)
        .join(q);
  }
  return s.toLowerCase();
}
