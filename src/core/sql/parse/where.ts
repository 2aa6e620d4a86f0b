/**
 * Does a WHERE clause really filter? `DELETE FROM users WHERE true` deletes every row just like
 * no WHERE at all, and so do `WHERE 1 = 1`, `OR true`, `NOT false`, `'a' = 'a'`, `id = id` (on
 * every row where id is not NULL) and conditions that never mention the table's rows (`WHERE
 * (SELECT count(*) FROM admins) > 0`: all rows or none). Each reader returns why, or undefined
 * when the condition does depend on the row.
 *
 * This file reads Postgres conditions (libpg-query nodes), after pg-where-fold.ts has pushed NOT
 * down to the comparisons, and asks it whether a comparison's sides differ by a constant
 * (`id = id + 0`); node-sql-parser/where.ts reads MySQL and SQLite ones. Anything not understood counts as a real filter (no finding): this catches the
 * usual tricks without flagging honest conditions.
 *
 * A little over 500 lines: one recursive reader whose cases call each other.
 */
import type { Node } from "libpg-query";
import { parseBool } from "../session.js";
import { pgEmptyQuery, pgFoldedTautology, pgPushNot } from "./pg-where-fold.js";

export type Truth = boolean | undefined;

/** The target table's name and alias: column references qualified by them are the row's. */
export interface Target {
  names: string[];
  /** The target table's own name (for subqueries that read the table itself). */
  table?: string;
  /** Other names for the same table whose rows pair up with the target's (MERGE … USING t s). */
  selves?: string[];
  /** Columns of FROM/USING subqueries: an unqualified one of these is not the row's. */
  shadowed?: string[];
}

/** Why a condition selects every row, in the same words for every dialect's reader. */
export const WHY = {
  alwaysTrue: "is always true",
  selfComparison: "compares a value with itself, which is true for every row where it is not NULL",
  noRow: "does not refer to the table's rows, so it selects all of them or none",
  complement:
    "joins a condition and its opposite with OR, which is true for every row (where the value is not NULL)",
  rowId: (col: string) => `tests the system column ${col}, which is never NULL`,
  selfMembership: (col: string, table: string) =>
    `asks whether the row's ${col} is among the ${col} values of ${table} itself, which is true for every row where it is not NULL`,
} as const;

/**
 * Columns every row has and that are never NULL: Postgres' system columns, SQLite's rowid (under
 * its three names; a WITHOUT ROWID table has none and the statement fails), MySQL's `_rowid` (the
 * single integer primary key, under another name).
 */
export const ROW_ID_COLUMNS: Record<"postgres" | "mysql" | "sqlite", ReadonlySet<string>> = {
  postgres: new Set(["ctid", "tableoid", "xmin", "xmax", "cmin", "cmax"]),
  sqlite: new Set(["rowid", "_rowid_", "oid"]),
  mysql: new Set(["_rowid"]),
};

/**
 * One comparison as both readers see it, for `complementary`: operands as a canonical text of
 * their tree (no source locations), `volatile` when either calls a function that may differ
 * between two calls.
 */
export type Atom =
  | { kind: "cmp"; op: string; l: string; r: string; volatile: boolean }
  | { kind: "null-test"; negated: boolean; arg: string };

/** `x IS NULL` / `x IS NOT NULL`, `x < c` / `x >= c` on the same operands: together always true. */
export function complementary(a: Atom | undefined, b: Atom | undefined): boolean {
  if (!a || !b) return false;
  if (a.kind === "null-test" || b.kind === "null-test")
    return (
      a.kind === "null-test" && b.kind === "null-test" && a.negated !== b.negated && a.arg === b.arg
    );
  return COMPLEMENT[a.op] === b.op && a.l === b.l && a.r === b.r && !a.volatile && !b.volatile;
}

/** Some two of the OR's operands are each other's opposite. */
export function anyComplementary(atoms: Array<Atom | undefined>): boolean {
  for (let i = 0; i < atoms.length; i++)
    for (let j = i + 1; j < atoms.length; j++) if (complementary(atoms[i], atoms[j])) return true;
  return false;
}

/** How a condition is built, as far as `nonNullOnly` needs: each reader classifies its nodes. */
export type NullShape<T> =
  { and: T[] } | { or: T[] } | { notNull: string } | { alwaysTrue: true } | undefined;

/**
 * Sets of the row's columns such that the condition holds for every row where all columns of one
 * set are non-NULL (`id IS NOT NULL`, `NOT id IS NULL`, ANDs of such tests and of always-true
 * parts; each qualifying branch of an OR is another set): on NOT NULL columns it selects every row,
 * which only the schema can tell (dml-without-where). Undefined when no set exists.
 */
export function nonNullOnly<T>(n: T, shape: (n: T) => NullShape<T>): string[][] | undefined {
  const s = shape(n);
  if (!s) return undefined;
  if ("alwaysTrue" in s) return [[]];
  if ("notNull" in s) return [[s.notNull]];
  if ("and" in s) {
    let sets: string[][] = [[]];
    for (const x of s.and) {
      const part = nonNullOnly(x, shape);
      if (!part) return undefined;
      sets = sets.flatMap((a) => part.map((b) => [...new Set([...a, ...b])])).slice(0, 16);
    }
    return sets;
  }
  const sets = s.or.flatMap((x) => nonNullOnly(x, shape) ?? []);
  return sets.length > 0 ? sets.slice(0, 16) : undefined;
}

/** The Postgres reader's NullShape. */
export function pgNullShape(target: Target): (n: Node) => NullShape<Node> {
  return (n) => {
    if (pgTruth(n) === true) return { alwaysTrue: true };
    if ("BoolExpr" in n) {
      const args = n.BoolExpr.args ?? [];
      if (n.BoolExpr.boolop === "AND_EXPR") return { and: args };
      if (n.BoolExpr.boolop === "OR_EXPR") return { or: args };
      const inner = args[0];
      if (inner && "NullTest" in inner && inner.NullTest.nulltesttype === "IS_NULL") {
        const col = rowColumn(inner.NullTest.arg, target);
        return col ? { notNull: col } : undefined;
      }
      return undefined;
    }
    const arg =
      "NullTest" in n && n.NullTest.nulltesttype === "IS_NOT_NULL" ? n.NullTest.arg : likeAll(n);
    const col = arg && rowColumn(arg, target);
    return col ? { notNull: col } : undefined;
  };
}

/** `x LIKE '%'` (ILIKE, `~~`; any number of `%`) holds wherever x is not NULL: its x. */
export function likeAll(n: Node): Node | undefined {
  if (!("A_Expr" in n)) return undefined;
  const e = n.A_Expr;
  const op = (e.name ?? []).map((x) => ("String" in x ? x.String.sval : "")).join("");
  if (op !== "~~" && op !== "~~*") return undefined;
  const p = e.rexpr && pgConst(e.rexpr);
  return p && typeof p.v === "string" && /^%+$/.test(p.v) ? e.lexpr : undefined;
}

export function pgMatchesAll(given: Node | undefined, target: Target): string | undefined {
  if (!given) return undefined;
  const where = pgPushNot(given);
  if (pgTruth(where) === true) return WHY.alwaysTrue;
  if (pgTautology(where, target)) return WHY.selfComparison;
  const always = pgAlwaysTrue(where, target);
  if (always) return always;
  if (!pgMentionsRow(where, target, 0)) return WHY.noRow;
  return undefined;
}

/**
 * UPDATE … FROM: a WHERE clause whose every condition either pairs a column of the row with a
 * column of a FROM item (`o.customer_id = c.id`) or does not mention the row at all (`c.active`)
 * selects no subset of the table: every row with a partner is rewritten — the usual full-table
 * backfill. Returns the join conditions as written, for the message; undefined when any condition
 * filters the row itself, or a column cannot be told apart (unqualified, not from a subquery).
 */
export function pgJoinOnly(
  where: Node | undefined,
  target: Target,
  sources: string[],
): string | undefined {
  if (!where || sources.length === 0) return undefined;
  const conjuncts: Node[] = [];
  const flatten = (n: Node) => {
    if ("BoolExpr" in n && n.BoolExpr.boolop === "AND_EXPR")
      for (const a of n.BoolExpr.args ?? []) flatten(a);
    else conjuncts.push(n);
  };
  flatten(where);
  const source = (n: unknown): boolean => {
    const f = columnFields(n);
    if (!f) return false;
    if (f.length === 1) return false; // unqualified: may be the row's own column
    return sources.includes(f[f.length - 2]!) && !target.names.includes(f[f.length - 2]!);
  };
  const joins: string[] = [];
  for (const c of conjuncts) {
    if (!pgMentionsRow(c, target, 0)) continue; // filters the FROM side only
    if (!("A_Expr" in c) || c.A_Expr.kind !== "AEXPR_OP") return undefined;
    const op = (c.A_Expr.name ?? []).map((t) => ("String" in t ? t.String.sval : "")).join("");
    const { lexpr, rexpr } = c.A_Expr;
    const pair =
      (rowColumn(lexpr, target) !== undefined && source(rexpr)) ||
      (rowColumn(rexpr, target) !== undefined && source(lexpr));
    if (op !== "=" || !pair) return undefined;
    joins.push(`${columnFields(lexpr)!.join(".")} = ${columnFields(rexpr)!.join(".")}`);
  }
  return joins.length > 0 ? joins.join(" AND ") : undefined;
}

/** A column reference's fields (`*` for A_Star). */
function columnFields(n: unknown): string[] | undefined {
  const c = obj(obj(n)?.ColumnRef);
  if (!c) return undefined;
  return ((c.fields as unknown[]) ?? []).map((f) =>
    typeof obj(f)?.String === "object" ? String(obj(obj(f)!.String)!.sval ?? "") : "*",
  );
}

/** A reference to a column of the target row (unqualified, or qualified by its name/alias). */
function rowColumn(n: unknown, target: Target): string | undefined {
  const f = columnFields(n);
  if (!f) return undefined;
  if (f.length === 1) return target.shadowed?.includes(f[0]!) ? undefined : f[0];
  return target.names.includes(f[f.length - 2]!) ? f[f.length - 1] : undefined;
}

const COMPLEMENT: Record<string, string> = {
  "<": ">=",
  ">=": "<",
  ">": "<=",
  "<=": ">",
  "=": "<>",
  "<>": "=",
  "!=": "=",
};

/**
 * Conditions true for every row that read like filters: a system column IS NOT NULL, `x IS NULL
 * OR x IS NOT NULL`, `x > 0 OR x <= 0`, membership of the row's column in the same column of the
 * whole table, EXISTS of the row itself in the table. Returns why.
 */
function pgAlwaysTrue(n: Node, target: Target): string | undefined {
  if ("BoolExpr" in n) {
    const args = n.BoolExpr.args ?? [];
    if (n.BoolExpr.boolop === "AND_EXPR") {
      const whys = args.map((a) => (pgTruth(a) === true ? "" : pgAlwaysTrue(a, target)));
      return whys.every((w) => w !== undefined) ? whys.find((w) => w) : undefined;
    }
    if (n.BoolExpr.boolop !== "OR_EXPR") return undefined;
    for (const a of args) {
      const w = pgAlwaysTrue(a, target);
      if (w) return w;
    }
    return anyComplementary(args.map(pgAtom)) ? WHY.complement : undefined;
  }
  if ("NullTest" in n && n.NullTest.nulltesttype === "IS_NOT_NULL") {
    const col = rowColumn(n.NullTest.arg, target);
    if (col && ROW_ID_COLUMNS.postgres.has(col)) return WHY.rowId(col);
  }
  if ("SubLink" in n && target.table) {
    const s = n.SubLink;
    const sel = s.subselect && "SelectStmt" in s.subselect ? s.subselect.SelectStmt : undefined;
    const from = sel?.fromClause ?? [];
    const only = from.length === 1 && from[0] && "RangeVar" in from[0] ? from[0].RangeVar : null;
    if (!sel || !only || only.relname !== target.table) return undefined;
    if (sel.havingClause || sel.limitCount || sel.groupClause) return undefined;
    const alias = only.alias?.aliasname ?? only.relname;
    // A WHERE that keeps every row of the subquery (`WHERE true`, `WHERE NOT (id <> id)`) is none.
    const keepsAll = (w: Node) => pgTruth(w) === true || pgTautology(pgPushNot(w));
    if (s.subLinkType === "ANY_SUBLINK" && (!sel.whereClause || keepsAll(sel.whereClause))) {
      const col = rowColumn(s.testexpr, target);
      const list = sel.targetList ?? [];
      const out = list.length === 1 ? columnFields(obj(obj(list[0])?.ResTarget)?.val) : undefined;
      const op = (s.operName ?? []).map((x) => ("String" in x ? x.String.sval : "")).join("");
      if (col && out && out[out.length - 1] === col && (op === "" || op === "="))
        return WHY.selfMembership(col, target.table);
    }
    if (s.subLinkType === "EXISTS_SUBLINK" && sel.whereClause) {
      const inner: Target = { names: [alias], selves: target.names };
      if (pgTautology(sel.whereClause, inner))
        return `asks whether the row exists in ${target.table} itself, which it does`;
    }
  }
  return undefined;
}

/** A null test or an operator comparison, as `complementary` reads them. */
function pgAtom(n: Node): Atom | undefined {
  const like = likeAll(n);
  if (like) return { kind: "null-test", negated: true, arg: shape(like) };
  if ("NullTest" in n)
    return {
      kind: "null-test",
      negated: n.NullTest.nulltesttype === "IS_NOT_NULL",
      arg: shape(n.NullTest.arg),
    };
  if (!("A_Expr" in n) || n.A_Expr.kind !== "AEXPR_OP") return undefined;
  const x = n.A_Expr;
  return {
    kind: "cmp",
    op: (x.name ?? []).map((t) => ("String" in t ? t.String.sval : "")).join(""),
    l: shape(x.lexpr),
    r: shape(x.rexpr),
    volatile: JSON.stringify(x).includes('"FuncCall"'),
  };
}

type Json = Record<string, unknown>;
const obj = (x: unknown): Json | undefined =>
  x !== null && typeof x === "object" && !Array.isArray(x) ? (x as Json) : undefined;

/** The value of a constant, as Postgres would compare it. */
function pgConst(n: Node): { v: string | number | boolean | null } | undefined {
  if ("A_Const" in n) {
    const c = n.A_Const as Json;
    if (c.isnull) return { v: null };
    const b = obj(c.boolval);
    if (b) return { v: b.boolval === true };
    const i = obj(c.ival);
    if (i) return { v: typeof i.ival === "number" ? i.ival : 0 };
    const f = obj(c.fval);
    if (f) return { v: Number(f.fval) };
    const s = obj(c.sval);
    if (s) return { v: typeof s.sval === "string" ? s.sval : "" };
    return undefined;
  }
  if ("TypeCast" in n && n.TypeCast.arg) {
    const inner = pgConst(n.TypeCast.arg);
    if (!inner) return undefined;
    const names = (n.TypeCast.typeName?.names ?? []).map((x) =>
      "String" in x ? (x.String.sval ?? "") : "",
    );
    const type = names[names.length - 1] ?? "";
    if (type === "bool" || type === "boolean") {
      if (typeof inner.v === "number") return { v: inner.v !== 0 };
      if (typeof inner.v === "string") {
        const b = parseBool(inner.v);
        return b === undefined ? undefined : { v: b };
      }
    }
    if (/^(int[248]?|integer|bigint|smallint|numeric|float[48]|real|decimal)$/.test(type)) {
      const x = Number(inner.v);
      return Number.isFinite(x) ? { v: x } : undefined;
    }
    if (/^(text|varchar|bpchar|char|name)$/.test(type))
      return { v: inner.v === null ? null : String(inner.v) };
    return inner;
  }
  return undefined;
}

function pgTruth(n: Node): Truth {
  const c = pgConst(n);
  if (c) {
    if (typeof c.v === "boolean") return c.v;
    if (typeof c.v === "string") return parseBool(c.v); // an untyped literal read as boolean
    return undefined;
  }
  if ("BoolExpr" in n) {
    const args = (n.BoolExpr.args ?? []).map(pgTruth);
    switch (n.BoolExpr.boolop) {
      case "AND_EXPR":
        return args.every((a) => a === true)
          ? true
          : args.some((a) => a === false)
            ? false
            : undefined;
      case "OR_EXPR":
        return args.some((a) => a === true)
          ? true
          : args.every((a) => a === false)
            ? false
            : undefined;
      case "NOT_EXPR":
        return args[0] === undefined ? undefined : !args[0];
    }
    return undefined;
  }
  if ("A_Expr" in n) {
    const e = n.A_Expr;
    const op = (e.name ?? []).map((x) => ("String" in x ? x.String.sval : "")).join("");
    const l = e.lexpr && pgConst(e.lexpr);
    const r = e.rexpr && pgConst(e.rexpr);
    if (e.kind === "AEXPR_OP" && l && r) return compare(op, l.v, r.v);
    if (e.kind === "AEXPR_NOT_DISTINCT" && l && r) return l.v === r.v;
    if (e.kind === "AEXPR_DISTINCT" && l && r) return l.v !== r.v;
    if (e.kind === "AEXPR_IN" && l && e.rexpr && "List" in e.rexpr) {
      const items = (e.rexpr.List.items ?? []).map(pgConst);
      if (items.every((x) => x !== undefined)) {
        const hit = items.some((x) => compare("=", l.v, x!.v) === true);
        return op === "=" ? hit : op === "<>" ? !hit : undefined;
      }
    }
    return undefined;
  }
  if ("NullTest" in n && n.NullTest.arg) {
    const c2 = pgConst(n.NullTest.arg);
    if (!c2) return undefined;
    const isNull = c2.v === null;
    return n.NullTest.nulltesttype === "IS_NULL" ? isNull : !isNull;
  }
  if ("BooleanTest" in n && n.BooleanTest.arg) {
    const t = pgTruth(n.BooleanTest.arg);
    switch (n.BooleanTest.booltesttype) {
      case "IS_TRUE":
        return t === true;
      case "IS_NOT_FALSE":
        return t !== false && t !== undefined ? true : t === false ? false : undefined;
      case "IS_FALSE":
        return t === false;
      case "IS_NOT_TRUE":
        return t === undefined ? undefined : !t;
    }
    return undefined;
  }
  if ("CaseExpr" in n && n.CaseExpr.defresult) {
    const results = (n.CaseExpr.args ?? []).map((w) => ("CaseWhen" in w ? w.CaseWhen.result : w));
    const all = [...results, n.CaseExpr.defresult].map((r) => (r ? pgTruth(r) : undefined));
    if (all.every((t) => t === all[0])) return all[0];
  }
  if ("SubLink" in n && pgEmptyQuery(n.SubLink.subselect, pgTruth)) {
    if (n.SubLink.subLinkType === "ALL_SUBLINK") return true;
    if (n.SubLink.subLinkType === "ANY_SUBLINK") return false;
  }
  if ("SubLink" in n && n.SubLink.subLinkType === "EXISTS_SUBLINK") {
    // EXISTS (SELECT 1): a subquery with no FROM and no WHERE always has its row.
    const sel = n.SubLink.subselect;
    if (sel && "SelectStmt" in sel) {
      const s = sel.SelectStmt;
      if (
        !s.fromClause?.length &&
        !s.whereClause &&
        !s.havingClause &&
        !s.limitCount &&
        !s.valuesLists
      )
        return true;
    }
  }
  return undefined;
}

/** `a op b` for constants, as SQL compares them; undefined when NULL or not comparable. */
export function compare(op: string, a: unknown, b: unknown): Truth {
  if (a === null || b === null) return undefined; // NULL: never true
  if (typeof a === "boolean" || typeof b === "boolean") {
    if (typeof a === "string") a = parseBool(a);
    if (typeof b === "string") b = parseBool(b);
    if (typeof a !== "boolean" || typeof b !== "boolean") return undefined;
  } else if (typeof a === "number" || typeof b === "number") {
    a = Number(a);
    b = Number(b);
    if (!Number.isFinite(a as number) || !Number.isFinite(b as number)) return undefined;
  }
  const x = a as string | number | boolean;
  const y = b as string | number | boolean;
  switch (op) {
    case "=":
      return x === y;
    case "<>":
    case "!=":
      return x !== y;
    case "<":
      return x < y;
    case ">":
      return x > y;
    case "<=":
      return x <= y;
    case ">=":
      return x >= y;
  }
  return undefined;
}

/**
 * `a = a`, `a >= a`, `a IS NOT DISTINCT FROM a` (no volatile function on either side); with
 * `target.selves`, also `s.id = t.id` where `s` is the same table as the target `t`.
 */
function pgTautology(n: Node, target?: Target): boolean {
  if ("BoolExpr" in n) {
    const args = n.BoolExpr.args ?? [];
    if (n.BoolExpr.boolop === "OR_EXPR") return args.some((a) => pgTautology(a, target));
    if (n.BoolExpr.boolop === "AND_EXPR")
      return args.length > 0 && args.every((a) => pgTautology(a, target) || pgTruth(a) === true);
    return false;
  }
  if (!("A_Expr" in n)) return false;
  if (pgFoldedTautology(n)) return true;
  const e = n.A_Expr;
  if (!e.lexpr || !e.rexpr) return false;
  const op = (e.name ?? []).map((x) => ("String" in x ? x.String.sval : "")).join("");
  const same =
    (shape(e.lexpr) === shape(e.rexpr) || selfPair(e.lexpr, e.rexpr, target)) &&
    !JSON.stringify(e.lexpr).includes('"FuncCall"');
  if (!same) return false;
  if (e.kind === "AEXPR_NOT_DISTINCT") return true;
  return e.kind === "AEXPR_OP" && (op === "=" || op === ">=" || op === "<=");
}

/** `s.col` and `t.col`: the same column of two names for the same table's rows. */
function selfPair(a: unknown, b: unknown, target?: Target): boolean {
  if (!target?.selves?.length) return false;
  const x = columnFields(a);
  const y = columnFields(b);
  if (!x || !y || x.length !== 2 || y.length !== 2 || x[1] !== y[1]) return false;
  const names = [...target.names, ...target.selves];
  return (
    x[0] !== y[0] &&
    names.includes(x[0]!) &&
    names.includes(y[0]!) &&
    (target.selves.includes(x[0]!) || target.selves.includes(y[0]!))
  );
}

/** A node's structure without source locations. */
function shape(n: unknown): string {
  return JSON.stringify(n, (k, v) => (k === "location" ? undefined : v));
}

/**
 * Does the condition refer to the target row? Column references are the row's when unqualified
 * (they may be the table's columns) or qualified by the table's name or alias. Inside a subquery
 * an unqualified name may be the subquery's own: that counts too (it may be correlated).
 */
function pgMentionsRow(n: unknown, target: Target, depth: number): boolean {
  if (Array.isArray(n)) return n.some((x) => pgMentionsRow(x, target, depth));
  const o = obj(n);
  if (!o) return false;
  for (const [k, v] of Object.entries(o)) {
    if (k === "ColumnRef") {
      const fields = ((obj(v)?.fields as unknown[]) ?? []).map((f) =>
        typeof obj(f)?.String === "object" ? String(obj(obj(f)!.String)!.sval ?? "") : "*",
      );
      if (fields.length === 1) {
        if (depth === 0 && target.shadowed?.includes(fields[0]!)) continue;
        return true;
      }
      const rel = fields.length >= 3 ? fields[fields.length - 2]! : fields[0]!;
      if (target.names.includes(rel)) return true;
      continue;
    }
    // Whole-row references (users.*) and plpgsql-style parameters count as the row too.
    if (k === "ParamRef") continue;
    if (pgMentionsRow(v, target, k === "SubLink" ? depth + 1 : depth)) return true;
  }
  return false;
}
