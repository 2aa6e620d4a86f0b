import { displayName } from "../../sql/model.js";
import { versionAtLeast } from "../../sql/parse/index.js";
import { ruleMeta } from "../types.js";
import { alterActions, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "add-check-validated",
  defaultSeverity: "warning",
  dialects: ["postgres", "mysql"],
  category: "locking",
  description:
    "Adding a validated CHECK constraint to an existing table scans every row under a lock that blocks writes (MySQL: copies the table).",
  saferAlternative:
    "Postgres: ADD CONSTRAINT … CHECK (…) NOT VALID, then VALIDATE CONSTRAINT in a later migration. MySQL 8.0.16+: add it NOT ENFORCED, fix the data, then ENFORCE it off-peak.",
  suppressible: true,
});

export const addCheckValidated = sqlRule({
  meta,
  check(ctx, report) {
    // MySQL before 8.0.16 parses CHECK and ignores it.
    if (ctx.dialect === "mysql" && ctx.version && !versionAtLeast(ctx.version, 8, 0, 16)) return;
    for (const { a, table, action } of alterActions(ctx)) {
      const isCheck =
        (action.type === "add-constraint" &&
          action.constraint.kind === "check" &&
          !action.constraint.notValid &&
          !action.constraint.notEnforced) ||
        (action.type === "add-column" && action.column.check);
      if (!isCheck) continue;
      if (ctx.isNew("table", table, a.index)) continue;
      report({
        ...ctx.lines(action.span, a),
        message:
          ctx.dialect === "mysql"
            ? `Adding an enforced CHECK constraint to ${displayName(table)} makes MySQL copy the table to validate every row, blocking writes until it finishes.`
            : `Adding a CHECK constraint to ${displayName(table)} without NOT VALID scans every existing row while holding an ACCESS EXCLUSIVE lock: no reads or writes until the scan ends.`,
      });
    }
  },
});
