/**
 * Postgres view definitions as two server versions print the same view. PostgreSQL 15 and older
 * keep the rule's OLD and NEW entries in a view's range table, so pg_get_viewdef qualifies every
 * column of a view over one table (`SELECT users.id FROM public.users`); 16 and later (PGlite is
 * 18) drop them and print `SELECT id FROM public.users`. Drift compares a live server with the
 * sandbox, so a one-table view on a server older than 16 read as changed.
 *
 * `sameViewDefinition` strips the qualifier of that one relation from both texts and compares
 * them. It is safe because the deparser leaves a column unqualified only at the top level of a
 * query over one relation, where `ref.col` and `col` are the same column; inside a subquery
 * every column is qualified on every version, so a correlated `u.id` that became `o.id` still
 * differs. Anything else (a join, several FROM items, a set operation, a function in FROM) is
 * compared as written.
 */

/** The text with the contents of quotes and parentheses blanked (same length), for finding clauses. */
function skeleton(text: string): string {
  let out = "";
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const j = text.indexOf(c, i + 1);
      const end = j === -1 ? text.length : j;
      out += c + " ".repeat(end - i - 1) + (j === -1 ? "" : c);
      i = end;
    } else if (c === "(") {
      out += depth === 0 ? "(" : " ";
      depth++;
    } else if (c === ")") {
      depth = Math.max(0, depth - 1);
      out += depth === 0 ? ")" : " ";
    } else out += depth > 0 ? " " : c;
  }
  return out;
}

const CLAUSE_AFTER_FROM = /\b(?:WHERE|GROUP|HAVING|WINDOW|ORDER|LIMIT|OFFSET|FETCH|FOR)\b|;/i;
const IDENT = /^(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)$/;

/** The name the top-level query's one relation is referred to by, or null when it has several. */
function singleRelation(text: string): string | null {
  const sk = skeleton(text);
  if (/\b(?:UNION|INTERSECT|EXCEPT)\b/i.test(sk)) return null;
  const from = /\bFROM\b/i.exec(sk);
  if (!from) return null;
  const start = from.index + from[0].length;
  const rest = sk.slice(start);
  const stop = CLAUSE_AFTER_FROM.exec(rest);
  const item = rest.slice(0, stop ? stop.index : rest.length);
  if (/[,(]|\bJOIN\b/i.test(item)) return null;
  // The same span of the real text: `schema.table`, `schema.table alias`, `table AS alias`.
  const words = text
    .slice(start, start + item.length)
    .trim()
    .split(/\s+/)
    .filter((w) => w.toUpperCase() !== "AS");
  if (words.length === 0 || words.length > 2) return null;
  const ref = words.length === 2 ? words[1]! : lastPart(words[0]!);
  return ref !== null && IDENT.test(ref) ? ref : null;
}

/** `public.users` → `users`, `"my.schema"."T"` → `"T"`. */
function lastPart(name: string): string | null {
  const parts = name.match(/"(?:[^"]|"")+"|[^.]+/g);
  return parts ? parts[parts.length - 1]! : null;
}

/** `text` without `ref.` before a column, outside string literals and quoted identifiers. */
function unqualified(text: string, ref: string): string {
  const prefix = `${ref}.`;
  let out = "";
  for (let i = 0; i < text.length;) {
    const before = text[i - 1] ?? " ";
    // A function call (`ref.f(…)`) names a schema, not the relation: kept.
    if (
      text.startsWith(prefix, i) &&
      !/[A-Za-z0-9_$."]/.test(before) &&
      !/^(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\s*\(/.test(text.slice(i + prefix.length))
    ) {
      i += prefix.length;
      continue;
    }
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const j = text.indexOf(c, i + 1);
      const end = j === -1 ? text.length : j + 1;
      out += text.slice(i, end);
      i = end;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** The two definitions are the same view, however the server version qualified its columns. */
export function sameViewDefinition(a: string, b: string): boolean {
  if (a === b) return true;
  const ref = singleRelation(a);
  if (ref === null || ref !== singleRelation(b)) return false;
  return unqualified(a, ref) === unqualified(b, ref);
}
