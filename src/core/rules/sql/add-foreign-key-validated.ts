import { displayName, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { ignoresInlineReferences } from "./mysql-inline-references-ignored.js";
import { alterActions, sqlRule, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "add-foreign-key-validated",
  defaultSeverity: "warning",
  dialects: ["postgres", "mysql"],
  category: "locking",
  description:
    "Adding a validated foreign key to an existing table scans it while blocking writes to both tables (MySQL: copies the table).",
  saferAlternative:
    "Postgres: ADD CONSTRAINT … FOREIGN KEY … NOT VALID, then VALIDATE CONSTRAINT in a later migration. MySQL: add it with an online schema-change tool, or off-peak.",
  suppressible: true,
});

export const addForeignKeyValidated = sqlRule({
  meta,
  check(ctx, report) {
    for (const { a, table, action } of alterActions(ctx)) {
      let ref: ObjectName | undefined;
      if (action.type === "add-constraint" && action.constraint.kind === "foreign-key") {
        if (action.constraint.notValid || action.constraint.notEnforced) continue;
        ref = action.constraint.references;
      } else if (action.type === "add-column" && action.column.references) {
        // Servers that ignore an inline REFERENCES add no key: mysql-inline-references-ignored.
        if (ctx.dialect === "mysql" && ignoresInlineReferences(ctx)) continue;
        ref = action.column.references;
      } else continue;
      if (ctx.isNew("table", table, a.index)) continue;
      if (ctx.dialect === "mysql" && foreignKeyChecksOff(ctx, a.index)) continue;
      const target = ref ? displayName(ref) : "the referenced table";
      report({
        ...ctx.lines(action.span, a),
        message:
          ctx.dialect === "mysql"
            ? `Adding a foreign key to ${displayName(table)} (referencing ${target}) with foreign_key_checks on makes MySQL copy the table (ALGORITHM=COPY), blocking writes until it finishes.`
            : `Adding a foreign key to ${displayName(table)} (referencing ${target}) without NOT VALID checks every existing row while holding SHARE ROW EXCLUSIVE locks on both tables: writes to either table wait for the whole scan.`,
      });
    }
  },
});

/** `SET foreign_key_checks = 0` earlier in the file lets MySQL add the key in place. */
export function foreignKeyChecksOff(ctx: SqlRuleContext, index: number): boolean {
  let off = false;
  for (const a of ctx.parsed) {
    if (a.index >= index) break;
    const m = a.model;
    if (m.kind === "set" && m.name === "foreign_key_checks")
      off = m.value !== null && /^(0|off|false)$/i.test(m.value);
  }
  return off;
}
