import { displayName, sameObject, type ObjectName, type Span } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { alterActions, sqlRule, type Analyzed, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "drop-constraint",
  defaultSeverity: "warning",
  dialects: ["postgres", "mysql", "cockroachdb"],
  category: "integrity",
  description:
    "ALTER TABLE … DROP CONSTRAINT (MySQL: DROP FOREIGN KEY / CHECK / PRIMARY KEY) on an existing table removes a guarantee the data and the application rely on; a dropped primary key or unique constraint takes its index with it.",
  saferAlternative:
    "Confirm nothing relies on the constraint (application code, ON CONFLICT targets, foreign keys, query plans); to change one, add the new constraint first (NOT VALID, then VALIDATE) and drop the old one after.",
  suppressible: true,
});

export const dropConstraint = sqlRule({
  meta,
  check(ctx, report) {
    for (const { a, table, action } of alterActions(ctx)) {
      if (action.type !== "drop-constraint") continue;
      const name = { name: action.name };
      // A constraint (or table) this change created guards no deployed data yet, and a down
      // file removing what its up added is the expected rollback.
      if (ctx.origin("constraint", name, a.index, table) || ctx.origin("table", table, a.index))
        continue;
      const what =
        ctx.dialect === "mysql" && action.name.toUpperCase() === "PRIMARY"
          ? "the primary key"
          : `constraint ${action.name}`;
      const t = displayName(table);
      const replaced = readdedLater(ctx, a, action.span, table, action.name);
      report({
        ...ctx.lines(action.span, a),
        ...(replaced ? { severity: "notice" as const } : {}),
        message: replaced
          ? `Dropping ${what} of ${t}, which is added again under the same name ${replaced}: check the new definition still guarantees what the application relies on.`
          : `Dropping ${what} of ${t} removes a guarantee: rows that break it can be written from now on (and must be cleaned up before it can be added back), and a primary key or unique constraint takes its index with it, which ON CONFLICT targets, foreign keys and queries may rely on.`,
      });
    }
  },
});

/**
 * Where the same table gets a constraint of that name again later in this file, or a unique
 * index of that name (a unique constraint turned into an index keeps the guarantee), if it does.
 */
function readdedLater(
  ctx: SqlRuleContext,
  from: Analyzed,
  dropped: Span,
  table: ObjectName,
  name: string,
): string | null {
  const same = (n: string | undefined) => n !== undefined && n.toLowerCase() === name.toLowerCase();
  for (const b of ctx.parsed) {
    const m = b.model;
    if (b.index < from.index) continue;
    if (m.kind === "create-index" && b.index > from.index) {
      if (m.unique && same(m.name?.name) && sameObject(m.table, table))
        return `(as a unique index) on line ${ctx.at(b).startLine}`;
      continue;
    }
    if (m.kind !== "alter-table" || !sameObject(m.table, table)) continue;
    const found = m.actions.find(
      (x) =>
        x.type === "add-constraint" &&
        same(x.constraint.name) &&
        (b.index > from.index || x.span.start > dropped.start),
    );
    if (found)
      return b === from ? "in the same statement" : `on line ${ctx.lines(found.span, b).startLine}`;
  }
  return null;
}
