import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, alterActions, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "set-role-or-owner",
  defaultSeverity: "notice",
  dialects: PG,
  category: "security",
  description:
    "SET ROLE / SET SESSION AUTHORIZATION (set_config('role', …) and a routine's SET role clause too) in a migration, and ALTER … OWNER TO / REASSIGN OWNED BY … TO another role: the migration runs as, or hands objects to, a role other than the one that runs migrations, so what it creates is owned elsewhere and later migrations fail with \"must be owner\".",
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
      // A routine's SET clause switches the role for every call, long after the migration.
      const routineSettings =
        m.kind === "create-routine"
          ? {
              stmt: `CREATE ${m.routineType.toUpperCase()} ${displayName(m.name)} ...`,
              name: displayName(m.name),
              settings: m.settings ?? [],
            }
          : m.kind === "other" &&
              m.alteredOptions?.name &&
              ["FUNCTION", "PROCEDURE", "ROUTINE"].includes(m.alteredOptions.objectType)
            ? {
                stmt: `ALTER ${m.alteredOptions.objectType} ${displayName(m.alteredOptions.name)}`,
                name: displayName(m.alteredOptions.name),
                settings: m.alteredOptions.settings,
              }
            : undefined;
      for (const st of routineSettings ? routineSettings.settings : []) {
        if (st.name !== "role" && st.name !== "session_authorization") continue;
        const role = st.value?.trim();
        if (!role || RESET.test(role)) continue;
        const { stmt, name } = routineSettings ?? { stmt: "", name: "" };
        report({
          ...ctx.at(a),
          message: `${stmt} SET ${st.name} = ${role}: every call of ${name} runs as ${role} — a caller that is not a member of ${role} gets "permission denied to set role", a member gets ${role}'s privileges inside it, and what it creates is owned by ${role} (Postgres refuses the clause outright on a SECURITY DEFINER routine).`,
          suggestion: `Drop the SET ${st.name} clause: make ${name} SECURITY DEFINER, owned by the role whose privileges it needs (with SET search_path fixed), or grant its callers the privileges directly.`,
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
