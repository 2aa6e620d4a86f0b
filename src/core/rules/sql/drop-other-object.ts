import { displayName, sameObject, type ObjectName, type StatementModel } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, sqlRule, type Analyzed, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "drop-other-object",
  defaultSeverity: "warning",
  dialects: PG,
  category: "compatibility",
  description:
    "DROP of a view, materialized view, sequence, type, domain, function, procedure, trigger, extension, policy, rule or other object that exists before the change: the running application version, other routines and reports that use it fail.",
  saferAlternative:
    "Remove every use of the object first (application code, views, functions, defaults, other services) and deploy that; drop it in a later migration.",
  suppressible: true,
});

type Drop = Extract<StatementModel, { kind: "drop" }>;

/** Kinds other rules judge: tables and their data, indexes (locking), schemas, databases, DROP OWNED. */
const ELSEWHERE = new Set(["table", "index", "schema", "database", "owned"]);

export const dropOtherObject = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "drop" || ELSEWHERE.has(m.objectType) || m.detach) continue;
      const existing = m.names.filter((n) => !createdInChange(ctx, m, n, a.index));
      if (existing.length === 0) continue;
      const label = m.objectLabel.toUpperCase();
      const names = existing.map((n) => describe(m, n)).join(", ");
      const recreated = existing.map((n) => recreatedLater(ctx, a, m, n));
      const replaced = recreated.every((r) => r !== null);
      const effect =
        EFFECT[m.objectType] ?? "whatever uses it (queries, routines, other objects) fails";
      report({
        ...ctx.at(a),
        ...(replaced ? { severity: "notice" as const } : {}),
        message: replaced
          ? `DROP ${label} ${names} is followed by a new definition of the same name ${recreated[0]}: between the two, and if the new definition differs (columns, argument types, behaviour), ${effect}; check the new one is compatible with what the running application expects.`
          : `DROP ${label} ${names}: ${effect}, including the application version that is still running during the deploy.`,
      });
    }
  },
});

const EFFECT: Partial<Record<Drop["objectType"], string>> = {
  view: "queries of the view fail",
  "materialized-view":
    "queries of the materialized view fail, and its contents must be recomputed to bring it back",
  sequence: "inserts whose default calls nextval() on it fail, and so does code that calls it",
  type: "columns, functions and casts that use the type must go first (Postgres refuses the drop otherwise, or CASCADE drops them), and code that names it fails",
  function: "calls of the function (application queries, triggers, defaults, other routines) fail",
  procedure: "CALLs of the procedure fail",
  trigger:
    "what the trigger did on every write (an audit row, a derived column, a check) silently stops",
  extension:
    "every function, type and operator the extension provides disappears, and whatever uses them fails",
  other: "whatever relies on it (queries, routines, access rules) fails or changes behaviour",
};

/** `p on users` for objects of a table (policies, rules, triggers), the name otherwise. */
function describe(m: Drop, n: ObjectName): string {
  const table = tableOf(m, n);
  return table ? `${n.name} on ${displayName(table)}` : displayName(n);
}

/**
 * The table of a trigger, policy or rule: the Postgres parser names a policy or rule as
 * `table.name` (its object name list), and a trigger's table is the one the drop locks.
 */
function tableOf(m: Drop, n: ObjectName): ObjectName | undefined {
  if (m.objectType === "trigger") return m.strongLocks[0];
  if (m.objectType === "other" && /^(POLICY|RULE)$/i.test(m.objectLabel) && n.schema)
    return { name: n.schema };
  return undefined;
}

/** The object, or the table a trigger, policy or rule belongs to, is new in this change. */
function createdInChange(ctx: SqlRuleContext, m: Drop, n: ObjectName, index: number): boolean {
  const table = tableOf(m, n);
  if (table && ctx.origin("table", table, index)) return true;
  if (m.objectType === "function" || m.objectType === "procedure")
    return ctx.routine(n, index) !== undefined;
  return ctx.origin("other", table ? { name: n.name } : n, index) !== null;
}

/** Where a later statement of this file creates an object of that name again, if one does. */
function recreatedLater(
  ctx: SqlRuleContext,
  from: Analyzed,
  m: Drop,
  n: ObjectName,
): string | null {
  const name = tableOf(m, n) ? { name: n.name } : n;
  for (const b of ctx.parsed) {
    if (b.index <= from.index) continue;
    const c = b.model;
    const same =
      (c.kind === "create-routine" &&
        (m.objectType === "function" || m.objectType === "procedure") &&
        sameObject(c.name, name)) ||
      (c.kind === "create-other" && c.name !== undefined && sameObject(c.name, name));
    if (same) return `on line ${ctx.at(b).startLine}`;
  }
  return null;
}
