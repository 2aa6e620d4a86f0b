/**
 * Postgres functions the migrations declare, with their declared volatility (CREATE FUNCTION …
 * IMMUTABLE / STABLE / VOLATILE, VOLATILE by default) and argument types, so a column default
 * calling a user-defined function is judged by the overload the call picks rather than counted
 * volatile for being unknown.
 *
 * Fail closed: a call is non-volatile only when every declaration it may pick says so. Code the
 * model cannot read, an ALTER or DROP of a function, a declaration it cannot read: the function's
 * name is unknown again (volatile). Built-in names are never taken from a declaration (pg_catalog
 * leads the search path).
 */
import { parseSync, type Node } from "libpg-query";
import type { ObjectName } from "../sql/model.js";
import { argType } from "../sql/parse/postgres/type-names.js";

export type DeclaredVolatility = "immutable" | "stable" | "volatile";

export interface Declaration {
  schema?: string;
  name: string;
  /** Input argument types (pg_type names) in order. */
  args: string[];
  /** Arguments without a DEFAULT. */
  required: number;
  variadic: boolean;
  volatility: DeclaredVolatility;
}

/** A call in an expression: its name and argument types where the text says them. */
export interface Call {
  schema?: string;
  name: string;
  args: Array<string | null>;
}

/** Statement text that may declare, change or drop a function. */
const ROUTINE_DDL = /^\s*(?:CREATE\s+(?:OR\s+REPLACE\s+)?|ALTER\s+|DROP\s+)(?:FUNCTION|ROUTINE|PROCEDURE)\b/i;

export class Routines {
  private decls: Declaration[] = [];

  clone(): Routines {
    const c = new Routines();
    c.decls = this.decls.map((d) => ({ ...d, args: [...d.args] }));
    return c;
  }

  snapshot(): Declaration[] {
    return this.clone().decls;
  }

  static restore(decls: readonly Declaration[]): Routines {
    const r = new Routines();
    r.decls = decls.map((d) => ({ ...d, args: [...d.args] }));
    return r;
  }

  /** Code that may have created or replaced any function ran. */
  forgetAll(): void {
    this.decls = [];
  }

  forget(name: ObjectName): void {
    this.decls = this.decls.filter((d) => d.name !== name.name);
  }

  /** Follow one statement's text (Postgres): declarations are read, any other function DDL forgets. */
  observe(text: string): void {
    if (!ROUTINE_DDL.test(text)) return;
    let stmt: Node | undefined;
    try {
      stmt = parseSync(text).stmts?.[0]?.stmt;
    } catch {
      stmt = undefined;
    }
    const create =
      stmt && "CreateFunctionStmt" in stmt
        ? declaration(stmt.CreateFunctionStmt as Parameters<typeof declaration>[0])
        : null;
    if (!create) {
      // ALTER FUNCTION … VOLATILE, RENAME, DROP (of several), text that does not read: no
      // declaration is vouched for any more.
      this.forgetAll();
      return;
    }
    // CREATE OR REPLACE of the same signature replaces it.
    this.decls = this.decls.filter(
      (d) =>
        !(d.name === create.name && d.schema === create.schema && same(d.args, create.args)),
    );
    this.decls.push(create);
  }

  /**
   * The declared volatility of what `call` runs: the most volatile declaration it may pick (by
   * name, then arity and argument types; an untyped argument fits any). null: not declared.
   */
  volatility(call: Call): DeclaredVolatility | null {
    // An unqualified declaration lands in whichever schema the search_path names first: it may
    // be (or have replaced) the one a qualified call names.
    const named = this.decls.filter(
      (d) =>
        d.name === call.name &&
        (call.schema === undefined || d.schema === undefined || d.schema === call.schema),
    );
    const arity = named.filter(
      (d) =>
        call.args.length >= d.required && (d.variadic || call.args.length <= d.args.length),
    );
    if (arity.length === 0) return null;
    const exact = arity.filter((d) => call.args.every((t, i) => t === null || d.args[i] === t));
    // No exact match: an implicit cast may pick any of them.
    const pool = exact.length > 0 ? exact : arity;
    const rank: Record<DeclaredVolatility, number> = { immutable: 0, stable: 1, volatile: 2 };
    return pool
      .map((d) => d.volatility)
      .reduce((a, b) => (rank[b] > rank[a] ? b : a), "immutable" as DeclaredVolatility);
  }
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

type Strings = Array<{ String?: { sval?: string } }> | undefined;
const svals = (items: Strings): string[] => (items ?? []).map((i) => i.String?.sval ?? "");

function typeName(t: { names?: Strings; arrayBounds?: unknown[] } | undefined): string {
  const names = svals(t?.names);
  return (names[names.length - 1] ?? "?") + "[]".repeat(t?.arrayBounds?.length ?? 0);
}

function declaration(s: {
  funcname?: Strings;
  parameters?: Array<{
    FunctionParameter?: { argType?: { names?: Strings }; mode?: string; defexpr?: unknown };
  }>;
  options?: Array<{ DefElem?: { defname?: string; arg?: { String?: { sval?: string } } } }>;
  is_procedure?: boolean;
}): Declaration | null {
  if (s.is_procedure) return null;
  const fn = svals(s.funcname);
  const inputs = (s.parameters ?? [])
    .map((p) => p.FunctionParameter)
    .filter((p) => p && p.mode !== "FUNC_PARAM_OUT" && p.mode !== "FUNC_PARAM_TABLE");
  let volatility: DeclaredVolatility = "volatile";
  for (const o of s.options ?? []) {
    const v = o.DefElem?.defname === "volatility" ? o.DefElem.arg?.String?.sval : undefined;
    if (v === "immutable" || v === "stable" || v === "volatile") volatility = v;
  }
  return {
    ...(fn.length > 1 ? { schema: fn[fn.length - 2]! } : {}),
    name: fn[fn.length - 1]!,
    args: inputs.map((p) => typeName(p!.argType)),
    required: inputs.filter((p) => p!.defexpr === undefined).length,
    variadic: inputs.some((p) => p!.mode === "FUNC_PARAM_VARIADIC"),
    volatility,
  };
}

/**
 * The function calls of a default expression (Postgres), with the argument types the text
 * states: a cast to a built-in type, an integer, numeric or boolean literal (null otherwise: an
 * untyped string or an expression takes the parameter's type). null when it does not parse.
 */
export function callsIn(expression: string): Call[] | null {
  let root: unknown;
  try {
    root = parseSync(`SELECT (${expression})`).stmts?.[0]?.stmt;
  } catch {
    return null;
  }
  const out: Call[] = [];
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(visit);
    if (!n || typeof n !== "object") return;
    const call = (n as { FuncCall?: { funcname?: Strings; args?: Node[] } }).FuncCall;
    if (call) {
      const fn = svals(call.funcname);
      out.push({
        ...(fn.length > 1 ? { schema: fn[fn.length - 2]! } : {}),
        name: fn[fn.length - 1]!,
        args: (call.args ?? []).map(argType),
      });
    }
    for (const v of Object.values(n)) visit(v);
  };
  visit(root);
  return out;
}
