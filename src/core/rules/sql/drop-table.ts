import { displayName, sameObject, type ObjectName } from "../../sql/model.js";
import type { RuleMeta } from "../types.js";
import { PARSED_DIALECTS, dropContext, type SqlRule, type SqlRuleContext } from "./types.js";

const meta: RuleMeta = {
  id: "drop-table",
  defaultSeverity: "error",
  dialects: [...PARSED_DIALECTS, "clickhouse"],
  category: "data-loss",
  description: "DROP TABLE deletes the table and all its rows; code that still uses it fails.",
  saferAlternative:
    "Stop using the table in the application and deploy that first; back it up (or check it is empty), then drop it in a later migration.",
  suppressible: true,
};

export const dropTable: SqlRule = {
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "drop" || m.objectType !== "table") continue;
      for (const name of m.names) {
        const rebuilt = rebuiltLater(ctx, name, a.index);
        if (rebuilt) {
          report({
            ...ctx.at(a),
            severity: "notice",
            message: `DROP TABLE ${displayName(name)} is part of a table rebuild: ${rebuilt} is renamed to ${displayName(name)} later in this file. Make sure every row was copied into the new table before the old one is dropped.`,
          });
          continue;
        }
        const { severity, note } = dropContext(ctx.origin("table", name, a.index));
        report({
          ...ctx.at(a),
          ...(severity ? { severity } : {}),
          message: `DROP TABLE ${displayName(name)} deletes the table and every row in it, and application code that still reads or writes it starts failing.${note}`,
        });
      }
    }
  },
};

/**
 * The copy-and-swap rebuild (SQLite's way to change a column): a table created in this file
 * replaces the dropped one under its name. Returns the new table's name.
 */
function rebuiltLater(ctx: SqlRuleContext, name: ObjectName, index: number): string | null {
  for (const b of ctx.parsed) {
    if (b.index <= index) continue;
    const m = b.model;
    const renames =
      m.kind === "rename-tables"
        ? m.renames
        : m.kind === "alter-table"
          ? m.actions.flatMap((x) =>
              x.type === "rename-table" ? [{ from: m.table, to: x.to }] : [],
            )
          : [];
    for (const r of renames) {
      if (sameObject(r.to, name) && ctx.origin("table", r.from, b.index) === "file")
        return displayName(r.from);
    }
  }
  return null;
}
