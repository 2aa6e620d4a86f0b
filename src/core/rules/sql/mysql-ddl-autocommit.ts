import { ruleMeta } from "../types.js";
import { sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "mysql-ddl-autocommit",
  defaultSeverity: "warning",
  dialects: ["mysql"],
  category: "transaction",
  description:
    "Several DDL statements in one MySQL migration: each commits on its own, so a failure halfway leaves a partly applied migration and a dirty version.",
  saferAlternative:
    "One DDL statement per migration file (combine changes to one table into a single ALTER TABLE), and make statements idempotent (IF [NOT] EXISTS) so a rerun after a failure works.",
  suppressible: true,
});

export const mysqlDdlAutocommit = sqlRule({
  meta,
  check(ctx, report) {
    const ddl = ctx.parsed.filter((a) => a.model.ddl && !a.nested);
    if (ddl.length < 2) return;
    report({
      startLine: ddl[0]!.stmt.startLine,
      endLine: ddl[ddl.length - 1]!.stmt.endLine,
      message: `This file has ${ddl.length} DDL statements. MySQL commits each one implicitly and golang-migrate runs the file without a transaction, so if a later one fails, the earlier ones stay applied, the version is marked dirty, and the schema stays half-changed until the file is fixed and rerun (each statement that cannot run twice is reported by non-idempotent-non-transactional).`,
    });
  },
});
