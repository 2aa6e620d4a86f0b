import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, alterActions, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "set-access-method",
  defaultSeverity: "warning",
  dialects: PG,
  category: "locking",
  description:
    "ALTER TABLE … SET ACCESS METHOD rewrites the whole existing table under an ACCESS EXCLUSIVE lock.",
  saferAlternative:
    "Create a new table with the access method, copy the rows in batches and switch over, or run the change in a maintenance window.",
  suppressible: true,
});

export const setAccessMethod = sqlRule({
  meta,
  check(ctx, report) {
    for (const { a, table, action } of alterActions(ctx)) {
      if (action.type !== "set-storage" || action.storage !== "access-method") continue;
      if (ctx.isNew("table", table, a.index)) continue;
      const to = action.value ? `access method ${action.value}` : "the default access method";
      report({
        ...ctx.lines(action.span, a),
        message: `SET ACCESS METHOD rewrites the existing table ${displayName(table)} into ${to} while holding an ACCESS EXCLUSIVE lock: no reads or writes until it finishes, which on a large table means an outage.`,
      });
    }
  },
});
