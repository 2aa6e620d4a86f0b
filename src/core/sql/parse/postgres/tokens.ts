/**
 * The parser's own tokens (libpg-query's scanSync, the server's scanner): positions of what the
 * parse tree does not locate, such as the subcommands of an ALTER TABLE. Scanning costs about as
 * much as parsing, so it is done only for statements that need it, once each, and not at all for
 * the plain text most ALTER TABLEs are (`plainTokens`: about a tenth of a 1 MB lint's CPU was the
 * scanner's WASM call and its JSON).
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
 * never expected. `toks`: the statement's tokens, when the caller has them (the tests pass the
 * scanner's).
 */
export function commandSpans(
  input: StatementInput,
  relation: number,
  count: number,
  toks: PgToken[] = plainTokens(input.text, relation) ?? scanStatement(input.text),
): Span[] | null {
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

// The characters whose tokens the server's scanner and `plainTokens` cut alike. Whitespace is the
// scanner's `space` ([ \t\n\r\f\v]): other Unicode spaces are identifier characters to it.
const PLAIN = /^[A-Za-z0-9_ \t\n\r\f\v(),.;:=*[\]'"]*$/;
const SPACE = /[ \t\n\r\f\v]/;
const WORD = /[A-Za-z0-9_]/;

/**
 * The tokens of `text` from `from` on, for text made only of words, numbers, quoted identifiers,
 * standard strings without backslashes and the punctuation in PLAIN; null for anything else
 * (comments, dollar quotes, escapes, operators, parameters, non-ASCII), which goes to the
 * scanner. `commandSpans` reads only the first and last token of each command and the brackets,
 * commas and dots between them, and on this alphabet those fall where the scanner puts them: a
 * number such as `1.5` comes out as three tokens here and one there, with the same first start
 * and last end; strings and quoted identifiers are read whole (`''` and `""` inside), so their
 * commas and brackets are never counted; `::` is two tokens here, never at a command's edge.
 * A string the scanner would join to the next across a newline is two here, same outer edges.
 * test/core/sql/parse/postgres-tokens.test.ts compares the spans with the scanner's.
 */
export function plainTokens(text: string, from: number): PgToken[] | null {
  const rest = from === 0 ? text : text.slice(from);
  if (!PLAIN.test(rest)) return null;
  const out: PgToken[] = [];
  const n = text.length;
  let i = from;
  while (i < n) {
    const c = text[i]!;
    if (SPACE.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"') {
      // '…' or "…", a doubled quote inside; unterminated: let the scanner say what it is.
      i++;
      for (;;) {
        if (i >= n) return null;
        if (text[i] === c) {
          if (text[i + 1] === c) i += 2;
          else break;
        } else i++;
      }
      i++;
    } else if (WORD.test(c)) {
      while (i < n && WORD.test(text[i]!)) i++;
    } else i++;
    out.push({ start, end: i, text: text.slice(start, i) });
  }
  return out;
}
