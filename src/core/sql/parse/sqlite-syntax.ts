/**
 * SQLite syntax node-sql-parser's sqlite mode does not read, though SQLite does: an aggregate's
 * `FILTER (WHERE …)` (3.30+), a CTE before INSERT/UPDATE/DELETE (`WITH [RECURSIVE] … UPDATE …`),
 * `NOT GLOB`, upsert clauses (`ON CONFLICT … DO NOTHING | DO UPDATE SET …`, 3.24+) and
 * `UPDATE OR REPLACE|IGNORE|…` (without it, `UPDATE OR REPLACE t SET …` was no UPDATE at all).
 *
 * Each is masked out of the statement with spaces (offsets stay valid) so node-sql-parser reads
 * the rest, and each masked part is checked on its own by node-sql-parser as a small statement
 * of its own (the CTE list before `SELECT 1`, a FILTER condition as a WHERE clause, an upsert's
 * SET list as an UPDATE's): nothing is masked unread, so bad SQL there is still a parse error.
 */
import { tokenize, type Token } from "../lexer.js";

/** A masked part, re-read as `text`; `at` maps an offset in `text` back to the statement. */
export interface SqliteCheck {
  text: string;
  at: (offset: number) => number;
}

export interface SqliteReading {
  /** The statement with the extensions masked (same length). */
  text: string;
  checks: SqliteCheck[];
  /** Names the leading WITH defines: references to them are not tables. */
  cteNames: string[];
  /** Where syntax added in a later SQLite release is used (offsets into the statement). */
  features: Array<{ feature: "filter" | "upsert"; at: number }>;
}

/** The table the re-read parts name (`SELECT 1 FROM … WHERE cond`): not a read. */
export const PLACEHOLDER = "mw_sqlite_check_placeholder";

const word = (t: Token | undefined, w: string) => t?.kind === "word" && t.text === w;
const punct = (t: Token | undefined, p: string) => t?.kind === "punct" && t.text === p;

/** Index of the `)` closing the `(` at `open`, or -1. */
function closing(toks: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < toks.length; i++) {
    if (punct(toks[i], "(")) depth++;
    else if (punct(toks[i], ")") && --depth === 0) return i;
  }
  return -1;
}

/** Null when none of the extensions is present (or their shape is not recognised). */
export function readSqliteSyntax(text: string): SqliteReading | null {
  const toks = tokenize(text, "sqlite");
  // Offsets are UTF-16 units: mask through an array of units.
  const units = text.split("");
  const mask = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (units[k] !== "\n" && units[k] !== "\r") units[k] = " ";
  };
  // Read from the masked text, so an extension inside another (a FILTER in a CTE) is read too.
  const slice = (a: number, b: number) => units.slice(toks[a]!.start, toks[b]!.end).join("");
  const checks: SqliteCheck[] = [];
  const check = (prefix: string, from: number, to: number, suffix = ""): void => {
    const start = toks[from]!.start;
    checks.push({
      text: prefix + slice(from, to) + suffix,
      at: (o) => start + Math.min(Math.max(0, o - prefix.length), toks[to]!.end - start),
    });
  };
  let changed = false;
  const features: SqliteReading["features"] = [];

  // NOT GLOB: read as NOT LIKE (same length, same operand syntax).
  for (let i = 0; i + 1 < toks.length; i++) {
    if (word(toks[i], "NOT") && word(toks[i + 1], "GLOB")) {
      const g = toks[i + 1]!;
      units.splice(g.start, 4, "L", "I", "K", "E");
      changed = true;
    }
  }

  // agg(…) FILTER (WHERE cond)
  for (let i = 1; i + 3 < toks.length; i++) {
    if (
      punct(toks[i - 1], ")") &&
      word(toks[i], "FILTER") &&
      punct(toks[i + 1], "(") &&
      word(toks[i + 2], "WHERE")
    ) {
      const end = closing(toks, i + 1);
      if (end < 0 || end === i + 3) return null;
      check(`SELECT 1 FROM ${PLACEHOLDER} WHERE `, i + 3, end - 1);
      features.push({ feature: "filter", at: toks[i]!.start });
      mask(toks[i]!.start, toks[end]!.end);
      changed = true;
      i = end;
    }
  }

  // WITH [RECURSIVE] name [(cols)] AS [NOT] [MATERIALIZED] (select), … before INSERT/UPDATE/DELETE.
  const cteNames: string[] = [];
  let body = 0;
  if (word(toks[0], "WITH")) {
    let i = word(toks[1], "RECURSIVE") ? 2 : 1;
    for (;;) {
      const name = toks[i];
      if (!name || (name.kind !== "word" && name.kind !== "quoted-ident")) return null;
      cteNames.push(
        name.kind === "word"
          ? name.text.toLowerCase()
          : text.slice(name.start + 1, name.end - 1).toLowerCase(),
      );
      i++;
      if (punct(toks[i], "(")) i = closing(toks, i) + 1;
      if (i <= 0 || !word(toks[i], "AS")) return null;
      i++;
      if (word(toks[i], "NOT")) i++;
      if (word(toks[i], "MATERIALIZED")) i++;
      if (!punct(toks[i], "(")) return null;
      i = closing(toks, i);
      if (i < 0) return null;
      i++;
      if (punct(toks[i], ",")) {
        i++;
        continue;
      }
      break;
    }
    const head = toks[i];
    if (!(
      word(head, "INSERT") ||
      word(head, "REPLACE") ||
      word(head, "UPDATE") ||
      word(head, "DELETE")
    )) {
      // WITH … SELECT is node-sql-parser's own; anything else is not SQLite.
      return changed ? { text: units.join(""), checks, cteNames: [], features } : null;
    }
    // Checked after the masks above, so a FILTER or NOT GLOB inside a CTE is read too.
    const cteStart = toks[0]!.start;
    const cteEnd = toks[i - 1]!.end;
    const cteText = units.slice(cteStart, cteEnd).join("");
    checks.push({
      text: `${cteText} SELECT 1`,
      at: (o) => cteStart + Math.min(o, cteEnd - cteStart),
    });
    mask(cteStart, cteEnd);
    body = i;
    changed = true;
  }

  // UPDATE OR ROLLBACK|ABORT|REPLACE|FAIL|IGNORE: the conflict clause is keywords only.
  if (
    word(toks[body], "UPDATE") &&
    word(toks[body + 1], "OR") &&
    ["ROLLBACK", "ABORT", "REPLACE", "FAIL", "IGNORE"].some((w) => word(toks[body + 2], w))
  ) {
    mask(toks[body + 1]!.start, toks[body + 2]!.end);
    changed = true;
  }

  // INSERT … ON CONFLICT [(cols) [WHERE cond]] DO NOTHING | DO UPDATE SET … [WHERE cond], …
  if (word(toks[body], "INSERT") || word(toks[body], "REPLACE")) {
    let depth = 0;
    let i = body;
    for (; i < toks.length; i++) {
      if (punct(toks[i], "(")) depth++;
      else if (punct(toks[i], ")")) depth--;
      else if (depth === 0 && word(toks[i], "ON") && word(toks[i + 1], "CONFLICT")) break;
    }
    const upsertStart = i;
    while (word(toks[i], "ON") && word(toks[i + 1], "CONFLICT")) {
      i += 2;
      if (punct(toks[i], "(")) {
        const end = closing(toks, i);
        if (end < 0 || end === i + 1) return null;
        check(`SELECT 1 FROM ${PLACEHOLDER} ORDER BY `, i + 1, end - 1);
        i = end + 1;
        if (word(toks[i], "WHERE")) {
          const stop = clauseEnd(toks, i + 1, true);
          if (stop === i + 1) return null;
          check(`SELECT 1 FROM ${PLACEHOLDER} WHERE `, i + 1, stop - 1);
          i = stop;
        }
      }
      if (!word(toks[i], "DO")) return null;
      if (word(toks[i + 1], "NOTHING")) {
        i += 2;
        continue;
      }
      if (!(word(toks[i + 1], "UPDATE") && word(toks[i + 2], "SET"))) return null;
      const stop = clauseEnd(toks, i + 3);
      if (stop === i + 3) return null;
      check(`UPDATE ${PLACEHOLDER} `, i + 2, stop - 1);
      i = stop;
    }
    if (i > upsertStart) {
      if (i < toks.length && !word(toks[i], "RETURNING")) return null;
      features.push({ feature: "upsert", at: toks[upsertStart]!.start });
      mask(toks[upsertStart]!.start, toks[i - 1]!.end);
      changed = true;
    }
  }
  return changed ? { text: units.join(""), checks, cteNames, features } : null;
}

/**
 * Index of the token that ends an upsert clause: the next top-level ON CONFLICT, RETURNING or
 * end; for a conflict target's WHERE, its DO.
 */
function clauseEnd(toks: Token[], from: number, target = false): number {
  let depth = 0;
  for (let i = from; i < toks.length; i++) {
    if (punct(toks[i], "(")) depth++;
    else if (punct(toks[i], ")")) depth--;
    else if (
      depth === 0 &&
      (word(toks[i], "RETURNING") ||
        (word(toks[i], "ON") && word(toks[i + 1], "CONFLICT")) ||
        (target && word(toks[i], "DO")))
    )
      return i;
  }
  return toks.length;
}
