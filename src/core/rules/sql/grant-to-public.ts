import { ruleMeta } from "../types.js";
import { grantStatement, grantedWhat } from "./grant-phrases.js";
import { sqlRule } from "./types.js";

/**
 * GRANT … TO PUBLIC, also as a default privilege of objects created later (Postgres, CockroachDB;
 * MySQL has no PUBLIC grantee). `grant-privileges`
 * reports the statement's other grantees; PUBLIC is this rule's alone, so a statement gets one
 * finding per risk.
 */
const meta = ruleMeta({
  id: "grant-to-public",
  defaultSeverity: "warning",
  dialects: ["postgres", "cockroachdb"],
  category: "security",
  description:
    "GRANT … TO PUBLIC gives the access to every role, including every role created later, that can connect to the database.",
  saferAlternative:
    "Grant to a named role that the application's users are members of (GRANT … TO app_readers; GRANT app_readers TO app).",
  suppressible: true,
});

/** The pseudo-role every role belongs to, as the Postgres parser names it (unquoted PUBLIC). */
export const PUBLIC = "PUBLIC";

export const grantToPublic = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "grant" || m.revoke || !m.grantees.includes(PUBLIC)) continue;
      report({
        ...ctx.at(a),
        message: `${grantStatement(m)} gives ${grantedWhat(m)} to PUBLIC: every role that can connect to the database, including roles created later for other applications or people, gets this access.`,
      });
    }
  },
});
