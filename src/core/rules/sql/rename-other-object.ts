import { displayName, sameObject, type ObjectName, type RenamedObject } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, sqlRule, type Analyzed, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "rename-other-object",
  defaultSeverity: "warning",
  dialects: PG,
  category: "compatibility",
  description:
    "Renaming a view, materialized view, sequence, type, domain, function, procedure, trigger, policy, role or other object that exists before the change (or a column of a view, an attribute of a composite type): the running application version and code that names it fail.",
  saferAlternative:
    "Ship the clients that use the new name first (or keep the old name as a view or wrapper function), then rename in a later migration.",
  suppressible: true,
});

const EFFECT: Record<string, string> = {
  VIEW: "queries of the view by its old name fail",
  "MATERIALIZED VIEW": "queries and REFRESHes of the materialized view by its old name fail",
  "FOREIGN TABLE": "queries of the foreign table by its old name fail",
  SEQUENCE:
    "code that calls nextval()/currval() with the old name as text fails (column defaults follow the rename, application queries do not)",
  TYPE: "casts and function signatures that name the type in application queries fail",
  DOMAIN: "casts that name the domain in application queries fail",
  FUNCTION:
    "calls of the function by its old name (application queries, other routines' bodies, which are not rewritten) fail",
  PROCEDURE: "CALLs of the procedure by its old name fail",
  ROUTINE: "calls of the routine by its old name fail",
  AGGREGATE: "queries that call the aggregate by its old name fail",
  ROLE: "connections and grants that name the role fail (and an MD5 password is cleared)",
  DATABASE: "every connection string that names the database fails",
  TRIGGER:
    "triggers of a table fire in name order, so the rename can change what runs first, and scripts and later migrations that name the trigger fail",
  POLICY: "scripts and later migrations that name the policy fail",
};

const INDEX_EFFECT =
  "queries do not name indexes, but `ON CONFLICT ON CONSTRAINT` does when the index backs a unique or primary key constraint (whose name changes with it), and so do planner hints (pg_hint_plan) and scripts";

export const renameOtherObject = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "other") continue;
      if (m.renamedIndex) {
        const { from, to } = m.renamedIndex;
        if (ctx.origin("index", from, a.index) !== null) continue;
        // Index names matter to few clients: a notice, so the reviewer checks hints and
        // ON CONFLICT ON CONSTRAINT, without gating every cosmetic index rename.
        report({
          ...ctx.at(a),
          severity: "notice",
          message: `Renaming index ${displayName(from)} to ${to}: ${INDEX_EFFECT}.`,
        });
        continue;
      }
      const r = m.renamedObject;
      if (!r || createdInChange(ctx, r, a.index)) continue;
      const what = describe(r);
      if (r.part !== undefined) {
        const kind = r.objectType === "TYPE" ? "attribute" : "column";
        report({
          ...ctx.at(a),
          message: `Renaming ${kind} ${r.part} of ${r.objectType} ${what} to ${r.to}: queries of the running application version that name ${r.part} fail, and so do views and functions that read it by name.`,
        });
        continue;
      }
      const again = recreatedLater(ctx, a, r);
      const effect = EFFECT[r.objectType] ?? "whatever names it (queries, routines, scripts) fails";
      report({
        ...ctx.at(a),
        ...(again ? { severity: "notice" as const } : {}),
        message: again
          ? `Renaming ${r.objectType} ${what} to ${r.to}, then creating ${r.objectType} ${displayName(r.name)} again ${again}: the old name stays, but check the new definition is compatible with what the running application expects.`
          : `Renaming ${r.objectType} ${what} to ${r.to}: ${effect}, including in the application version that is still running during the deploy.`,
      });
    }
  },
});

function describe(r: RenamedObject): string {
  return r.table ? `${r.name.name} on ${displayName(r.table)}` : displayName(r.name);
}

/** The object, or the table a trigger, policy or rule belongs to, is new in this change. */
function createdInChange(ctx: SqlRuleContext, r: RenamedObject, index: number): boolean {
  if (r.table && ctx.origin("table", r.table, index) !== null) return true;
  if (/^(FUNCTION|PROCEDURE|ROUTINE)$/.test(r.objectType))
    return ctx.routine(r.name, index) !== undefined;
  if (r.objectType === "FOREIGN TABLE" && ctx.origin("table", r.name, index) !== null) return true;
  return ctx.origin("other", r.name, index) !== null;
}

/** Where a later statement of the file creates the object of the old name again, if one does. */
function recreatedLater(ctx: SqlRuleContext, from: Analyzed, r: RenamedObject): string | null {
  const name: ObjectName = r.name;
  for (const b of ctx.parsed) {
    if (b.index <= from.index) continue;
    const c = b.model;
    const same =
      (c.kind === "create-routine" && sameObject(c.name, name)) ||
      (c.kind === "create-other" && c.name !== undefined && sameObject(c.name, name));
    if (same) return `on line ${ctx.at(b).startLine}`;
  }
  return null;
}
