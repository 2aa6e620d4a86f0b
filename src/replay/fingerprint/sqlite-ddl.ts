/**
 * What a SQLite CREATE TABLE says that no pragma returns: a column's COLLATE, a generated
 * column's expression, ON CONFLICT clauses (REPLACE deletes the rows in the way), and whether a
 * foreign key is checked at COMMIT (DEFERRABLE INITIALLY DEFERRED). Read from the statement's
 * tokens, so quoting, case, comments and where a constraint is written (on the column or the
 * table) make no difference.
 */
import { tokenize, type Token } from "../../core/sql/lexer.js";

export interface TableClauses {
  /** By column name, lower-cased. */
  columns: Map<string, { collation?: string; generatedAs?: string }>;
  /** `NOT NULL (a) IGNORE`, `UNIQUE (a, b) REPLACE`…, sorted; ABORT, the default, left out. */
  onConflict: string[];
  /** The columns (lower-cased, comma-joined) of each foreign key checked at COMMIT. */
  deferredForeignKeys: Set<string>;
}

const TABLE_CONSTRAINTS = new Set(["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]);

/** An identifier token's name: quotes removed, doubled quotes undone. */
function nameOf(t: Token, src: string): string {
  const raw = src.slice(t.start, t.end);
  if (t.kind !== "quoted-ident" && t.kind !== "string") return raw;
  const q = raw[0]!;
  const inner = raw.slice(1, -1);
  return q === "[" ? inner : inner.split(q + q).join(q);
}

const isWord = (t: Token | undefined, w: string) => t?.kind === "word" && t.text === w;
const isPunct = (t: Token | undefined, p: string) => t?.kind === "punct" && t.text === p;

/** Index of the ")" closing the "(" at `open`, or the end. */
function closing(toks: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < toks.length; i++) {
    if (isPunct(toks[i], "(")) depth++;
    else if (isPunct(toks[i], ")") && --depth === 0) return i;
  }
  return toks.length;
}

/** The names in a parenthesised column list starting at `open`, lower-cased. */
function columnList(toks: Token[], open: number, src: string): string[] {
  const end = closing(toks, open);
  const out: string[] = [];
  for (let i = open + 1; i < end; i++) {
    const t = toks[i]!;
    if (t.kind === "word" || t.kind === "quoted-ident" || t.kind === "string")
      if (isPunct(toks[i - 1], "(") || isPunct(toks[i - 1], ","))
        out.push(nameOf(t, src).toLowerCase());
  }
  return out;
}

export function tableClauses(
  ddl: string,
  canonical: (t: Token, src: string) => string,
): TableClauses {
  const out: TableClauses = { columns: new Map(), onConflict: [], deferredForeignKeys: new Set() };
  const toks = tokenize(ddl, "sqlite");
  const open = toks.findIndex((t) => isPunct(t, "("));
  if (open < 0) return out; // CREATE TABLE … AS SELECT: no constraints
  const end = closing(toks, open);
  // Top-level comma-separated parts of the definition.
  const parts: Token[][] = [];
  let part: Token[] = [];
  let depth = 0;
  for (let i = open + 1; i < end; i++) {
    const t = toks[i]!;
    if (isPunct(t, "(")) depth++;
    else if (isPunct(t, ")")) depth--;
    if (depth === 0 && isPunct(t, ",")) {
      parts.push(part);
      part = [];
    } else part.push(t);
  }
  parts.push(part);

  for (const p of parts) {
    const first = p[0];
    if (!first) continue;
    const tableLevel = first.kind === "word" && TABLE_CONSTRAINTS.has(first.text);
    const column = tableLevel ? null : nameOf(first, ddl).toLowerCase();
    const info: { collation?: string; generatedAs?: string } = {};
    let constraint = ""; // the constraint an ON CONFLICT belongs to
    let keyColumns = column === null ? [] : [column];
    let fkColumns: string[] | null = null;
    for (let i = tableLevel ? 0 : 1; i < p.length; i++) {
      const t = p[i]!;
      if (isPunct(t, "(")) {
        // A parenthesised list or expression: only a generated column's is read.
        const close = closing(p, i);
        if (isWord(p[i - 1], "AS") && column !== null)
          info.generatedAs = p
            .slice(i + 1, close)
            .map((x) => canonical(x, ddl))
            .join(" ");
        else if (constraint === "PRIMARY KEY" || constraint === "UNIQUE")
          keyColumns = columnList(p, i, ddl);
        else if (constraint === "FOREIGN KEY") fkColumns = columnList(p, i, ddl);
        i = close;
      } else if (isWord(t, "COLLATE") && p[i + 1] && column !== null) {
        info.collation = nameOf(p[i + 1]!, ddl).toUpperCase();
        i++;
      } else if (isWord(t, "PRIMARY")) constraint = "PRIMARY KEY";
      else if (isWord(t, "UNIQUE")) constraint = "UNIQUE";
      else if (isWord(t, "NOT") && isWord(p[i + 1], "NULL")) constraint = "NOT NULL";
      else if (isWord(t, "FOREIGN")) constraint = "FOREIGN KEY";
      else if (isWord(t, "REFERENCES")) {
        constraint = "REFERENCES";
        fkColumns ??= keyColumns;
      } else if (isWord(t, "CHECK") || isWord(t, "DEFAULT") || isWord(t, "GENERATED"))
        constraint = t.text;
      else if (isWord(t, "ON") && isWord(p[i + 1], "CONFLICT") && p[i + 2]) {
        const action = p[i + 2]!.text;
        if (action !== "ABORT")
          out.onConflict.push(`${constraint} (${keyColumns.join(", ")}) ${action}`);
        i += 2;
      } else if (
        isWord(t, "DEFERRABLE") &&
        !isWord(p[i - 1], "NOT") &&
        isWord(p[i + 1], "INITIALLY") &&
        isWord(p[i + 2], "DEFERRED") &&
        fkColumns !== null
      )
        out.deferredForeignKeys.add(fkColumns.join(","));
    }
    if (column !== null) out.columns.set(column, info);
  }
  out.onConflict.sort();
  return out;
}
