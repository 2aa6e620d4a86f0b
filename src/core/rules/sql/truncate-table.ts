import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import type { AlterAction } from "../../sql/model.js";
import { alterActions, dropContext, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "truncate-table",
  defaultSeverity: "error",
  dialects: ["postgres", "mysql", "cockroachdb", "clickhouse"],
  category: "data-loss",
  description: "TRUNCATE deletes every row of a table, and no down migration can bring them back.",
  saferAlternative:
    "Delete the rows you mean with a scoped DELETE … WHERE (in batches), or confirm the table is disposable and suppress with the reason.",
  suppressible: true,
});

export const truncateTable = sqlRule({
  meta,
  check(ctx, report) {
    if (ctx.dialect === "mysql")
      for (const { a, table, action } of alterActions(ctx)) {
        const what = partitionLoss(action);
        if (!what) continue;
        const { severity, note } = dropContext(ctx.lossOrigin("table", table, a.index));
        report({
          ...ctx.lines(action.span, a),
          ...(severity ? { severity } : {}),
          message: `${what.label} on ${displayName(table)} ${what.effect}; the data cannot be restored by rolling back the migration (MySQL commits DDL implicitly).${note}`,
        });
      }
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "truncate") continue;
      for (const t of m.tables) {
        const { severity, note } = dropContext(ctx.lossOrigin("table", t, a.index));
        const lock =
          ctx.dialect === "mysql"
            ? " MySQL implements it as drop-and-recreate, so it also commits implicitly."
            : ctx.dialect === "clickhouse"
              ? ""
              : " It also takes an ACCESS EXCLUSIVE lock on the table.";
        report({
          ...ctx.at(a),
          ...(severity ? { severity } : {}),
          message: `TRUNCATE ${displayName(t)} deletes every row of the table; the data cannot be restored by rolling back the migration.${lock}${note}`,
        });
      }
    }
  },
});

/**
 * MySQL ALTER TABLE actions that delete rows without a TRUNCATE statement: DROP PARTITION and
 * TRUNCATE PARTITION delete the partitions' rows, DISCARD TABLESPACE deletes the table's (or the
 * partitions') data file.
 */
function partitionLoss(action: AlterAction): { label: string; effect: string } | null {
  if (action.type !== "other") return null;
  const detail = action.detail.toUpperCase();
  if (detail.startsWith("DROP PARTITION"))
    return { label: "DROP PARTITION", effect: "deletes every row stored in those partitions" };
  // ALTER TABLE's only TRUNCATE and DISCARD actions (the detail is cut at 60 characters).
  if (action.option === "TRUNCATE")
    return { label: "TRUNCATE PARTITION", effect: "deletes every row of those partitions" };
  if (action.option === "DISCARD")
    return {
      label: "DISCARD TABLESPACE",
      effect:
        "deletes the table's data file (.ibd), and with it every row, until a tablespace is imported",
    };
  return null;
}
