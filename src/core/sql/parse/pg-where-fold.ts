/**
 * Postgres conditions rewritten so that where.ts's readers see through their disguises: NOT
 * pushed down to the comparisons (`NOT (id <> id)` is `id = id`, `NOT (a AND NOT a)` an OR of
 * opposites), and comparisons whose sides differ by a constant (where-fold.ts: `id = id + 0`,
 * `coalesce(id, 0) = id`, `id IN (id)`, `id BETWEEN id - 1 AND id`). Both are exact in SQL's
 * three-valued logic (NOT of NULL is NULL, as the flipped comparison is), so no honest filter
 * turns into a tautology.
 */
import type { Node } from "libpg-query";
import { functionVolatility } from "../volatility.js";
import {
  add,
  alwaysHolds,
  betweenHolds,
  constant,
  difference,
  multiply,
  term,
} from "./where-fold.js";
import type { Linear } from "./where-fold.js";

type Json = Record<string, unknown>;
const obj = (x: unknown): Json | undefined =>
  x !== null && typeof x === "object" && !Array.isArray(x) ? (x as Json) : undefined;

const opName = (names: Node[] | undefined): string =>
  (names ?? []).map((x) => ("String" in x ? x.String.sval : "")).join("");

const NEGATED_OP: Record<string, string> = {
  "=": "<>",
  "<>": "=",
  "!=": "=",
  "<": ">=",
  ">=": "<",
  ">": "<=",
  "<=": ">",
  "~~": "!~~",
  "!~~": "~~",
  "~~*": "!~~*",
  "!~~*": "~~*",
};

const NEGATED_KIND: Record<string, string> = {
  AEXPR_DISTINCT: "AEXPR_NOT_DISTINCT",
  AEXPR_NOT_DISTINCT: "AEXPR_DISTINCT",
  AEXPR_BETWEEN: "AEXPR_NOT_BETWEEN",
  AEXPR_NOT_BETWEEN: "AEXPR_BETWEEN",
  AEXPR_BETWEEN_SYM: "AEXPR_NOT_BETWEEN_SYM",
  AEXPR_NOT_BETWEEN_SYM: "AEXPR_BETWEEN_SYM",
};

const NEGATED_TEST: Record<string, string> = {
  IS_TRUE: "IS_NOT_TRUE",
  IS_NOT_TRUE: "IS_TRUE",
  IS_FALSE: "IS_NOT_FALSE",
  IS_NOT_FALSE: "IS_FALSE",
};

/** The condition with every NOT moved onto what it negates, where SQL has a word for that. */
export function pgPushNot(n: Node): Node {
  if (!("BoolExpr" in n)) return n;
  const args = n.BoolExpr.args ?? [];
  if (n.BoolExpr.boolop !== "NOT_EXPR")
    return { BoolExpr: { ...n.BoolExpr, args: args.map(pgPushNot) } };
  return args.length === 1 ? negate(args[0]!) : n;
}

function negate(n: Node): Node {
  const not: Node = { BoolExpr: { boolop: "NOT_EXPR", args: [n] } };
  if ("BoolExpr" in n) {
    const args = n.BoolExpr.args ?? [];
    if (n.BoolExpr.boolop === "NOT_EXPR") return args.length === 1 ? pgPushNot(args[0]!) : n;
    const boolop = n.BoolExpr.boolop === "AND_EXPR" ? "OR_EXPR" : "AND_EXPR";
    return { BoolExpr: { ...n.BoolExpr, boolop, args: args.map(negate) } };
  }
  if ("A_Expr" in n) {
    const e = n.A_Expr;
    if (e.kind === "AEXPR_OP" && e.lexpr) {
      const op = NEGATED_OP[opName(e.name)];
      return op ? { A_Expr: { ...e, name: [{ String: { sval: op } }] } } : not;
    }
    if (e.kind === "AEXPR_IN") {
      const op = NEGATED_OP[opName(e.name)];
      return op ? { A_Expr: { ...e, name: [{ String: { sval: op } }] } } : not;
    }
    const kind = e.kind ? NEGATED_KIND[e.kind] : undefined;
    return kind ? { A_Expr: { ...e, kind: kind as typeof e.kind } } : not;
  }
  if ("NullTest" in n) {
    const t = n.NullTest.nulltesttype === "IS_NULL" ? "IS_NOT_NULL" : "IS_NULL";
    return { NullTest: { ...n.NullTest, nulltesttype: t } };
  }
  if ("BooleanTest" in n && n.BooleanTest.booltesttype) {
    const t = NEGATED_TEST[n.BooleanTest.booltesttype];
    return t ? { BooleanTest: { ...n.BooleanTest, booltesttype: t as "IS_TRUE" } } : not;
  }
  return not;
}

const isNull = (n: Node): boolean => "A_Const" in n && (n.A_Const as Json).isnull === true;

/** The one output of `SELECT x` without FROM, WHERE, grouping, limits or set operations. */
function bare(n: Node | undefined): Node | undefined {
  const s = n && "SelectStmt" in n ? n.SelectStmt : undefined;
  if (!s || s.fromClause?.length || s.whereClause || s.havingClause || s.groupClause) return;
  if (s.limitCount || s.limitOffset || s.valuesLists || (s.op && s.op !== "SETOP_NONE")) return;
  const list = s.targetList ?? [];
  const t = list.length === 1 && list[0] && "ResTarget" in list[0] ? list[0].ResTarget : undefined;
  return t?.val;
}

/**
 * A subquery that returns no row whatever the data: `LIMIT 0`, or a WHERE that is always false
 * (without aggregates, which return a row of their own). `x NOT IN (…)` and `x <> ALL (…)` of it
 * are true for every row, even where x is NULL.
 */
export function pgEmptyQuery(
  n: Node | undefined,
  truth: (n: Node) => boolean | undefined,
): boolean {
  const s = n && "SelectStmt" in n ? n.SelectStmt : undefined;
  if (!s || s.valuesLists || (s.op && s.op !== "SETOP_NONE")) return false;
  const limit = s.limitCount && "A_Const" in s.limitCount ? pgLinear(s.limitCount) : undefined;
  if (limit && limit.terms.size === 0 && limit.c === 0) return true;
  if (!s.whereClause || truth(s.whereClause) !== false) return false;
  return (
    Boolean(s.groupClause?.length) || (!s.havingClause && !key(s.targetList).includes('"FuncCall"'))
  );
}

/** A tree's text without source positions, as the key of a term. */
function key(n: unknown): string {
  return JSON.stringify(n, (k, v) =>
    k === "location" || k.endsWith("_start") || k.endsWith("_end") ? undefined : v,
  );
}

/**
 * Every call in the tree is one whose two calls in a statement give the same value (an immutable
 * or stable built-in): `lower(email) = lower(email)` holds, `random() = random()` does not. A
 * schema-qualified name other than pg_catalog may be the change's own function.
 */
function deterministic(n: unknown): boolean {
  if (Array.isArray(n)) return n.every(deterministic);
  const o = obj(n);
  if (!o) return true;
  const call = obj(o.FuncCall);
  if (call) {
    const names = ((call.funcname as unknown[]) ?? []).map((x) =>
      String(obj(obj(x)?.String)?.sval ?? ""),
    );
    const name = names[names.length - 1] ?? "";
    if (names.length > 2 || (names.length === 2 && names[0] !== "pg_catalog")) return false;
    const v = functionVolatility(name);
    if (v !== "immutable" && v !== "stable") return false;
  }
  return Object.values(o).every(deterministic);
}

/** The expression as a linear form over its terms; undefined when it may differ between calls. */
export function pgLinear(n: Node | undefined): Linear | undefined {
  if (!n) return undefined;
  if ("A_Const" in n) {
    const c = n.A_Const as Json;
    if (c.isnull) return undefined; // NULL = NULL is not true
    const i = obj(c.ival);
    if (i) return constant(typeof i.ival === "number" ? i.ival : 0);
    const f = obj(c.fval);
    if (f && Number.isFinite(Number(f.fval))) return constant(Number(f.fval));
    return term(key(n));
  }
  if ("A_Expr" in n && n.A_Expr.kind === "AEXPR_OP") {
    const e = n.A_Expr;
    const op = opName(e.name);
    const r = pgLinear(e.rexpr);
    if (!e.lexpr) {
      if (op === "-" && r) return add(constant(0), r, -1);
      if (op === "+") return r;
    } else if (op === "+" || op === "-" || op === "*") {
      const l = pgLinear(e.lexpr);
      if (!l || !r) return undefined;
      if (op === "*") return multiply(l, r) ?? (deterministic(n) ? term(key(n)) : undefined);
      return add(l, r, op === "+" ? 1 : -1);
    }
  }
  // Where the first argument is not NULL, coalesce(x, …) is x: that is where x = x holds too.
  if ("CoalesceExpr" in n) return pgLinear(n.CoalesceExpr.args?.find((a) => !isNull(a)));
  if ("CaseExpr" in n && n.CaseExpr.defresult) {
    const results = [
      ...(n.CaseExpr.args ?? []).map((w) => ("CaseWhen" in w ? w.CaseWhen.result : undefined)),
      n.CaseExpr.defresult,
    ];
    const forms = results.map(pgLinear);
    const first = forms[0];
    if (first && forms.every((f) => difference(f, first) === 0)) return first;
  }
  // (SELECT x) with nothing else: x itself.
  if ("SubLink" in n && n.SubLink.subLinkType === "EXPR_SUBLINK") {
    const only = bare(n.SubLink.subselect);
    if (only) return pgLinear(only);
  }
  if ("MinMaxExpr" in n) {
    const forms = (n.MinMaxExpr.args ?? []).map(pgLinear);
    const first = forms[0];
    if (first && forms.every((f) => difference(f, first) === 0)) return first;
  }
  if ("CollateClause" in n) return pgLinear(n.CollateClause.arg);
  return deterministic(n) ? term(key(n)) : undefined;
}

/**
 * A comparison, IN list, ANY (ARRAY[…]) or BETWEEN whose outcome its constant differences decide:
 * true for every row where its operands are not NULL.
 */
export function pgFoldedTautology(n: Node): boolean {
  if (!("A_Expr" in n)) return false;
  const e = n.A_Expr;
  const op = opName(e.name);
  const l = pgLinear(e.lexpr);
  if (!l) return false;
  switch (e.kind) {
    case "AEXPR_OP":
      return alwaysHolds(op, l, pgLinear(e.rexpr));
    case "AEXPR_NOT_DISTINCT":
      return difference(l, pgLinear(e.rexpr)) === 0;
    case "AEXPR_DISTINCT":
      return alwaysHolds("<>", l, pgLinear(e.rexpr));
    case "AEXPR_IN": {
      const items = e.rexpr && "List" in e.rexpr ? (e.rexpr.List.items ?? []) : [];
      const forms = items.map(pgLinear);
      if (op === "=") return forms.some((f) => alwaysHolds("=", l, f));
      return op === "<>" && forms.length > 0 && forms.every((f) => alwaysHolds("<>", l, f));
    }
    case "AEXPR_OP_ANY": {
      const arr = e.rexpr && "A_ArrayExpr" in e.rexpr ? e.rexpr.A_ArrayExpr.elements : undefined;
      return (arr ?? []).some((x) => alwaysHolds(op, l, pgLinear(x)));
    }
    case "AEXPR_BETWEEN":
    case "AEXPR_NOT_BETWEEN":
    case "AEXPR_BETWEEN_SYM":
    case "AEXPR_NOT_BETWEEN_SYM": {
      const items = e.rexpr && "List" in e.rexpr ? (e.rexpr.List.items ?? []) : [];
      if (items.length !== 2) return false;
      return betweenHolds(
        l,
        pgLinear(items[0]),
        pgLinear(items[1]),
        e.kind.includes("NOT"),
        e.kind.endsWith("SYM"),
      );
    }
  }
  return false;
}
