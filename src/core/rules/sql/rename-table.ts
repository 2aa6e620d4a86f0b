import { displayName, sameObject, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PARSED_DIALECTS, type Lines, sqlRule, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "rename-table",
  defaultSeverity: "error",
  dialects: [...PARSED_DIALECTS, "clickhouse"],
  category: "compatibility",
  description:
    "Renaming a table (also by moving it to another schema, or renaming its schema) breaks every running application version that uses the old name.",
  saferAlternative:
    "Keep the table name and map it in the ORM; or create the new table, keep both in sync (view or trigger), switch the application, then drop the old one.",
  suppressible: true,
});

export const renameTable = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind === "other" && m.renamedSchema) {
        const { from, to } = m.renamedSchema;
        if (ctx.isCertainlyNew("schema", { name: from }, a.index)) continue;
        report({
          ...ctx.at(a),
          message: `Renaming schema ${from} to ${to} renames every table in it at once: the application version that is still running during the deploy (and any rollback of the code) uses the old names, and a schema of the old name created after it is an empty one.`,
        });
        continue;
      }
      const renames: Array<{ from: ObjectName; to: ObjectName; lines: Lines }> =
        m.kind === "rename-tables"
          ? m.renames.map((r) => ({ ...r, lines: ctx.at(a) }))
          : m.kind === "alter-table"
            ? m.actions.flatMap((x) =>
                x.type === "rename-table"
                  ? [{ from: m.table, to: x.to, lines: ctx.lines(x.span, a) }]
                  : [],
              )
            : [];
      for (const r of renames) {
        if (ctx.isCertainlyNew("table", r.from, a.index)) continue;
        // A copy renamed into the place of an existing table this file dropped (which drop-table
        // reports): the name the application uses survives (the old name was a temporary one).
        // Not a name the change created and dropped: `CREATE TABLE tmp …; DROP TABLE tmp;
        // ALTER TABLE users RENAME TO tmp` moves a live table away.
        if (droppedEarlier(ctx, r.to, a.index)) continue;
        report({
          ...r.lines,
          message: `Renaming table ${displayName(r.from)} to ${displayName(r.to)} breaks the application version that is still running during the deploy (and any rollback of the code): its queries use the old name.`,
        });
      }
    }
  },
});

function droppedEarlier(ctx: SqlRuleContext, name: ObjectName, index: number): boolean {
  return ctx.parsed.some(
    (b) =>
      b.index < index &&
      b.model.kind === "drop" &&
      b.model.objectType === "table" &&
      b.model.names.some(
        (n) => sameObject(n, name) && ctx.lossOrigin("table", n, b.index) === null,
      ),
  );
}
