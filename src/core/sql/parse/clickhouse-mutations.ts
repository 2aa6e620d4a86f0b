/**
 * ClickHouse rows deleted or rewritten by a WHERE that filters in name only. ClickHouse has no
 * DELETE or UPDATE without WHERE: `ALTER TABLE t DELETE WHERE …` / `UPDATE … WHERE …`
 * (mutations, which rewrite every data part they touch) and the lightweight `DELETE FROM t WHERE
 * …` / `UPDATE t SET … WHERE …` always have one, so `WHERE 1` is how every row is deleted. Read
 * from tokens (no parser reads ClickHouse): a condition that mentions no column (`1`, `true`,
 * `1 = 1`, `now() > 0`), compares a name with itself (`id = id`), or has an always-true
 * alternative (`… OR 1`) is reported by dml-without-where; anything else counts as a filter.
 */
import type { Token } from "../lexer.js";
import { noFacts, type ObjectName, type Span, type StatementModel } from "../model.js";

/** Words that are not a column of the row. */
const NOT_A_COLUMN = new Set([
  "TRUE",
  "FALSE",
  "NULL",
  "NOT",
  "AND",
  "OR",
  "IS",
  "IN",
  "LIKE",
  "BETWEEN",
  "CASE",
  "WHEN",
  "THEN",
  "ELSE",
  "END",
  "INTERVAL",
  "DAY",
  "HOUR",
  "MINUTE",
  "SECOND",
  "MONTH",
  "YEAR",
  "WEEK",
]);

export interface Mutation {
  kind: "delete" | "update";
  /** Why the condition selects every row, or undefined when it filters. */
  matchesAll?: string;
  span: Span;
}

/** Depth-0 positions of `toks` (outside parentheses and brackets). */
function topLevel(toks: readonly Token[]): boolean[] {
  let depth = 0;
  return toks.map((t) => {
    if (t.kind === "punct" && (t.text === "(" || t.text === "[")) return depth++ === 0;
    if (t.kind === "punct" && (t.text === ")" || t.text === "]")) return --depth === 0;
    return depth === 0;
  });
}

function truthyConstant(toks: readonly Token[]): boolean {
  const t = toks.filter((x) => !(x.kind === "punct" && (x.text === "(" || x.text === ")")));
  if (t.length === 1) {
    const x = t[0]!;
    return (
      (x.kind === "number" && Number(x.text) !== 0) || (x.kind === "word" && x.text === "TRUE")
    );
  }
  return (
    t.length === 3 &&
    t[1]!.text === "=" &&
    (t[0]!.kind === "number" || t[0]!.kind === "string") &&
    t[0]!.kind === t[2]!.kind &&
    t[0]!.text === t[2]!.text
  );
}

/** Why `cond` selects every row (all or none), or undefined when it may filter. */
export function conditionMatchesAll(cond: readonly Token[]): string | undefined {
  if (cond.length === 0) return undefined;
  const mentionsRow = cond.some(
    (t, i) =>
      t.kind === "quoted-ident" ||
      (t.kind === "word" && !NOT_A_COLUMN.has(t.text) && cond[i + 1]?.text !== "("),
  );
  if (!mentionsRow) return "does not refer to the table's rows, so it selects all of them or none";
  const top = topLevel(cond);
  const bare = cond.filter((t, i) => top[i] && !(t.kind === "punct" && /^[()]$/.test(t.text)));
  if (
    bare.length === 3 &&
    bare[1]!.text === "=" &&
    (bare[0]!.kind === "word" || bare[0]!.kind === "quoted-ident") &&
    bare[0]!.text === bare[2]!.text
  )
    return "compares a value with itself, which is true for every row where it is not NULL";
  // `… OR 1`: an alternative that is always true.
  let from = 0;
  for (let i = 0; i <= cond.length; i++) {
    if (i < cond.length && !(top[i] && cond[i]!.kind === "word" && cond[i]!.text === "OR"))
      continue;
    if (truthyConstant(cond.slice(from, i))) return "is always true";
    from = i + 1;
  }
  return undefined;
}

/**
 * The tokens of the condition after the next depth-0 WHERE at or after `from` (an UPDATE's
 * assignments before it are comma-separated), up to a depth-0 comma (the next ALTER action).
 */
function whereAfter(toks: readonly Token[], top: boolean[], from: number): Token[] | null {
  for (let i = from; i < toks.length; i++) {
    if (top[i] && toks[i]!.kind === "word" && toks[i]!.text === "WHERE") {
      let end = i + 1;
      while (end < toks.length && !(top[end] && toks[end]!.text === ",")) end++;
      return toks.slice(i + 1, end) as Token[];
    }
  }
  return null;
}

/**
 * The mutations of `ALTER TABLE t …` (its DELETE and UPDATE actions), given the statement's
 * tokens from its first action on.
 */
export function alterMutations(actionToks: readonly Token[], span: Span): Mutation[] {
  const top = topLevel(actionToks);
  const out: Mutation[] = [];
  for (let i = 0; i < actionToks.length; i++) {
    const t = actionToks[i]!;
    const starts = i === 0 || (top[i - 1] && actionToks[i - 1]!.text === ",");
    if (!starts || !top[i] || t.kind !== "word" || (t.text !== "DELETE" && t.text !== "UPDATE"))
      continue;
    const cond = whereAfter(actionToks, top, i + 1);
    const why = cond ? conditionMatchesAll(cond) : undefined;
    out.push({
      kind: t.text === "DELETE" ? "delete" : "update",
      ...(why ? { matchesAll: why } : {}),
      span,
    });
  }
  return out;
}

/** The model of a lightweight `DELETE FROM t … WHERE …` or `UPDATE t SET … WHERE …`. */
export function lightweightDml(toks: readonly Token[], table: ObjectName): StatementModel | null {
  const kind = toks[0]?.text === "DELETE" ? "delete" : toks[0]?.text === "UPDATE" ? "update" : null;
  if (!kind) return null;
  const top = topLevel(toks);
  const cond = whereAfter(toks, top, 1);
  const why = cond ? conditionMatchesAll(cond) : undefined;
  return {
    kind,
    table,
    hasWhere: cond !== null,
    ...(why ? { matchesAll: `its WHERE clause ${why}` } : {}),
    ...noFacts(),
    writes: [table],
  };
}
