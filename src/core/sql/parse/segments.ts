/**
 * Where each action of an ALTER TABLE statement is written. Parsers report the actions in order
 * but (mostly) without positions, so findings about one action (a DROP COLUMN on line 7 of a
 * 20-line ALTER TABLE) are placed by splitting the statement at its top-level commas.
 */
import type { Dialect } from "../../types.js";
import { tokenize, type Token } from "../lexer.js";
import type { Span } from "../model.js";

/**
 * Spans (file offsets) of the comma-separated actions after `ALTER TABLE [IF EXISTS] [ONLY] name`.
 * `text` is the statement, `base` its offset in the file. Empty when the shape is not recognised.
 */
export function alterTableActionSpans(text: string, base: number, dialect: Dialect): Span[] {
  const toks = tokenize(text, dialect);
  let i = toks.findIndex((t, k) => k < 4 && t.kind === "word" && t.text === "TABLE");
  if (i < 0) return [];
  i++;
  const word = (k: number, w: string) => toks[k]?.kind === "word" && toks[k]!.text === w;
  if (word(i, "IF") && word(i + 1, "EXISTS")) i += 2;
  if (word(i, "ONLY")) i++;
  i = skipName(toks, i);
  if (i < 0) return [];
  if (toks[i]?.kind === "punct" && toks[i]!.text === "*") i++;
  return splitTopLevel(toks, i).map((s) => ({ start: base + s.start, end: base + s.end }));
}

/** Index after a possibly qualified name (`a`, `"A"."b"`, `db.t`), or -1. */
function skipName(toks: Token[], i: number): number {
  const isName = (t: Token | undefined) => t?.kind === "word" || t?.kind === "quoted-ident";
  if (!isName(toks[i])) return -1;
  i++;
  while (toks[i]?.kind === "punct" && toks[i]!.text === "." && isName(toks[i + 1])) i += 2;
  return i;
}

/** Split tokens from `from` at commas outside parentheses/brackets into spans (statement offsets). */
export function splitTopLevel(toks: Token[], from: number): Span[] {
  const out: Span[] = [];
  let depth = 0;
  let segStart = -1;
  let segEnd = -1;
  for (let i = from; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind === "punct") {
      if (t.text === "(" || t.text === "[") depth++;
      else if (t.text === ")" || t.text === "]") depth = Math.max(0, depth - 1);
      else if (t.text === "," && depth === 0) {
        if (segStart >= 0) out.push({ start: segStart, end: segEnd });
        segStart = -1;
        continue;
      }
    }
    if (segStart < 0) segStart = t.start;
    segEnd = t.end;
  }
  if (segStart >= 0) out.push({ start: segStart, end: segEnd });
  return out;
}
