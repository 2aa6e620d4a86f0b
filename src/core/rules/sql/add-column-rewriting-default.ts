import { applyStatement } from "../../schema/build.js";
import { MergedSchema } from "../../schema/merged.js";
import { callsIn, type Routines } from "../../schema/routines.js";
import { displayName, type ColumnDef, type DefaultExpr } from "../../sql/model.js";
import { isBuiltinRoutine } from "../../sql/volatility.js";
import { versionAtLeast } from "../../sql/parse/index.js";
import { ruleMeta } from "../types.js";
import { alterActions, sqlRule, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "add-column-rewriting-default",
  defaultSeverity: "error",
  dialects: ["postgres", "mysql"],
  category: "locking",
  description:
    "ADD COLUMN whose default is computed per row (volatile function, serial, identity, stored generated column; any default before Postgres 11) rewrites the whole table under a blocking lock.",
  saferAlternative:
    "Add the column without the default (or with a constant one), SET DEFAULT for new rows, then backfill existing rows in batches.",
  suppressible: true,
});

export const addColumnRewritingDefault = sqlRule({
  meta,
  check(ctx, report) {
    for (const { a, table, action } of alterActions(ctx)) {
      if (action.type !== "add-column") continue;
      if (ctx.isNew("table", table, a.index)) continue;
      const why = rewriteReason(ctx, action.column, a.index);
      if (!why) continue;
      const effect =
        ctx.dialect === "mysql"
          ? "MySQL cannot add it instantly and rebuilds the whole table"
          : "Postgres rewrites the whole table (and its indexes) while holding an ACCESS EXCLUSIVE lock: no reads or writes until it finishes";
      report({
        ...ctx.lines(action.span, a),
        message: `Column ${action.column.name} is added to ${displayName(table)} with ${why}, so ${effect}.`,
      });
    }
  },
});

function rewriteReason(ctx: SqlRuleContext, c: ColumnDef, index: number): string | null {
  if (c.generated === "stored") return "a stored generated expression computed for every row";
  if (ctx.dialect === "mysql") {
    if (c.default?.volatility === "volatile")
      return `the expression default ${c.default.text}, which MySQL evaluates for every row`;
    return null;
  }
  if (c.generated === "serial")
    return `a serial type (${c.dataType}), whose sequence default fills every row`;
  if (c.generated === "identity") return "an identity, which numbers every existing row";
  const d = c.default;
  if (!d || d.isNull) return null;
  if (ctx.version && !versionAtLeast(ctx.version, 11))
    return `a default (${d.text}), and before Postgres 11 (databaseVersion ${ctx.version.major}) any default is written into every row`;
  if (d.volatility === "volatile" && !declaredNonVolatile(ctx, d, index)) {
    const fns = d.volatileFunctions.map((f) => `${f}()`).join(", ");
    return `the volatile default ${d.text} (${fns} is evaluated for every row; unknown functions count as volatile)`;
  }
  return null;
}

/**
 * Postgres: every call that made the default volatile is a user-defined function whose declared
 * volatility (in the change before this statement, or the merged schema) is IMMUTABLE or STABLE
 * for the overloads the call may pick. Built-in names and undeclared functions stay volatile.
 */
function declaredNonVolatile(ctx: SqlRuleContext, d: DefaultExpr, index: number): boolean {
  if (ctx.dialect !== "postgres" || d.volatileFunctions.includes("(subquery)")) return false;
  // Every suspect below is one of these names: when all are built-in, none can be declared
  // otherwise, and the default's parse and the schema are not needed (most defaults: now(),
  // gen_random_uuid()).
  if (d.volatileFunctions.every(isBuiltinRoutine)) return false;
  const calls = callsIn(d.text);
  if (!calls) return false;
  const routines = ctx.schema(index)?.routines ?? routinesBefore(ctx, index);
  const suspects = calls.filter((c) => d.volatileFunctions.includes(c.name));
  return (
    suspects.length > 0 &&
    suspects.every((c) => {
      if (isBuiltinRoutine(c.name)) return false;
      const v = routines.volatility(c);
      return v === "immutable" || v === "stable";
    })
  );
}

/** Without the merged history: the functions this file declares before statement `index`. */
function routinesBefore(ctx: SqlRuleContext, index: number): Routines {
  const schema = new MergedSchema(ctx.dialect);
  ctx.statements.slice(0, Math.floor(index)).forEach((s) => applyStatement(schema, s, ctx.path));
  return schema.routines;
}
