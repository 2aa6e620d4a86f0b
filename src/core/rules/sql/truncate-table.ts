import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { dropContext, sqlRule } from "./types.js";

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
