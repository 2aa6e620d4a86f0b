import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PARSED_DIALECTS, alterActions, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "rename-column",
  defaultSeverity: "error",
  dialects: [...PARSED_DIALECTS, "clickhouse"],
  category: "compatibility",
  description: "Renaming a column breaks every running application version that uses the old name.",
  saferAlternative:
    "Keep the column name and map it in the ORM; or add the new column, write both, backfill, switch reads, then drop the old one.",
  suppressible: true,
});

export const renameColumn = sqlRule({
  meta,
  check(ctx, report) {
    for (const { a, table, action } of alterActions(ctx)) {
      let from: string;
      let to: string;
      if (action.type === "rename-column") {
        from = action.from;
        to = action.to;
      } else if (
        action.type === "alter-column-type" &&
        action.syntax === "change" &&
        action.definition &&
        action.definition.name !== action.column
      ) {
        from = action.column; // MySQL CHANGE old new …
        to = action.definition.name;
      } else continue;
      if (ctx.isCertainlyNew("column", { name: from }, a.index, table)) continue;
      report({
        ...ctx.lines(action.span, a),
        message: `Renaming column ${from} of ${displayName(table)} to ${to} breaks the application version that is still running during the deploy: its queries use the old name.`,
      });
    }
  },
});
