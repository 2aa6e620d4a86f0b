import { displayName, sameObject, type ObjectName } from "../../sql/model.js";
import { versionAtLeast } from "../../sql/parse/index.js";
import { ruleMeta } from "../types.js";
import { alterActions, sqlRule, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "set-not-null",
  defaultSeverity: "warning",
  dialects: ["postgres", "mysql"],
  category: "locking",
  description:
    "Making an existing column NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock and fails if any row is NULL.",
  saferAlternative:
    "Postgres 12+: ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID; backfill; VALIDATE CONSTRAINT in a later migration; then SET NOT NULL (no scan) and drop the check.",
  suppressible: true,
});

export const setNotNull = sqlRule({
  meta,
  check(ctx, report) {
    for (const { a, table, action } of alterActions(ctx)) {
      let column: string | undefined;
      let mysqlRestated = false;
      if (action.type === "set-not-null") column = action.column;
      else if (
        action.type === "add-constraint" &&
        action.constraint.kind === "not-null" &&
        !action.constraint.notValid
      )
        column = action.constraint.columns[0]; // Postgres 18: ADD CONSTRAINT … NOT NULL col
      else if (
        ctx.dialect === "mysql" &&
        action.type === "alter-column-type" &&
        action.definition?.notNull
      ) {
        column = action.column;
        mysqlRestated = true;
      }
      if (column === undefined) continue;
      if (ctx.isNew("column", { name: column }, a.index, table)) continue;
      if (ctx.dialect === "postgres" && provenNotNull(ctx, table, column, a.index)) continue;
      const where = `${column} of ${displayName(table)}`;
      report({
        ...ctx.lines(action.span, a),
        ...(mysqlRestated ? { severity: "notice" as const } : {}),
        message: mysqlRestated
          ? `The new definition makes ${where} NOT NULL: if the column allows NULL today, MySQL rebuilds the table and the statement fails on any row that is NULL.`
          : `SET NOT NULL on ${where} scans the whole table while holding an ACCESS EXCLUSIVE lock (no reads or writes), and fails if any row is NULL.`,
      });
    }
  },
});

/**
 * Postgres 12+ skips the scan when a validated CHECK (col IS NOT NULL) already proves it: the
 * documented safe path, so it must not be flagged.
 */
function provenNotNull(
  ctx: SqlRuleContext,
  table: ObjectName,
  column: string,
  index: number,
): boolean {
  if (ctx.version && !versionAtLeast(ctx.version, 12)) return false;
  return ctx
    .visible("constraint", index)
    .some(
      (c) =>
        c.table !== undefined &&
        sameObject(c.table, table) &&
        c.notNullColumn === column &&
        (!c.notValid || (c.validatedAt !== undefined && ctx.before(c.validatedAt, index))),
    );
}
