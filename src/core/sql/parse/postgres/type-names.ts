/** Type names as the parser gives them, as messages write them, and as pg_type names them. */
import type { Node, TypeName } from "libpg-query";
import type { PgType } from "../../model.js";
import type { Locator } from "../types.js";
import { constText, strings } from "./nodes.js";

/** SQL spellings of the internal names the parser gives standard types (`bigint` → int8). */
const SQL_TYPE_NAMES: Record<string, string> = {
  int2: "smallint",
  int4: "integer",
  int8: "bigint",
  float4: "real",
  float8: "double precision",
  bool: "boolean",
  bpchar: "char",
  timestamptz: "timestamptz",
  timetz: "timetz",
};

/** The resolved type name (see PgType); undefined for %TYPE references and missing names. */
export function pgType(t: TypeName | undefined, loc: Locator): PgType | undefined {
  if (!t || t.pct_type) return undefined;
  const names = strings(t.names);
  const name = names[names.length - 1];
  if (!name) return undefined;
  const out: PgType = {
    name,
    mods: (t.typmods ?? []).map(constText).filter((x) => x !== ""),
    array: (t.arrayBounds?.length ?? 0) > 0,
  };
  if (names.length > 1) out.schema = names[names.length - 2]!;
  if (t.location !== undefined && t.location >= 0) out.at = loc.at(t.location);
  return out;
}

export function withPgType(t: TypeName | undefined, loc: Locator): { pgType?: PgType } {
  const r = pgType(t, loc);
  return r ? { pgType: r } : {};
}

/** `varchar(255)`, `bigint[]`: the type for messages, as a reader would write it. */
export function typeText(t: TypeName | undefined): string {
  if (!t) return "?";
  const names = strings(t.names);
  let s = names[names.length - 1] ?? "?";
  if (names.length === 2 && names[0] === "pg_catalog") s = SQL_TYPE_NAMES[s] ?? s;
  // A user type keeps its schema: `app.varchar` is not the built-in varchar.
  else if (names.length > 1) s = names.join(".");
  const mods = (t.typmods ?? []).map(constText).filter((x) => x !== "");
  if (mods.length > 0) s += `(${mods.join(",")})`;
  for (let i = 0; i < (t.arrayBounds?.length ?? 0); i++) s += "[]";
  return s;
}

/**
 * An argument's type as pg_type names it, when the text says it: a cast, or a numeric or boolean
 * literal. null: an untyped string literal (it takes the parameter's type) or an expression.
 */
export function argType(n: Node): string | null {
  if ("TypeCast" in n) {
    const names = strings(n.TypeCast.typeName?.names);
    const t = names[names.length - 1];
    return t !== undefined && (names.length === 1 || names[0] === "pg_catalog")
      ? (PG_TYPE_ALIASES[t] ?? t)
      : null;
  }
  if ("A_Const" in n) {
    const c = n.A_Const as { ival?: unknown; fval?: unknown; boolval?: unknown };
    if (c.ival) return "int4";
    if (c.fval) return "numeric";
    if (c.boolval) return "bool";
  }
  return null;
}

/** Type names a cast may spell differently from pg_type.typname. */
const PG_TYPE_ALIASES: Record<string, string> = {
  integer: "int4",
  int: "int4",
  smallint: "int2",
  bigint: "int8",
  real: "float4",
  boolean: "bool",
};
