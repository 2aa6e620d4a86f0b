import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { alterActions, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "mysql-modify-column-nullability",
  defaultSeverity: "warning",
  dialects: ["mysql"],
  category: "integrity",
  description:
    "MODIFY/CHANGE COLUMN making a nullable column NOT NULL: with strict SQL mode the statement fails on the first NULL row; without it MySQL silently replaces every NULL with the type's implicit default (0, '', a zero date).",
  saferAlternative:
    "Backfill the NULLs explicitly first (UPDATE … SET c = <value> WHERE c IS NULL, in batches), then make the column NOT NULL restating its whole definition; check that sql_mode includes STRICT_TRANS_TABLES.",
  suppressible: true,
});

export const mysqlModifyColumnNullability = sqlRule({
  meta,
  check(ctx, report) {
    for (const { a, table, action } of alterActions(ctx)) {
      if (action.type !== "alter-column-type" || !action.definition?.notNull) continue;
      const schema = ctx.schema(a.index);
      const merged = schema?.column(table, action.column)?.column;
      // Unknown, NOT NULL already, or a TIMESTAMP whose nullability depends on the server:
      // set-not-null keeps its notice then.
      if (!merged || merged.notNull || merged.nullabilityUnsure) continue;
      const verb = action.syntax === "change" ? "CHANGE" : "MODIFY";
      report({
        ...ctx.lines(action.span, a),
        message: `${verb} COLUMN ${action.column} of ${displayName(table)} ${schema!.decided} makes a nullable column NOT NULL. MySQL rebuilds the table; on existing NULLs, strict SQL mode (STRICT_TRANS_TABLES, the default since 5.7) fails the statement (error 1138 "Invalid use of NULL value", or 1265 when the table is copied; the migration is left dirty), and without strict mode every NULL is silently replaced by the type's implicit default (0, '' or a zero date) with only a warning.`,
      });
    }
  },
});
