import { displayName, sameObject, type ObjectName } from "../../sql/model.js";
import { versionAtLeast } from "../../sql/parse/index.js";
import { ruleMeta } from "../types.js";
import { addedColumnFill, alterActions, sqlRule, type SqlRuleContext } from "./types.js";

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
      const added = newColumn(ctx, table, column, a.index);
      if (added === "exempt") continue;
      if (ctx.dialect === "postgres" && provenNotNull(ctx, table, column, a.index)) continue;
      if (added === null && mergedDecides(ctx, table, column, a.index)) continue;
      // The schema knows the column allows NULL: say where that came from.
      const known = added === null ? ctx.schema(a.index) : undefined;
      const decided = known?.column(table, column) ? ` ${known.decided}` : "";
      const where = `${column} of ${displayName(table)}`;
      report({
        ...ctx.lines(action.span, a),
        ...(mysqlRestated ? { severity: "notice" as const } : {}),
        message: mysqlRestated
          ? `The new definition makes ${where} NOT NULL: if the column allows NULL today, MySQL rebuilds the table and the statement fails on any row that is NULL.`
          : `SET NOT NULL on ${where}${decided} scans the whole table while holding an ACCESS EXCLUSIVE lock (no reads or writes), and fails if any row is NULL.${added ? ` ${added}` : ""}`,
      });
    }
  },
});

/**
 * A column the change added is exempt only when the scan has nothing to read: its table was
 * created in the change too, or it was declared NOT NULL (SET NOT NULL is then a no-op), or it
 * was added to the existing table without a default and nothing wrote the table since (every
 * existing row is NULL: the statement fails at the first row, which add-not-null-column-without-
 * default reports, or the table is empty). A column added with a default (`ADD COLUMN c int
 * DEFAULT 0`, instant since Postgres 11) or backfilled is filled in every existing row: SET NOT
 * NULL scans them all under the lock. Returns "exempt", the sentence saying why a new column is
 * still scanned, or null for a column that existed before the change.
 */
function newColumn(
  ctx: SqlRuleContext,
  table: ObjectName,
  column: string,
  index: number,
): "exempt" | string | null {
  const fill = addedColumnFill(ctx, table, column, index);
  switch (fill?.state) {
    case undefined:
      return null;
    case "tentative":
      return "It was added with IF NOT EXISTS, so it may be an existing column with rows to check.";
    case "default":
      return `The column was added ${fill.when} with a default, which fills every existing row of the table: the scan reads all of them.`;
    case "backfilled":
      return `The column was added ${fill.when}, and the table's rows are written (backfilled) before this statement: the scan reads all of them.`;
    default:
      return "exempt";
  }
}

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
  // Code the file cannot read (dynamic SQL) before this statement may drop the check.
  const at = ctx.parsed.find((a) => a.index === index)?.stmt.split.start ?? Infinity;
  if (ctx.opaque.some((o) => o.span.start < at)) return false;
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

/**
 * The merged schema settles it: the column is NOT NULL already (nothing to scan, MODIFY keeps
 * it), Postgres 12+ has a validated CHECK (col IS NOT NULL) from merged history (the split
 * recipe: NOT VALID merged earlier, VALIDATE merged or earlier in the change), or — MySQL — the
 * column is known to allow NULL, which mysql-modify-column-nullability reports with the effect.
 */
function mergedDecides(
  ctx: SqlRuleContext,
  table: ObjectName,
  column: string,
  index: number,
): boolean {
  const schema = ctx.schema(index);
  const found = schema?.column(table, column);
  if (!schema || !found) return false;
  if (found.column.nullabilityUnsure) return false;
  if (found.column.notNull || ctx.dialect === "mysql") return true;
  if (ctx.version && !versionAtLeast(ctx.version, 12)) return false;
  const key = schema.key(column);
  return found.table.checks.some((c) => c.validated && c.notNullColumn === key);
}
