/**
 * Does a MySQL or SQLite WHERE clause (node-sql-parser's tree) really filter? The same questions
 * as ../where.ts asks of Postgres conditions: always true, a value compared with itself, or no
 * mention of the table's rows. Anything not understood counts as a real filter.
 */
import { compare, type Target, type Truth } from "../where.js";
import { obj } from "./tree.js";

/** Why the condition selects every row (for the message), or undefined when it filters. */
export function matchesAll(
  where: unknown,
  target: Target,
  dialect: "mysql" | "sqlite",
): string | undefined {
  if (where === null || where === undefined) return undefined;
  if (truth(where, dialect) === true) return "is always true";
  if (tautology(where))
    return "compares a value with itself, which is true for every row where it is not NULL";
  if (!mentionsRow(where, target))
    return "does not refer to the table's rows, so it selects all of them or none";
  return undefined;
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

function tautology(n: unknown): boolean {
  const o = obj(n);
  if (!o || o.type !== "binary_expr") return false;
  const op = String(o.operator).toUpperCase();
  if (op === "OR") return tautology(o.left) || tautology(o.right);
  if (op === "AND") return tautology(o.left) && tautology(o.right);
  if (!["=", "==", ">=", "<=", "<=>", "IS"].includes(op)) return false;
  const l = JSON.stringify(o.left);
  return l === JSON.stringify(o.right) && !l.includes('"function"') && l.includes("column_ref");
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
