import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, alterActions, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "add-unique-constraint",
  defaultSeverity: "warning",
  dialects: PG,
  category: "locking",
  description: "ADD UNIQUE builds its index while holding an ACCESS EXCLUSIVE lock on the table.",
  saferAlternative:
    "CREATE UNIQUE INDEX CONCURRENTLY in its own migration, then ALTER TABLE … ADD CONSTRAINT … UNIQUE USING INDEX.",
  suppressible: true,
});

export const addUniqueConstraint = sqlRule({
  meta,
  check(ctx, report) {
    for (const { a, table, action } of alterActions(ctx)) {
      const unique =
        (action.type === "add-constraint" &&
          action.constraint.kind === "unique" &&
          !action.constraint.usingIndex) ||
        (action.type === "add-column" && action.column.unique);
      if (!unique) continue;
      if (ctx.isNew("table", table, a.index)) continue;
      report({
        ...ctx.lines(action.span, a),
        message: `Adding a UNIQUE constraint to ${displayName(table)} builds a unique index while holding an ACCESS EXCLUSIVE lock: no reads or writes until it is built, and it fails if duplicates exist.`,
      });
    }
  },
});
