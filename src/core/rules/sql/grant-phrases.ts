/** How the privilege rules name a GRANT/REVOKE model, so their messages agree. */
import type { StatementModel } from "../../sql/model.js";

type Grant = Extract<StatementModel, { kind: "grant" }>;

/** `GRANT`, or `ALTER DEFAULT PRIVILEGES` for grants that objects created later will carry. */
export function grantStatement(m: Grant): string {
  return m.defaults ? "ALTER DEFAULT PRIVILEGES" : m.revoke ? "REVOKE" : "GRANT";
}

/** `SELECT, INSERT privileges`, `membership in r`, `SELECT privileges on tables created later`. */
export function grantedWhat(m: Grant): string {
  if (m.target === "role") return `membership in ${m.privileges.join(", ")}`;
  const text = m.privileges.join(", ").toUpperCase();
  // MySQL's `ALL PRIVILEGES` names itself.
  const privileges = /PRIVILEGES$/.test(text) ? text : `${text} privileges`;
  return m.defaults ? `${privileges} on ${m.defaults} created later` : privileges;
}
