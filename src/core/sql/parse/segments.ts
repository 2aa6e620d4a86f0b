/**
 * Where each action of an ALTER TABLE statement is written, for the token readers (MySQL, SQLite,
 * ClickHouse): findings about one action (a DROP COLUMN on line 7 of a 20-line ALTER TABLE) are
 * placed by splitting the statement at its top-level commas. Postgres uses the parser's own
 * tokens instead (postgres/tokens.ts).
 */
import type { Token } from "../lexer.js";
import type { Span } from "../model.js";

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
