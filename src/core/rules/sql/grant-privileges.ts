import { ruleMeta } from "../types.js";
import { grantStatement, grantedWhat } from "./grant-phrases.js";
import { PUBLIC } from "./grant-to-public.js";
import { sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "grant-privileges",
  defaultSeverity: "notice",
  dialects: ["postgres", "mysql", "cockroachdb", "clickhouse"],
  category: "security",
  description: "GRANT in a migration changes who can read or write data; a reviewer should see it.",
  saferAlternative:
    "Grant to a role that users are members of rather than to individual users, and grant the narrowest privileges.",
  suppressible: true,
});

export const grantPrivileges = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      // WITH GRANT/ADMIN OPTION is grant-with-grant-or-admin-option's finding: one per statement.
      if (m.kind !== "grant" || m.revoke || m.withGrantOption) continue;
      // PUBLIC is grant-to-public's finding: one finding per risk.
      const named = m.grantees.filter((g) => g !== PUBLIC);
      if (named.length === 0) continue;
      const to = named.join(", ");
      report({
        ...ctx.at(a),
        message: `${grantStatement(m)} gives ${grantedWhat(m)} to ${to}: check this access is intended.`,
      });
    }
  },
});
