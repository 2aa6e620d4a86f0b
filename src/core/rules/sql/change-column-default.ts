import { displayName, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { alterActions, sqlRule, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "change-column-default",
  defaultSeverity: "notice",
  // SQLite cannot change a column's default in place.
  dialects: ["postgres", "mysql", "cockroachdb"],
  category: "compatibility",
  description:
    "ALTER COLUMN … SET DEFAULT / DROP DEFAULT (or a MySQL MODIFY/CHANGE whose default differs from the merged one) on an existing column: inserts that omit the column get a different value from now on, including those of the application version still running.",
  saferAlternative:
    "Make every writer send the value explicitly first, then change the default; or keep the default and change the application.",
  suppressible: true,
  optIn: true,
});

/**
 * Off by default (squawk's opt-in ban-set-default): a policy for teams whose writers rely on
 * database defaults. Columns and tables the change created are left alone (no writer relies on
 * them yet), and so are down files (they put back the default the up changed). A MySQL
 * MODIFY/CHANGE is judged only with the merged schema: without it, whether the default differs
 * is unknown.
 */
export const changeColumnDefault = sqlRule({
  meta,
  check(ctx, report) {
    if (ctx.direction === "down") return;
    for (const { a, table, action: x } of alterActions(ctx)) {
      if (ctx.isNew("table", table, a.index)) continue;
      let what: string;
      let to: string | undefined;
      if (x.type === "set-default" || x.type === "drop-default") {
        if (isNewColumn(ctx, table, x.column, a.index)) continue;
        const before = ctx.schema(a.index)?.column(table, x.column)?.column;
        to = x.type === "set-default" && !x.default.isNull ? x.default.text : undefined;
        if (before && same(before.default, to)) continue;
        const how = x.type === "drop-default" ? "DROP DEFAULT" : `SET DEFAULT ${x.default.text}`;
        what = `${how} on ${x.column}`;
      } else if (x.type === "alter-column-type" && x.definition) {
        if (isNewColumn(ctx, table, x.column, a.index)) continue;
        const before = ctx.schema(a.index)?.column(table, x.column)?.column;
        if (!before) continue;
        const d = x.definition.default;
        to = d && !d.isNull ? d.text : undefined;
        if (same(before.default, to)) continue;
        const was = before.default === undefined ? "none" : before.default;
        what = `${x.syntax === "change" ? "CHANGE" : "MODIFY"} ${x.column} with ${to === undefined ? "no default" : `DEFAULT ${to}`} (the merged default: ${was})`;
      } else continue;
      const gets =
        to === undefined
          ? "NULL (or an error, on a NOT NULL column)"
          : `${to} instead of what it got before`;
      report({
        ...ctx.lines(x.span, a),
        message: `${what} of ${displayName(table)}: from now on, every INSERT that leaves the column out stores ${gets}, including those of the application version still running during the deploy and the one an application rollback brings back. Code that relies on the old default (an ORM leaving the column out, a background job, another service) changes behaviour without changing itself.`,
      });
    }
  },
});

function isNewColumn(
  ctx: SqlRuleContext,
  table: ObjectName,
  column: string,
  index: number,
): boolean {
  return ctx.isNew("column", { name: column }, index, table);
}

/** Same default as written, ignoring case and spacing outside quoted strings. */
function same(a: string | undefined, b: string | undefined): boolean {
  const norm = (s: string | undefined) =>
    s
      ?.split(/('(?:[^']|'')*')/)
      .map((p, i) => (i % 2 === 1 ? p : p.replace(/\s+/g, "").toLowerCase()))
      .join("");
  return norm(a) === norm(b);
}
