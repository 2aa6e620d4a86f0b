import { ruleMeta } from "../types.js";
import { grantStatement, grantedWhat } from "./grant-phrases.js";
import { sqlRule } from "./types.js";

/**
 * GRANT … WITH GRANT OPTION / WITH ADMIN OPTION (Postgres 16 also spells it WITH ADMIN TRUE):
 * the grantee may pass the access on. `grant-privileges` leaves such statements to this rule, so
 * each is reported once.
 */
const meta = ruleMeta({
  id: "grant-with-grant-or-admin-option",
  defaultSeverity: "warning",
  dialects: ["postgres", "mysql", "cockroachdb", "clickhouse"],
  category: "security",
  description:
    "WITH GRANT OPTION / WITH ADMIN OPTION lets the grantee hand the privileges or role on to anyone, outside the review of any migration.",
  saferAlternative:
    "Grant without the option; let the role that owns the objects (or an administrator) make further grants, in migrations that are reviewed.",
  suppressible: true,
});

export const grantWithGrantOrAdminOption = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "grant" || m.revoke || !m.withGrantOption) continue;
      const role = m.target === "role";
      const what = `${grantedWhat(m)} WITH ${role ? "ADMIN" : "GRANT"} OPTION`;
      report({
        ...ctx.at(a),
        message: `${grantStatement(m)} gives ${what} to ${m.grantees.join(", ")}: they can ${role ? "add any other role or user to it (and remove members)" : "grant the same privileges to any other role or user"}, and those grants never pass through a reviewed migration.`,
      });
    }
  },
});
