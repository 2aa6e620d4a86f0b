import { ruleMeta } from "../types.js";
import { sqlRule } from "./types.js";

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
      for (const p of a.model.passwords) {
        report({
          ...ctx.lines(p.span, a),
          ...(p.hashed ? { severity: "warning" as const } : {}),
          message: p.hashed
            ? "A password hash is written into this migration: it is committed to git for good, and hashes of weak passwords are cracked offline."
            : "A plaintext password is written into this migration: it is committed to git history for good, visible to everyone with read access, and repeated in CI logs.",
        });
      }
    }
  },
});
