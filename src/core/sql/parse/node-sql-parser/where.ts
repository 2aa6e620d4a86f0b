/**
 * Does a MySQL or SQLite WHERE clause (node-sql-parser's tree) really filter? The same questions
 * as ../where.ts asks of Postgres conditions: always true, a value compared with itself, a
 * condition true for every row (a row id IS NOT NULL, a condition OR its opposite, the row's key
 * among the table's own keys), or no mention of the table's rows. The shared parts (comparison
 * atoms and their opposites, row-id columns, the messages) are ../where.ts's; this file only
 * reads the tree. Anything not understood counts as a real filter.
 */
import {
  ROW_ID_COLUMNS,
  WHY,
  anyComplementary,
  compare,
  type Atom,
  type NullShape,
  type Target,
  type Truth,
} from "../where.js";
import { obj } from "./tree.js";
import { constant as linearConstant, difference } from "../where-fold.js";
import { foldedTautology, linear, notInEmpty, pushNot } from "./where-fold.js";

type Dialect = "mysql" | "sqlite";

/** Why the condition selects every row (for the message), or undefined when it filters. */
export function matchesAll(given: unknown, target: Target, dialect: Dialect): string | undefined {
  if (given === null || given === undefined) return undefined;
  const where = pushNot(given, dialect);
  if (truth(where, dialect) === true) return WHY.alwaysTrue;
  if (tautology(where, dialect)) return WHY.selfComparison;
  const always = alwaysTrue(where, target, dialect);
  if (always) return always;
  if (!mentionsRow(where, target)) return WHY.noRow;
  return undefined;
}

/**
 * Functions whose two calls in one statement may differ: `f(x) = f(x)` is no tautology with them.
 * Any other function (COALESCE, LOWER, IFNULL…) gives the same value for the same row.
 */
const VOLATILE = new Set([
  "RAND",
  "RANDOM",
  "RANDOMBLOB",
  "RANDOM_BYTES",
  "UUID",
  "UUID_SHORT",
  "SYS_GUID",
  "SYSDATE",
  "NEXTVAL",
  "LASTVAL",
  "SETVAL",
  "LAST_INSERT_ID",
  "CHANGES",
  "SLEEP",
  "GET_LOCK",
]);

function functionName(o: Record<string, unknown>): string {
  const parts = obj(o.name)?.name;
  const list = Array.isArray(parts) ? parts : [];
  return list
    .map((p) => String(obj(p)?.value ?? ""))
    .join(".")
    .toUpperCase();
}

/** The tree calls a function that may return another value on its next call. */
function volatile(n: unknown): boolean {
  if (Array.isArray(n)) return n.some(volatile);
  const o = obj(n);
  if (!o) return false;
  if (o.type === "function" && VOLATILE.has(functionName(o).split(".").pop()!)) return true;
  // A subquery may read rows the statement itself changes.
  if (o.type === "select" || "ast" in o) return true;
  return Object.values(o).some(volatile);
}

function operator(o: Record<string, unknown>): string {
  return String(o.operator).toUpperCase();
}

/** A comparison or null test, as ../where.ts's `complementary` reads it. */
function atom(n: unknown): Atom | undefined {
  const o = obj(n);
  if (!o) return undefined;
  const like = likeAll(o);
  if (like) return { kind: "null-test", negated: true, arg: JSON.stringify(like) };
  if (o.type === "unary_expr" && operator(o) === "NOT") {
    // NOT (x LIKE '%') is never true, not x IS NULL.
    if (likeAll(obj(o.expr) ?? {})) return undefined;
    const inner = atom(o.expr);
    return inner?.kind === "null-test" ? { ...inner, negated: !inner.negated } : undefined;
  }
  if (o.type !== "binary_expr") return undefined;
  const op = operator(o);
  if ((op === "IS" || op === "IS NOT") && obj(o.right)?.type === "null")
    return { kind: "null-test", negated: op === "IS NOT", arg: JSON.stringify(o.left) };
  return {
    kind: "cmp",
    op: op === "==" ? "=" : op,
    l: JSON.stringify(o.left),
    r: JSON.stringify(o.right),
    volatile: volatile(o),
  };
}

/** `x LIKE '%'` (any number of `%`) holds wherever x is not NULL: its x. */
function likeAll(o: Record<string, unknown>): unknown {
  if (o.type !== "binary_expr" || operator(o) !== "LIKE") return undefined;
  const p = constant(o.right);
  return p && typeof p.v === "string" && /^%+$/.test(p.v) ? o.left : undefined;
}

/** This reader's NullShape (../where.ts `nonNullOnly`). */
export function nullShape(target: Target, dialect: Dialect): (n: unknown) => NullShape<unknown> {
  return (n) => {
    if (truth(n, dialect) === true) return { alwaysTrue: true };
    const o = obj(n);
    if (!o) return undefined;
    if (o.type === "binary_expr" && (operator(o) === "AND" || operator(o) === "&&"))
      return { and: [o.left, o.right] };
    if (
      o.type === "binary_expr" &&
      (operator(o) === "OR" || (operator(o) === "||" && dialect === "mysql"))
    )
      return { or: [o.left, o.right] };
    const a = atom(o);
    if (a?.kind !== "null-test" || !a.negated) return undefined;
    const test = o.type === "unary_expr" ? obj(o.expr) : o;
    const col = rowColumn(likeAll(o) ?? test?.left, target);
    return col ? { notNull: col } : undefined;
  };
}

/** A column of the target row (unqualified, or qualified by its name or alias). */
function rowColumn(n: unknown, target: Target): string | undefined {
  const o = obj(n);
  if (o?.type !== "column_ref") return undefined;
  const t = typeof o.table === "string" ? o.table.toLowerCase() : null;
  if (t !== null && !target.names.includes(t)) return undefined;
  const c = typeof o.column === "string" ? o.column : String(obj(obj(o.column)?.expr)?.value ?? "");
  return c.toLowerCase();
}

/**
 * Conditions true for every row that read like filters: a row id IS NOT NULL, a condition OR its
 * opposite (`x IS NULL OR x IS NOT NULL`, `x > 0 OR x <= 0`), the row's column among the same
 * column of the whole table. AND needs each side to be so (or constant true).
 */
function alwaysTrue(n: unknown, target: Target, dialect: Dialect): string | undefined {
  const o = obj(n);
  if (!o) return undefined;
  if (o.type === "binary_expr" && (operator(o) === "AND" || operator(o) === "&&")) {
    const whys = [o.left, o.right].map((x) =>
      truth(x, dialect) === true ? "" : alwaysTrue(x, target, dialect),
    );
    return whys.every((w) => w !== undefined) ? whys.find((w) => w) : undefined;
  }
  if (
    o.type === "binary_expr" &&
    (operator(o) === "OR" || (operator(o) === "||" && dialect === "mysql"))
  ) {
    const args = disjuncts(o);
    for (const a of args) {
      const w = alwaysTrue(a, target, dialect);
      if (w) return w;
    }
    return anyComplementary(args.map(atom)) ? WHY.complement : undefined;
  }
  const a = atom(o);
  if (a?.kind === "null-test" && a.negated) {
    const test = o.type === "unary_expr" ? obj(o.expr) : o;
    const col = rowColumn(test?.left, target);
    if (col && ROW_ID_COLUMNS[dialect].has(col)) return WHY.rowId(col);
  }
  if (o.type === "binary_expr" && operator(o) === "IN" && target.table) {
    const col = rowColumn(o.left, target);
    const list = obj(o.right)?.value;
    const sub = Array.isArray(list) && list.length === 1 ? obj(obj(list[0])?.ast) : undefined;
    if (col && sub && selectsColumnOf(sub, col, target.table, dialect))
      return WHY.selfMembership(col, target.table);
  }
  return undefined;
}

/** The operands of a chain of ORs. */
function disjuncts(o: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  const walk = (x: unknown) => {
    const b = obj(x);
    if (b?.type === "binary_expr" && (operator(b) === "OR" || operator(b) === "||")) {
      walk(b.left);
      walk(b.right);
    } else out.push(x);
  };
  walk(o);
  return out;
}

/**
 * `SELECT col FROM table` with nothing that drops a row (no WHERE, GROUP BY, HAVING, LIMIT),
 * also through derived tables of the same shape (MySQL wants `(SELECT id FROM (SELECT id FROM
 * t) x)` to read the table it deletes from).
 */
function selectsColumnOf(
  sel: Record<string, unknown>,
  col: string,
  table: string,
  dialect: Dialect,
): boolean {
  if (sel.type !== "select" || sel.groupby || sel.having || sel.with) return false;
  // A WHERE that keeps every row of the subquery (`WHERE 1`, `WHERE NOT (id <> id)`) is none.
  const where = sel.where == null ? undefined : pushNot(sel.where, dialect);
  if (where !== undefined && truth(where, dialect) !== true && !tautology(where, dialect))
    return false;
  if (Array.isArray(obj(sel.limit)?.value) && (obj(sel.limit)!.value as unknown[]).length > 0)
    return false;
  const cols = Array.isArray(sel.columns) ? sel.columns : [];
  const from = Array.isArray(sel.from) ? sel.from : [];
  if (cols.length !== 1 || from.length !== 1) return false;
  const out = obj(obj(cols[0])?.expr);
  const f = obj(from[0])!;
  const alias = typeof f.as === "string" ? f.as.toLowerCase() : undefined;
  const name = typeof f.table === "string" ? f.table.toLowerCase() : undefined;
  const inner = obj(obj(f.expr)?.ast);
  const names = [alias, name].filter((x): x is string => x !== undefined);
  if (rowColumn(out, { names }) !== col) return false;
  return inner ? selectsColumnOf(inner, col, table, dialect) : name === table.toLowerCase();
}

function constant(n: unknown): { v: string | number | boolean | null } | undefined {
  const o = obj(n);
  if (!o) return undefined;
  switch (o.type) {
    case "number":
      return { v: Number(o.value) };
    case "bool":
    case "boolean":
      return { v: o.value === true || String(o.value).toUpperCase() === "TRUE" };
    case "null":
      return { v: null };
    case "string":
    case "single_quote_string":
    case "double_quote_string":
    case "natural_string":
      return { v: String(o.value ?? "") };
  }
  return undefined;
}

/** MySQL and SQLite read a value as a number in a boolean context: '1abc' is 1, 'abc' is 0. */
function numeric(v: string | number | boolean | null): number | null {
  if (v === null) return null;
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  const m = /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?/i.exec(v);
  return m ? Number(m[0]) : 0;
}

function truth(n: unknown, dialect: "mysql" | "sqlite"): Truth {
  const c = constant(n);
  if (c) {
    const x = numeric(c.v);
    return x === null ? undefined : x !== 0;
  }
  const o = obj(n);
  if (!o) return undefined;
  if (notInEmpty(o, (x) => truth(x, dialect))) return true;
  // Arithmetic whose terms cancel (`id - id + 1`, a CASE of equal results) is its constant.
  const folded = difference(linear(o, volatile), linearConstant(0));
  if (folded !== undefined) return folded !== 0;
  if (o.type === "unary_expr" && String(o.operator).toUpperCase() === "NOT") {
    const t = truth(o.expr, dialect);
    return t === undefined ? undefined : !t;
  }
  if (o.type !== "binary_expr") return undefined;
  const op = String(o.operator).toUpperCase();
  if (op === "AND" || op === "&&") {
    const a = truth(o.left, dialect);
    const b = truth(o.right, dialect);
    return a === true && b === true ? true : a === false || b === false ? false : undefined;
  }
  if (op === "OR" || op === "||") {
    const a = truth(o.left, dialect);
    const b = truth(o.right, dialect);
    return a === true || b === true ? true : a === false && b === false ? false : undefined;
  }
  if (op === "XOR") {
    const a = truth(o.left, dialect);
    const b = truth(o.right, dialect);
    return a === undefined || b === undefined ? undefined : a !== b;
  }
  const l = constant(o.left);
  const r = constant(o.right);
  if (!l || !r) return undefined;
  if (op === "IS" || op === "<=>") return l.v === r.v;
  if (op === "IS NOT") return l.v !== r.v;
  if (l.v === null || r.v === null) return undefined;
  // Strings compare as strings, anything else as numbers.
  const bothStrings = typeof l.v === "string" && typeof r.v === "string";
  const a = bothStrings ? l.v : numeric(l.v);
  const b = bothStrings ? r.v : numeric(r.v);
  return compare(
    op === "==" ? "=" : op,
    dialect === "mysql" && bothStrings ? String(a).toLowerCase().trimEnd() : a,
    dialect === "mysql" && bothStrings ? String(b).toLowerCase().trimEnd() : b,
  );
}

/**
 * `a = a`, `a >= a`, `a IS a`, `a BETWEEN a AND a` over a column (no volatile function); AND of
 * such (or constant true) conditions, OR with one.
 */
function tautology(n: unknown, dialect: Dialect): boolean {
  const o = obj(n);
  if (!o || o.type !== "binary_expr") return false;
  const op = operator(o);
  if (op === "OR" || (op === "||" && dialect === "mysql"))
    return tautology(o.left, dialect) || tautology(o.right, dialect);
  if (op === "AND" || op === "&&")
    return (
      [o.left, o.right].every((x) => tautology(x, dialect) || truth(x, dialect) === true) &&
      (tautology(o.left, dialect) || tautology(o.right, dialect))
    );
  if (foldedTautology(o, volatile)) return true;
  const l = JSON.stringify(o.left);
  const sameColumn = (r: unknown) =>
    l === JSON.stringify(r) && l.includes("column_ref") && !volatile(o.left);
  if (op === "BETWEEN") {
    const bounds = obj(o.right)?.value;
    return Array.isArray(bounds) && bounds.length === 2 && bounds.every(sameColumn);
  }
  if (!["=", "==", ">=", "<=", "<=>", "IS"].includes(op)) return false;
  return sameColumn(o.right);
}

function mentionsRow(n: unknown, target: Target): boolean {
  if (Array.isArray(n)) return n.some((x) => mentionsRow(x, target));
  const o = obj(n);
  if (!o) return false;
  if (o.type === "column_ref") {
    const t = typeof o.table === "string" ? o.table.toLowerCase() : null;
    return t === null || target.names.includes(t);
  }
  if (o.type === "var" || o.type === "param") return true; // a variable may hold the row's key
  return Object.values(o).some((v) => mentionsRow(v, target));
}
