import { ruleMeta } from "../types.js";
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
      const what = role
        ? `membership in ${m.privileges.join(", ")} WITH ADMIN OPTION`
        : `${privileges(m.privileges)} WITH GRANT OPTION`;
      report({
        ...ctx.at(a),
        message: `GRANT gives ${what} to ${m.grantees.join(", ")}: they can ${role ? "add any other role or user to it (and remove members)" : "grant the same privileges to any other role or user"}, and those grants never pass through a reviewed migration.`,
      });
    }
  },
});

/** `SELECT, INSERT privileges`; MySQL's `ALL PRIVILEGES` names itself. */
function privileges(list: string[]): string {
  const text = list.join(", ").toUpperCase();
  return /PRIVILEGES$/.test(text) ? text : `${text} privileges`;
}
