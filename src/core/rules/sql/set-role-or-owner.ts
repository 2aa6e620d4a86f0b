import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, alterActions, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "set-role-or-owner",
  defaultSeverity: "notice",
  dialects: PG,
  category: "security",
  description:
    "SET ROLE / SET SESSION AUTHORIZATION (set_config('role', …) too) in a migration, and ALTER … OWNER TO / REASSIGN OWNED BY … TO another role: the migration runs as, or hands objects to, a role other than the one that runs migrations, so what it creates is owned elsewhere and later migrations fail with \"must be owner\".",
  saferAlternative:
    "Run migrations as the role that should own the schema (the connection's user) and leave objects owned by it; grant other roles the privileges they need instead of ownership.",
  suppressible: true,
});

/** Resetting to the session's own role is what a migration should end with, not a change. */
const RESET = /^(none|default)$/i;

/**
 * Reported whether or not the object is new: ownership decides who may change it in every later
 * migration, so an object created by the change and handed to another role is the same risk.
 */
export const setRoleOrOwner = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind === "set" && (m.name === "role" || m.name === "session_authorization")) {
        const role = m.value?.trim().replace(/^'(.*)'$/, "$1");
        if (!role || RESET.test(role) || m.scope === "global") continue;
        const stmt = m.name === "role" ? "SET ROLE" : "SET SESSION AUTHORIZATION";
        const switched =
          m.scope === "local"
            ? `${stmt} ${role} (LOCAL) switches to ${role} until this transaction ends: the statements after it run as ${role}.`
            : `${stmt} ${role} switches to ${role} for the rest of the session, and golang-migrate runs every file of the run on one connection: the statements after it, the later files and its own update of schema_migrations run as ${role}.`;
        report({
          ...ctx.at(a),
          message: `${switched} Objects created meanwhile are owned by ${role}, so the role that runs migrations can no longer ALTER or DROP them unless it is a member of ${role} ("must be owner"), and the statement fails where the migration user may not switch to ${role}.`,
        });
      }
      if (m.kind === "other" && m.ownerChange?.owner) {
        const { objectType, name, owner } = m.ownerChange;
        const what =
          objectType === "OWNED"
            ? `REASSIGN OWNED hands every object of the named roles to ${owner}`
            : `ALTER ${objectType} ${name ? displayName(name) : ""} OWNER TO ${owner} hands the ${objectType.toLowerCase()} to ${owner}`;
        report({ ...ctx.at(a), message: ownerMessage(what, owner) });
      }
    }
    for (const { a, table, action } of alterActions(ctx)) {
      if (action.type !== "other" || !action.owner) continue;
      report({
        ...ctx.lines(action.span, a),
        message: ownerMessage(
          `ALTER TABLE ${displayName(table)} OWNER TO ${action.owner} hands the table to ${action.owner}`,
          action.owner,
        ),
      });
    }
  },
});

function ownerMessage(what: string, owner: string): string {
  return `${what}: only its owner (a member of ${owner}, or a superuser) may ALTER or DROP it, add indexes or triggers, or change its grants, so unless the role that runs migrations is a member of ${owner}, later migrations that change it fail with "must be owner".`;
}
