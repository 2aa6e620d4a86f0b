/**
 * MySQL and SQLite conditions (node-sql-parser's tree) rewritten as ../pg-where-fold.ts rewrites
 * Postgres ones: NOT pushed down to the comparisons (`NOT (id <> id)` is `id = id`), and
 * comparisons whose sides differ by a constant (../where-fold.ts: `id = id + 0`,
 * `IFNULL(id, 0) = id`, `id IN (id)`, `id NOT BETWEEN id + 1 AND id - 1`) read as the
 * tautologies they are, for every row where the operands are not NULL.
 */
import {
  add,
  alwaysHolds,
  betweenHolds,
  constant,
  difference,
  multiply,
  term,
} from "../where-fold.js";
import type { Linear } from "../where-fold.js";
import { obj } from "./tree.js";

type Dialect = "mysql" | "sqlite";
type Json = Record<string, unknown>;

const NEGATED: Record<string, string> = {
  "=": "<>",
  "==": "<>",
  "<>": "=",
  "!=": "=",
  "<": ">=",
  ">=": "<",
  ">": "<=",
  "<=": ">",
  IS: "IS NOT",
  "IS NOT": "IS",
  IN: "NOT IN",
  "NOT IN": "IN",
  BETWEEN: "NOT BETWEEN",
  "NOT BETWEEN": "BETWEEN",
  LIKE: "NOT LIKE",
  "NOT LIKE": "LIKE",
};

const op = (o: Json): string => String(o.operator).toUpperCase();
const isAnd = (o: Json) => o.type === "binary_expr" && (op(o) === "AND" || op(o) === "&&");
const isOr = (o: Json, d: Dialect) =>
  o.type === "binary_expr" && (op(o) === "OR" || (op(o) === "||" && d === "mysql"));

function callName(o: Json): string {
  const parts = obj(o.name)?.name;
  return (Array.isArray(parts) ? parts : [])
    .map((p) => String(obj(p)?.value ?? ""))
    .join(".")
    .toUpperCase();
}

/** What a NOT negates: `NOT x`, `!x`, and MySQL's `NOT (x)`, which the parser reads as a call. */
function negated(o: Json): unknown {
  if (o.type === "unary_expr" && (op(o) === "NOT" || op(o) === "!")) return o.expr;
  if (o.type === "function" && callName(o) === "NOT") {
    const args = obj(o.args)?.value;
    return Array.isArray(args) && args.length === 1 ? args[0] : undefined;
  }
  return undefined;
}

/** The condition with every NOT moved onto what it negates, where SQL has a word for that. */
export function pushNot(n: unknown, d: Dialect): unknown {
  const o = obj(n);
  if (!o) return n;
  const inner = negated(o);
  if (inner !== undefined) return negate(inner, d);
  if (isAnd(o) || isOr(o, d)) return { ...o, left: pushNot(o.left, d), right: pushNot(o.right, d) };
  return n;
}

function negate(n: unknown, d: Dialect): unknown {
  const o = obj(n);
  if (!o) return n;
  const inner = negated(o);
  if (inner !== undefined) return pushNot(inner, d);
  if (isAnd(o) || isOr(o, d))
    return {
      ...o,
      operator: isAnd(o) ? "OR" : "AND",
      left: negate(o.left, d),
      right: negate(o.right, d),
    };
  const flipped = o.type === "binary_expr" ? NEGATED[op(o)] : undefined;
  if (flipped) return { ...o, operator: flipped };
  return { type: "unary_expr", operator: "NOT", expr: n };
}

/** A tree's text without the marks that do not change its value (parentheses, COLLATE). */
function key(n: unknown): string {
  return JSON.stringify(n, (k, v) => (k === "parentheses" || k === "collate" ? undefined : v));
}

/**
 * The expression as a linear form; undefined when it may differ between two evaluations
 * (`volatile`: RAND(), a subquery).
 */
export function linear(n: unknown, volatile: (n: unknown) => boolean): Linear | undefined {
  const o = obj(n);
  if (!o) return undefined;
  if (volatile(o)) return undefined;
  if (o.type === "null") return undefined; // NULL = NULL is not true
  if (o.type === "number" && Number.isFinite(Number(o.value))) return constant(Number(o.value));
  if (o.type === "unary_expr" && (op(o) === "-" || op(o) === "+")) {
    const x = linear(o.expr, volatile);
    return x && op(o) === "-" ? add(constant(0), x, -1) : x;
  }
  if (o.type === "binary_expr" && ["+", "-", "*"].includes(op(o))) {
    const l = linear(o.left, volatile);
    const r = linear(o.right, volatile);
    if (!l || !r) return undefined;
    if (op(o) === "*") return multiply(l, r) ?? term(key(o));
    return add(l, r, op(o) === "+" ? 1 : -1);
  }
  if (o.type === "function") {
    const name = callName(o).split(".").pop()!;
    const args = obj(o.args)?.value;
    const list = Array.isArray(args) ? args : [];
    // Where the first argument is not NULL, COALESCE(x, …) is x: that is where x = x holds too.
    if (name === "COALESCE" || name === "IFNULL")
      return linear(
        list.find((x) => obj(x)?.type !== "null"),
        volatile,
      );
    if (["GREATEST", "LEAST", "MAX", "MIN"].includes(name) && list.length > 1) {
      const forms = list.map((x) => linear(x, volatile));
      const first = forms[0];
      if (first && forms.every((f) => difference(f, first) === 0)) return first;
    }
  }
  if (o.type === "case" && Array.isArray(o.args) && o.args.some((a) => obj(a)?.type === "else")) {
    const forms = o.args.map((a) => linear(obj(a)?.result, volatile));
    const first = forms[0];
    if (first && forms.every((f) => difference(f, first) === 0)) return first;
  }
  return term(key(o));
}

/**
 * `x NOT IN (SELECT … WHERE false)`: a subquery that returns no row whatever the data (a WHERE
 * that is always false, without aggregates, which return a row of their own; `LIMIT 0`) makes
 * `NOT IN` true for every row, even where x is NULL.
 */
export function notInEmpty(n: unknown, truth: (n: unknown) => boolean | undefined): boolean {
  const o = obj(n);
  if (o?.type !== "binary_expr" || op(o) !== "NOT IN") return false;
  const items = obj(o.right)?.value;
  const sel = Array.isArray(items) && items.length === 1 ? obj(obj(items[0])?.ast) : undefined;
  if (sel?.type !== "select" || sel._next || sel.union) return false;
  const limit = obj(sel.limit)?.value;
  const first = Array.isArray(limit) && limit.length === 1 ? obj(limit[0]) : undefined;
  if (first?.type === "number" && Number(first.value) === 0) return true;
  if (!sel.where || truth(sel.where) !== false) return false;
  return (
    Boolean(sel.groupby) ||
    (!sel.having &&
      !key(sel.columns).includes('"aggr_func"') &&
      !key(sel.columns).includes('"function"'))
  );
}

/**
 * A comparison, IN list or BETWEEN whose outcome its constant differences decide: true for
 * every row where its operands are not NULL.
 */
export function foldedTautology(n: unknown, volatile: (n: unknown) => boolean): boolean {
  const o = obj(n);
  if (o?.type !== "binary_expr") return false;
  const operator = op(o);
  const l = linear(o.left, volatile);
  if (!l) return false;
  const items = obj(o.right)?.type === "expr_list" ? obj(o.right)!.value : undefined;
  const forms = (Array.isArray(items) ? items : []).map((x) => linear(x, volatile));
  switch (operator) {
    case "IS":
    case "<=>":
      return difference(l, linear(o.right, volatile)) === 0;
    case "IS NOT":
      return alwaysHolds("<>", l, linear(o.right, volatile));
    case "IN":
      return forms.some((f) => alwaysHolds("=", l, f));
    case "NOT IN":
      return forms.length > 0 && forms.every((f) => alwaysHolds("<>", l, f));
    case "BETWEEN":
    case "NOT BETWEEN":
      return forms.length === 2 && betweenHolds(l, forms[0], forms[1], operator === "NOT BETWEEN");
  }
  return alwaysHolds(operator === "==" ? "=" : operator, l, linear(o.right, volatile));
}
