import { ruleMeta } from "../types.js";
import { sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "alter-role",
  defaultSeverity: "warning",
  dialects: ["postgres", "mysql"],
  category: "security",
  description:
    "ALTER ROLE/USER options (SUPERUSER, LOGIN, password, CONNECTION LIMIT, VALID UNTIL, SET …; MySQL REQUIRE, ACCOUNT LOCK, resource limits) on a role the change did not create: an application migration changes who may do what, or whether the application can connect at all.",
  saferAlternative:
    "Manage roles outside application migrations (infrastructure code, a DBA's reviewed script); if it must be here, have someone who owns the database's access review it.",
  suppressible: true,
});

/** What an option can do to the running application, for the options that do the most. */
const EFFECT: Array<[RegExp, string]> = [
  [/^(SUPERUSER|CREATEROLE|BYPASSRLS|REPLICATION|CREATEDB)$/, "grants a privilege beyond the data"],
  [
    /^(NOLOGIN|VALID UNTIL|CONNECTION LIMIT|PASSWORD|ACCOUNT|REQUIRE)$/,
    "can lock the application out",
  ],
  [/^(SET|RESET) /, "changes a setting of every new session of the role"],
];

export const alterRole = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "other" || !m.alteredRole) continue;
      const { names } = m.alteredRole;
      // A password written in the statement is plaintext-password's finding, which also names
      // the lock-out: removing the literal (the fix) removes the password change with it.
      const options =
        m.passwords.length > 0
          ? m.alteredRole.options.filter((o) => o !== "PASSWORD")
          : m.alteredRole.options;
      if (options.length === 0 && m.alteredRole.options.length > 0) continue;
      const existing = names.filter(
        (n) => n === "ALL" || ctx.origin("other", { name: n }, a.index) === null,
      );
      if (existing.length === 0) continue;
      const effects = [
        ...new Set(
          options.flatMap((o) => EFFECT.filter(([re]) => re.test(o)).map(([, effect]) => effect)),
        ),
      ];
      const who = existing.includes("ALL") ? "every role" : `role ${existing.join(", ")}`;
      const what = options.length > 0 ? options.join(", ") : "its options";
      report({
        ...ctx.at(a),
        message: `ALTER of ${who} (${what}) in an application migration${effects.length > 0 ? `: ${effects.join("; ")}` : ""}. Access changes belong to whoever owns the database's roles, reviewed as such.`,
      });
    }
  },
});
