import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PARSED_DIALECTS, addedColumnFill, alterActions, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "add-not-null-column-without-default",
  defaultSeverity: "error",
  dialects: PARSED_DIALECTS,
  category: "integrity",
  description:
    "ADD COLUMN … NOT NULL without a default fails on a table with rows, and breaks inserts from code that does not know the column.",
  saferAlternative:
    "Add the column as nullable (or NOT NULL with a constant default), backfill, then add the NOT NULL constraint.",
  suppressible: true,
});

export const addNotNullColumnWithoutDefault = sqlRule({
  meta,
  check(ctx, report) {
    for (const { a, table, action } of alterActions(ctx)) {
      if (action.type === "set-not-null") {
        // The same thing in two steps: ADD COLUMN c int; … ALTER COLUMN c SET NOT NULL.
        const fill = addedColumnFill(ctx, table, action.column, a.index);
        if (fill?.state !== "empty") continue;
        report({
          ...ctx.lines(action.span, a),
          message: `Column ${action.column} was added to ${displayName(table)} ${fill.when} without a default and nothing fills it before this SET NOT NULL: every existing row is NULL in it, so the statement fails as soon as the table has a row, and inserts from the running application, which does not send the column, fail.`,
        });
        continue;
      }
      if (action.type !== "add-column") continue;
      const c = action.column;
      if (!c.notNull || (c.default && !c.default.isNull) || c.generated) continue;
      if (ctx.isNew("table", table, a.index)) continue;
      const why =
        ctx.dialect === "sqlite"
          ? 'SQLite refuses it outright ("Cannot add a NOT NULL column with default value NULL")'
          : ctx.dialect === "mysql"
            ? "MySQL fills existing rows with an implicit zero value, and inserts from the running application, which does not send the column, fail in strict mode"
            : "the statement fails as soon as the table has a row, and inserts from the running application, which does not send the column, fail";
      report({
        ...ctx.lines(action.span, a),
        message: `Column ${c.name} is added to ${displayName(table)} as NOT NULL without a default: ${why}.`,
      });
    }
  },
});
