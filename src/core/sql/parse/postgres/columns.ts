/** Column definitions, their defaults and table constraints (CREATE TABLE, ADD COLUMN). */
import type { ColumnDef as PgColumnDef, Constraint, Node } from "libpg-query";
import { tokenReader } from "../../lexer.js";
import type { ColumnDef, ConstraintDef, ConstraintKind, DefaultExpr } from "../../model.js";
import { callVolatility } from "../../volatility.js";
import type { PgContext } from "./context.js";
import { firstLocation, lastName, rel, strings, walk } from "./nodes.js";
import { argType, typeText, withPgType } from "./type-names.js";

const SERIAL_TYPES = new Set([
  "serial",
  "bigserial",
  "smallserial",
  "serial2",
  "serial4",
  "serial8",
]);

export function column(cd: PgColumnDef, ctx: PgContext): ColumnDef {
  const dataType = typeText(cd.typeName);
  const col: ColumnDef = {
    name: cd.colname ?? "",
    dataType,
    ...withPgType(cd.typeName, ctx.loc),
    notNull: cd.is_not_null === true,
    primaryKey: false,
    unique: false,
    check: false,
  };
  if (cd.raw_default) col.default = defaultExpr(cd.raw_default, ctx);
  const collation = strings(cd.collClause?.collname);
  if (collation.length > 0) col.collation = collation.join(".");
  const typeName = lastName(cd.typeName?.names);
  if (SERIAL_TYPES.has(typeName)) col.generated = "serial";
  for (const n of cd.constraints ?? []) {
    if (!("Constraint" in n)) continue;
    const k = n.Constraint;
    switch (k.contype) {
      case "CONSTR_NOTNULL":
        col.notNull = true;
        break;
      case "CONSTR_DEFAULT":
        if (k.raw_expr) col.default = defaultExpr(k.raw_expr, ctx);
        break;
      case "CONSTR_PRIMARY":
        col.primaryKey = true;
        col.notNull = true;
        break;
      case "CONSTR_UNIQUE":
        col.unique = true;
        break;
      case "CONSTR_CHECK":
        col.check = true;
        break;
      case "CONSTR_FOREIGN": {
        col.references = rel(k.pktable);
        const action = ON_DELETE[k.fk_del_action ?? ""];
        if (action) col.onDelete = action;
        break;
      }
      case "CONSTR_IDENTITY":
        col.generated = "identity";
        break;
      case "CONSTR_GENERATED":
        col.generated = k.generated_kind === "s" ? "stored" : "virtual";
        break;
    }
  }
  return col;
}

export function defaultExpr(expr: Node, ctx: PgContext): DefaultExpr {
  const volatileFunctions: string[] = [];
  let stable = false;
  walk(expr, (key, value) => {
    if (key === "FuncCall") {
      const call = value as { funcname?: Node[]; args?: Node[] };
      const fn = lastName(call.funcname);
      const v = callVolatility(fn, (call.args ?? []).map(argType));
      if (v === "volatile" || v === "unknown") volatileFunctions.push(fn);
      else if (v === "stable") stable = true;
    } else if (key === "SQLValueFunction") stable = true;
    else if (key === "SubLink") volatileFunctions.push("(subquery)");
  });
  const isNull = "A_Const" in expr && (expr.A_Const as { isnull?: boolean }).isnull === true;
  return {
    text: exprText(expr, ctx),
    volatility: volatileFunctions.length > 0 ? "volatile" : stable ? "stable" : "constant",
    volatileFunctions,
    isNull,
  };
}

/** The expression as written: from its first token to the end of the clause. */
function exprText(expr: Node, ctx: PgContext): string {
  const min = firstLocation(expr);
  if (min < 0) return "";
  return clauseText(ctx.input.text, ctx.loc.index(min));
}

const CLAUSE_STOP = new Set([
  "NOT",
  "NULL",
  "CONSTRAINT",
  "CHECK",
  "REFERENCES",
  "UNIQUE",
  "PRIMARY",
  "COLLATE",
  "GENERATED",
  "DEFAULT",
]);

/** Text of an expression starting at `from` (statement index) up to the end of its clause. */
function clauseText(text: string, from: number): string {
  const read = tokenReader(text, "postgres", from);
  let depth = 0;
  let end = from;
  for (let i = 0, t = read(); t !== null; i++, t = read()) {
    if (t.kind === "punct") {
      if (t.text === "(" || t.text === "[") depth++;
      else if (t.text === ")" || t.text === "]") {
        if (depth === 0) break;
        depth--;
      } else if (t.text === "," && depth === 0) break;
    } else if (t.kind === "word" && depth === 0 && i > 0 && CLAUSE_STOP.has(t.text)) break;
    end = t.end;
  }
  return text.slice(from, end);
}

export function constraintDef(c: Constraint): ConstraintDef {
  const kind: ConstraintKind =
    c.contype === "CONSTR_PRIMARY"
      ? "primary-key"
      : c.contype === "CONSTR_UNIQUE"
        ? "unique"
        : c.contype === "CONSTR_FOREIGN"
          ? "foreign-key"
          : c.contype === "CONSTR_CHECK"
            ? "check"
            : c.contype === "CONSTR_EXCLUSION"
              ? "exclusion"
              : c.contype === "CONSTR_NOTNULL"
                ? "not-null"
                : "other";
  const d: ConstraintDef = {
    kind,
    notValid: c.skip_validation === true,
    usingIndex: c.indexname !== undefined,
    notEnforced: (kind === "check" || kind === "foreign-key") && c.is_enforced !== true,
    columns: strings(kind === "foreign-key" ? c.fk_attrs : c.keys),
  };
  if (c.conname) d.name = c.conname;
  if (c.pktable) d.references = rel(c.pktable);
  if (kind === "foreign-key" && ON_DELETE[c.fk_del_action ?? ""])
    d.onDelete = ON_DELETE[c.fk_del_action ?? ""];
  const e = c.raw_expr;
  if (kind === "check" && e) {
    const cols = new Set<string>();
    walk(e, (k, v) => {
      if (k !== "ColumnRef") return;
      const f = strings((v as { fields?: Node[] }).fields);
      if (f.length > 0) cols.add(f[f.length - 1]!);
    });
    d.exprColumns = [...cols];
  }
  if (kind === "check" && e && "NullTest" in e && e.NullTest.nulltesttype === "IS_NOT_NULL") {
    const arg = e.NullTest.arg;
    if (arg && "ColumnRef" in arg) {
      const f = strings(arg.ColumnRef.fields);
      if (f.length === 1) d.notNullColumn = f[0]!;
    }
  }
  return d;
}

/**
 * Constraint.fk_del_action: the parser writes `a` (NO ACTION) when no ON DELETE is given, so a
 * written NO ACTION and none look the same; that is the same behaviour.
 */
const ON_DELETE: Record<string, string> = {
  r: "RESTRICT",
  c: "CASCADE",
  n: "SET NULL",
  d: "SET DEFAULT",
};
