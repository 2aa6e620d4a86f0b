import { ruleMeta } from "../types.js";
import { sqlRule, type Analyzed, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "plaintext-password",
  defaultSeverity: "error",
  dialects: ["postgres", "mysql", "cockroachdb", "clickhouse"],
  category: "security",
  description:
    "A password written into a migration file ends up in git history, CI logs and every clone.",
  saferAlternative:
    "Create the role without a password in the migration and set the password at deploy time from a secret store (or use certificate/IAM authentication).",
  suppressible: true,
});

export const plaintextPassword = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const changed = changedRoles(ctx, a);
      // alter-role leaves a password-only ALTER to this finding: it names the lock-out too.
      const lockOut =
        changed.length > 0
          ? ` It also changes the password of role ${changed.join(", ")}: clients that still connect with the old one fail at their next connection until their configuration is updated.`
          : "";
      for (const p of a.model.passwords) {
        report({
          ...ctx.lines(p.span, a),
          ...(p.hashed ? { severity: "warning" as const } : {}),
          message: p.hashed
            ? `A password hash is written into this migration: it is committed to git for good, and hashes of weak passwords are cracked offline.${lockOut}`
            : `A plaintext password is written into this migration: it is committed to git history for good, visible to everyone with read access, and repeated in CI logs.${lockOut}`,
        });
      }
    }
  },
});

/** ALTER ROLE/USER … PASSWORD of roles the change did not create (alter-role's reading). */
function changedRoles(ctx: SqlRuleContext, a: Analyzed): string[] {
  const m = a.model;
  if (m.kind !== "other" || !m.alteredRole?.options.includes("PASSWORD")) return [];
  return m.alteredRole.names.filter(
    (n) => n !== "ALL" && ctx.origin("other", { name: n }, a.index) === null,
  );
}
