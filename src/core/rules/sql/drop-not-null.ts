import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, alterActions, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "drop-not-null",
  defaultSeverity: "notice",
  dialects: PG,
  category: "compatibility",
  description:
    "ALTER COLUMN … DROP NOT NULL lets NULL into a column that readers (the running application, reports, PL/pgSQL) may assume is never NULL.",
  saferAlternative:
    "Make sure every reader handles NULL first (deploy that before this migration), or keep the column NOT NULL with a sentinel value.",
  suppressible: true,
});

export const dropNotNull = sqlRule({
  meta,
  check(ctx, report) {
    for (const { a, table, action } of alterActions(ctx)) {
      if (action.type !== "drop-not-null") continue;
      // A column this change added has no readers yet.
      if (ctx.isNew("column", { name: action.column }, a.index, table)) continue;
      report({
        ...ctx.lines(action.span, a),
        message: `DROP NOT NULL on ${action.column} of ${displayName(table)}: code that reads the column may assume it is never NULL (a NULL then breaks a comparison, a sum, a non-nullable field in the application) and nothing in the database will say so.`,
      });
    }
  },
});
