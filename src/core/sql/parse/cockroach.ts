/**
 * CockroachDB spellings that Postgres' grammar lacks, read as the Postgres statement with the
 * same effect on what the rules look at. Tried only when a CockroachDB statement does not parse
 * as written, so nothing that parses today is read differently.
 *
 * The rewrite keeps the text's length and line breaks (words are blanked or swapped for words of
 * the same length), so every position the parser reports is a position in the file, as with the
 * masked templates. Only words outside strings, quoted names and comments are touched (lexer
 * tokens), and only in the statements where CockroachDB defines them:
 *
 * - `DROP INDEX [IF EXISTS] [schema.]table@index` (and `ALTER INDEX table@index`): the index by
 *   its name, `table@` blanked (CockroachDB names an index through its table).
 * - `CREATE [UNIQUE] INVERTED INDEX`: an inverted (GIN-like) index; `INVERTED` blanked.
 * - `STORING (…)` in CREATE INDEX: Postgres' `INCLUDE (…)`, the same seven letters.
 * - `USING HASH` after the column list of CREATE INDEX (a hash-sharded index): blanked.
 *   Postgres' own `USING hash (…)` before the column list is left as it is.
 * - `ADD CONSTRAINT IF NOT EXISTS name` in ALTER TABLE: `IF NOT EXISTS` blanked.
 */
import { tokenize, type Token } from "../lexer.js";

export function cockroachAsPostgres(text: string): string | null {
  const toks = tokenize(text, "cockroachdb");
  const word = (i: number): string | undefined =>
    toks[i]?.kind === "word" ? toks[i]!.text : undefined;
  const punct = (i: number, p: string): boolean => toks[i]?.kind === "punct" && toks[i]!.text === p;
  const out = text.split("");
  let changed = false;
  const blank = (from: Token, to: Token = from): void => {
    for (let k = from.start; k < to.end; k++) if (out[k] !== "\n" && out[k] !== "\r") out[k] = " ";
    changed = true;
  };

  const first = word(0);
  let i = 1;
  if (first === "CREATE" && word(i) === "UNIQUE") i++;
  const createIndex =
    first === "CREATE" &&
    (word(i) === "INDEX" || (word(i) === "INVERTED" && word(i + 1) === "INDEX"));
  if (createIndex && word(i) === "INVERTED") blank(toks[i]!);
  const indexByTable = (first === "DROP" || first === "ALTER") && word(1) === "INDEX";
  const alterTable = first === "ALTER" && word(1) === "TABLE";

  let depth = 0;
  let columnsRead = false;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (punct(k, "(")) depth++;
    else if (punct(k, ")")) {
      depth--;
      if (depth === 0) columnsRead = true;
    }
    if (depth > 0) continue;
    if (indexByTable && punct(k, "@") && toks[k - 1] && toks[k - 1]!.kind !== "punct") {
      blank(toks[k - 1]!, t);
    } else if (createIndex && word(k) === "STORING" && punct(k + 1, "(")) {
      out.splice(t.start, t.end - t.start, ..."INCLUDE".split(""));
      changed = true;
    } else if (createIndex && columnsRead && word(k) === "USING" && word(k + 1) === "HASH") {
      blank(t, toks[k + 1]!);
    } else if (
      alterTable &&
      word(k) === "CONSTRAINT" &&
      word(k - 1) === "ADD" &&
      word(k + 1) === "IF" &&
      word(k + 2) === "NOT" &&
      word(k + 3) === "EXISTS"
    ) {
      blank(toks[k + 1]!, toks[k + 3]!);
    }
  }
  return changed ? out.join("") : null;
}
