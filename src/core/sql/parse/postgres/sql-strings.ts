/** SQL held in a string (a SQL function's body, an EXECUTEd constant), parsed and placed. */
import { parseSync, type Node } from "libpg-query";
import { tokenize } from "../../lexer.js";
import { noEffects, type Effects, type Span, type StatementModel } from "../../model.js";
import { utf8ByteToIndex } from "../../positions.js";
import { merge, shorten } from "../pg-effects.js";
import type { StatementInput } from "../types.js";

/**
 * SQL text held in a string (a SQL function's body, an EXECUTEd constant): every statement in
 * it, located through `fileOffset` (value index → file offset).
 */
export function sqlStrings(
  value: string,
  fileOffset: (i: number) => number,
  span: Span,
  via: string,
  depth: number,
  nested: (node: Node, input: StatementInput) => StatementModel,
  conditional = false,
): Effects {
  const out = noEffects();
  const parsed = parseStatements(value);
  if (!parsed) {
    out.opaque.push({
      span,
      what: `SQL text that cannot be parsed (${shorten(value)})`,
      conditional,
    });
    return out;
  }
  for (const p of parsed) {
    const start = fileOffset(p.start);
    const end = fileOffset(p.end);
    const input: StatementInput = {
      text: value.slice(p.start, p.end),
      base: start,
      span: { start, end: Math.max(end, start + 1) },
    };
    const m = nested(p.node, input);
    const effects = m.effects;
    delete m.effects;
    out.embedded.push({ model: m, span: input.span, via, conditional });
    if (effects) merge(out, effects, conditional);
  }
  return out;
}

/** Parses SQL text into statements with their string ranges (null when it does not parse). */
export function parseStatements(
  text: string,
): Array<{ node: Node; start: number; end: number }> | null {
  let stmts;
  try {
    stmts = parseSync(text).stmts ?? [];
  } catch {
    return null;
  }
  const out: Array<{ node: Node; start: number; end: number }> = [];
  for (const s of stmts) {
    if (!s.stmt) continue;
    const from = s.stmt_location ?? 0;
    const start = utf8ByteToIndex(text, from);
    const end = s.stmt_len ? utf8ByteToIndex(text, from + s.stmt_len) : text.length;
    // Leading whitespace and comments are part of a raw statement's range: skip them.
    const first = tokenize(text, "postgres", start, end)[0];
    out.push({ node: s.stmt, start: first ? first.start : start, end });
  }
  return out;
}
