import type { ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { sqlRule, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "revoke-privileges",
  defaultSeverity: "warning",
  dialects: ["postgres", "mysql", "cockroachdb", "clickhouse"],
  category: "security",
  description:
    "REVOKE of privileges or role membership: clients that connect as the grantee (the running application, jobs, reports) fail with permission denied as soon as it commits.",
  saferAlternative:
    "Move every client to a role that keeps the access and deploy that first, then revoke in a later migration.",
  suppressible: true,
});

export const revokePrivileges = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "grant" || !m.revoke) continue;
      // Privileges on tables this change certainly created (not IF NOT EXISTS, which may name a
      // table clients already use): no deployed client relies on them yet.
      if (m.tables?.every((t) => newTable(ctx, t, a.index))) continue;
      // A role or user this change created has no deployed client yet.
      const existing = m.grantees.filter((g) => !ctx.isNew("other", { name: unquote(g) }, a.index));
      if (existing.length === 0) continue;
      const privileges = m.privileges.join(", ");
      // MySQL `REVOKE ALL PRIVILEGES, GRANT OPTION FROM u` has no ON and reads as a role list.
      const what =
        m.target === "role" && !/privileges|grant option/i.test(privileges)
          ? `membership in ${privileges}`
          : `${privileges.toUpperCase()} privileges`;
      const from = existing.join(", ");
      if (m.defaults) {
        // Existing objects keep their grants: nothing fails at commit, but later objects differ.
        report({
          ...ctx.at(a),
          severity: "notice",
          message: `ALTER DEFAULT PRIVILEGES REVOKE: ${m.defaults} created later no longer give ${m.withGrantOption ? `GRANT OPTION FOR ${what}` : what} to ${from}. Existing ${m.defaults} keep their grants; a later migration that creates one must grant what ${existing.length > 1 ? "they need" : "it needs"} explicitly.`,
        });
        continue;
      }
      const onlyOption = m.withGrantOption; // REVOKE GRANT/ADMIN OPTION FOR: the access stays
      const down = ctx.direction === "down";
      report({
        ...ctx.at(a),
        ...(onlyOption || down ? { severity: "notice" as const } : {}),
        message: onlyOption
          ? `REVOKE GRANT/ADMIN OPTION FOR ${what} from ${from}: they keep the access but can no longer pass it on; check nothing (a provisioning job, another migration) grants it as them.`
          : `REVOKE takes ${what} from ${from}${/\bpublic\b/i.test(from) ? " (PUBLIC: every role that has no grant of its own loses it)" : ""}: a client that connects as ${existing.length > 1 ? "one of them" : "it"} (the running application, a job, a report) fails with permission denied as soon as this commits.${down ? " In a down migration this usually undoes a GRANT of its up migration, which is expected." : ""}`,
      });
    }
  },
});

function unquote(name: string): string {
  return name.replace(/^"(.*)"$/, "$1");
}

function newTable(ctx: SqlRuleContext, table: ObjectName, index: number): boolean {
  const o = ctx.certainOrigin("table", table, index);
  return o === "file" || o === "change";
}
