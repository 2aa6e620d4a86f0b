/**
 * Which part of a PL/pgSQL `EXECUTE` expression is pasted into the SQL text without quoting: a
 * variable or parameter concatenated with `||`, or given to `format()` for a `%s`. Quoted pieces
 * are string constants, `quote_ident`/`quote_literal`/`quote_nullable`, `format()`'s `%I`/`%L`
 * arguments and `reg*` casts (regclass prints a quoted name). Values passed with `USING` never
 * reach the text, so they are not looked at.
 */
import type { Node } from "libpg-query";
import { parseStatements } from "./sql-strings.js";

type Json = Record<string, unknown>;
const obj = (x: unknown): Json | undefined =>
  x !== null && typeof x === "object" && !Array.isArray(x) ? (x as Json) : undefined;

const QUOTING = new Set(["quote_ident", "quote_literal", "quote_nullable"]);

/** The first unquoted piece of `expr` as written (a name, `$1`, "a subquery"), or null. */
export function unquotedPiece(expr: string): string | null {
  const parsed = parseStatements(`SELECT ${expr}`);
  const select = obj(obj(parsed?.[0]?.node)?.SelectStmt);
  const target = obj(obj((select?.targetList as unknown[] | undefined)?.[0])?.ResTarget);
  if (!target) return null;
  return piece(target.val);
}

function names(list: unknown): string[] {
  return Array.isArray(list)
    ? list.map((n) => String(obj(obj(n)?.String)?.sval ?? "")).filter((s) => s !== "")
    : [];
}

function piece(n: unknown): string | null {
  const o = obj(n);
  if (!o) return null;
  if ("A_Const" in o) return null;
  if ("ColumnRef" in o) return names(obj(o.ColumnRef)?.fields).join(".") || "a variable";
  if ("ParamRef" in o) return `$${String(obj(o.ParamRef)?.number ?? "?")}`;
  if ("SubLink" in o) return "the result of a subquery";
  if ("TypeCast" in o) {
    const t = obj(o.TypeCast)!;
    const type = names(obj(t.typeName)?.names).pop() ?? "";
    // regclass, regproc, regtype… print the object's name quoted as needed.
    if (/^reg[a-z]+$/.test(type)) return null;
    return piece(t.arg);
  }
  if ("FuncCall" in o) {
    const f = obj(o.FuncCall)!;
    const fn = (names(f.funcname).pop() ?? "").toLowerCase();
    const args = Array.isArray(f.args) ? (f.args as Node[]) : [];
    if (QUOTING.has(fn)) return null;
    if (fn === "format") return formatPiece(args);
    for (const a of args) {
      const p = piece(a);
      if (p) return p;
    }
    return null;
  }
  // Operators (||), CASE, COALESCE, lists: any child that pastes something unquoted.
  for (const v of Object.values(o)) {
    if (Array.isArray(v)) {
      for (const x of v) {
        const p = piece(x);
        if (p) return p;
      }
    } else if (obj(v)) {
      const p = piece(v);
      if (p) return p;
    }
  }
  return null;
}

/** format(fmt, args…): the arguments its %s specifiers paste as they are. */
function formatPiece(args: Node[]): string | null {
  const fmt = obj(obj(obj(args[0])?.A_Const)?.sval)?.sval;
  if (typeof fmt !== "string")
    return piece(args[0]) ?? (args.length > 1 ? "format()'s text" : null);
  let next = 1;
  for (const m of fmt.matchAll(/%(?:(\d+)\$)?[-]?(?:\*(?:\d+\$)?|\d+)?([sIL%])/g)) {
    if (m[2] === "%") continue;
    const at = m[1] ? Number(m[1]) : next;
    next = at + 1;
    if (m[2] !== "s") continue;
    const p = piece(args[at]);
    if (p) return p;
  }
  return null;
}
