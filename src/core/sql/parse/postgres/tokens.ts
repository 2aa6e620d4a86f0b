/**
 * The parser's own tokens (libpg-query's scanSync, the server's scanner): positions of what the
 * parse tree does not locate, such as the subcommands of an ALTER TABLE. Scanning costs about as
 * much as parsing, so it is done only for statements that need it, once each.
 */
import { scanSync } from "libpg-query";
import type { Span } from "../../model.js";
import type { StatementInput } from "../types.js";

export interface PgToken {
  /** String indexes into the statement text (the scanner reports UTF-8 byte offsets). */
  start: number;
  end: number;
  text: string;
}

const COMMENTS = new Set(["SQL_COMMENT", "C_COMMENT"]);

/** The statement's tokens without comments, in order. */
export function scanStatement(text: string): PgToken[] {
  const out: PgToken[] = [];
  // Byte offsets → string indexes in one forward pass (tokens come in order).
  let bytes = 0;
  let index = 0;
  const toIndex = (byte: number): number => {
    while (bytes < byte && index < text.length) {
      const c = text.charCodeAt(index);
      if (c < 0x80) bytes += 1;
      else if (c < 0x800) bytes += 2;
      else if (c >= 0xd800 && c <= 0xdbff && index + 1 < text.length) {
        bytes += 4;
        index++;
      } else bytes += 3;
      index++;
    }
    return index;
  };
  for (const t of scanSync(text).tokens ?? []) {
    if (COMMENTS.has(t.tokenName)) continue;
    const start = toIndex(t.start);
    out.push({ start, end: toIndex(t.end), text: t.text });
  }
  return out;
}

/**
 * Spans (file offsets) of the subcommands of `ALTER TABLE name …` and of the one action of
 * `ALTER TABLE name RENAME …`: from each command's first token to its last, split at top-level
 * commas. `relation` is the statement index where the parser says the table name starts. Null
 * when the commands found are not `count`: a bug (test/core/sql/parse/postgres-spans.test.ts),
 * never expected.
 */
export function commandSpans(
  input: StatementInput,
  relation: number,
  count: number,
): Span[] | null {
  const toks = scanStatement(input.text);
  let i = toks.findIndex((t) => t.start === relation);
  if (i < 0) return null;
  i++; // the name; a qualified one continues with `.` and the next part
  while (toks[i]?.text === "." && toks[i + 1]) i += 2;
  if (toks[i]?.text === "*") i++; // `ALTER TABLE t * …`: descendants too (the default)
  const spans: Span[] = [];
  let depth = 0;
  let first = -1;
  let last = -1;
  const close = () => {
    if (first >= 0)
      spans.push({ start: input.base + toks[first]!.start, end: input.base + toks[last]!.end });
    first = -1;
  };
  for (; i < toks.length; i++) {
    const t = toks[i]!.text;
    if (t === "(" || t === "[") depth++;
    else if (t === ")" || t === "]") depth = Math.max(0, depth - 1);
    else if (t === "," && depth === 0) {
      close();
      continue;
    }
    if (first < 0) first = i;
    last = i;
  }
  close();
  return spans.length === count ? spans : null;
}
