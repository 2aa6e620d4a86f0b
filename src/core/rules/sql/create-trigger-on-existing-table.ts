import {
  displayName,
  sameObject,
  type RewriteRule,
  type ObjectName,
  type TriggerDef,
  type TriggerRowEffect,
} from "../../sql/model.js";
import { ruleMeta, type ReportFn } from "../types.js";
import { sqlRule, type Analyzed, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "create-trigger-on-existing-table",
  defaultSeverity: "notice",
  dialects: ["postgres", "mysql", "sqlite"],
  category: "data-loss",
  description:
    "A trigger on an existing table runs on every later write; one that fires BEFORE each row can silently discard or rewrite what the application stores. A Postgres rewrite rule (CREATE RULE … DO INSTEAD, or DO ALSO with writes) on an existing table replaces or adds to every later write the same way.",
  saferAlternative:
    "Prefer application logic or a constraint. A trigger on an existing table that changes rows needs a DBA's review; create it in a low-traffic window (CREATE TRIGGER blocks writes to the table while it waits for its lock).",
  suppressible: true,
});

/**
 * Built-in trigger functions that only skip no-op updates or derive a column from the row
 * (the `updated_at` pattern's kin): no data the application wrote is lost.
 */
const HARMLESS_BUILTINS = new Set([
  "suppress_redundant_updates_trigger",
  "tsvector_update_trigger",
  "tsvector_update_trigger_column",
]);

type Verdict = { danger: false } | { danger: true; what: string };

export const createTriggerOnExistingTable = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind === "other" && m.rewriteRule) {
        rewriteRule(ctx, a, m.rewriteRule, report);
        continue;
      }
      if (m.kind === "create-routine" && m.rowEffect && m.orReplace) {
        replacedFunction(ctx, a, m.name, m.rowEffect, report);
        continue;
      }
      if (m.kind !== "create-other" || !m.trigger || m.trigger.event) continue;
      const t = m.trigger;
      // A table the change created holds no rows and no application writes to it yet.
      if (ctx.isCertainlyNew("table", t.table, a.index)) continue;
      const name = m.name?.name ?? "";
      const kind = t.constraint ? "Constraint trigger" : "Trigger";
      const table = displayName(t.table);
      const v = !changesRows(t)
        ? ({ danger: false } as const)
        : ctx.dialect === "postgres"
          ? judge(ctx, a, t.function)
          : verdict(t.rowEffect, "body", "its body");
      if (v.danger) {
        report({
          ...ctx.at(a),
          severity: "warning",
          message: `${kind} ${name} fires before every insert or update of the existing table ${table} and ${v.what}: from the deploy on, the application's writes may be silently changed or dropped. A trigger on an existing table that changes rows needs a DBA's review.`,
        });
        continue;
      }
      const lock =
        ctx.dialect === "postgres"
          ? "CREATE TRIGGER takes a SHARE ROW EXCLUSIVE lock (writes wait while it is queued and held)"
          : ctx.dialect === "mysql"
            ? "CREATE TRIGGER takes an exclusive metadata lock on the table (every query of it waits behind it and behind long transactions)"
            : "CREATE TRIGGER locks the database file";
      report({
        ...ctx.at(a),
        message: `${kind} ${name} on the existing table ${table}: ${lock}, and every later write runs ${t.function ? displayName(t.function) + "()" : "its body"}. Create it in a low-traffic window.`,
      });
    }
  },
});

/** BEFORE (or INSTEAD OF) … FOR EACH ROW on INSERT or UPDATE: its result is the row stored. */
function changesRows(t: TriggerDef): boolean {
  if (t.timing === undefined || t.events === undefined || t.row === undefined) return true;
  return (
    t.row &&
    (t.timing === "before" || t.timing === "instead") &&
    (t.events.includes("insert") || t.events.includes("update"))
  );
}

/** Can the trigger function change or discard the row? Unknown counts as yes. */
function judge(ctx: SqlRuleContext, a: Analyzed, fn: ObjectName | undefined): Verdict {
  if (!fn) return { danger: true, what: "its function cannot be read" };
  const label = `${displayName(fn)}()`;
  const def = ctx.routine(fn, a.index);
  // A redefinition later in the file replaces the body the trigger runs.
  const later = ctx.parsed.filter(
    (b) => b.index > a.index && b.model.kind === "create-routine" && sameObject(b.model.name, fn),
  );
  const bodies = [
    def,
    ...later.map((b) => (b.model.kind === "create-routine" ? b.model : undefined)),
  ];
  if (!def && later.length === 0) {
    if (!fn.schema || fn.schema.toLowerCase() === "pg_catalog")
      if (HARMLESS_BUILTINS.has(fn.name.toLowerCase())) return { danger: false };
    return {
      danger: true,
      what: `its function ${label} is not created by this change, so migration-warden cannot read it (nothing shows it keeps the row as written)`,
    };
  }
  for (const d of bodies) {
    if (!d) continue;
    const v = verdict(d.rowEffect, label);
    if (v.danger) return v;
  }
  return { danger: false };
}

function verdict(
  e: TriggerRowEffect | undefined,
  label: string,
  subject = `its function ${label}`,
): Verdict {
  if (!e)
    return {
      danger: true,
      what: `${subject} cannot be read as a trigger function`,
    };
  if (e.unreadable) return { danger: true, what: `${subject} cannot be read: ${e.unreadable}` };
  if (e.returns.length > 0)
    return {
      danger: true,
      what: `${subject} discards or replaces the row (${e.returns[0]}${e.returns[0]!.startsWith("RETURN") ? ": only RETURN NEW stores the row as written" : ""})`,
    };
  if (e.overwrites.length > 0)
    return {
      danger: true,
      what: `${subject} overwrites what the application wrote (${e.overwrites[0]})`,
    };
  return { danger: false };
}

/**
 * CREATE OR REPLACE of a trigger function the file did not create: a trigger already attached to
 * a live table (by a merged migration, or an earlier file of the change) runs the new body.
 */
function replacedFunction(
  ctx: SqlRuleContext,
  a: Analyzed,
  name: ObjectName,
  e: TriggerRowEffect,
  report: ReportFn,
): void {
  if (ctx.routine(name, a.index, true)) return;
  const v = verdict(e, `${displayName(name)}()`);
  if (!v.danger) return;
  report({
    ...ctx.at(a),
    severity: "warning",
    message: `CREATE OR REPLACE FUNCTION ${displayName(name)}() may replace a trigger function a trigger on an existing table already runs, and ${v.what.replace(/^its function \S+ /, "the new body ")}: from the deploy on, that table's writes may be silently changed or dropped. A trigger function that changes rows needs a DBA's review.`,
  });
}

/**
 * CREATE [OR REPLACE] RULE … ON INSERT|UPDATE|DELETE TO an existing table: the rewriter runs the
 * rule's actions instead of (DO INSTEAD) or beside (DO ALSO) every later such write. DO INSTEAD
 * NOTHING silently discards them; any other INSTEAD action sends them elsewhere; ALSO actions
 * that write change other tables on every write. A trigger's shape, without a trigger.
 */
function rewriteRule(ctx: SqlRuleContext, a: Analyzed, r: RewriteRule, report: ReportFn): void {
  // A table or view the change created has no deployed writes to lose (updatable views' rules).
  if (ctx.isCertainlyNew("table", r.table, a.index) || ctx.isNew("other", r.table, a.index)) return;
  const table = displayName(r.table);
  const on = `${r.event.toUpperCase()}${r.conditional ? " (those its WHERE matches)" : ""}`;
  const elsewhere = r.writes.length
    ? ` writes ${[...new Set(r.writes.map(displayName))].join(", ")}`
    : " runs its actions";
  const what =
    r.event === "select"
      ? undefined
      : r.instead
        ? r.actions === 0
          ? `discards every later ${on} on it (DO INSTEAD NOTHING): the statements succeed and nothing is written`
          : `replaces every later ${on} on it with the rule's actions (DO INSTEAD), which${elsewhere}: what the application writes is not stored as written`
        : r.writes.length > 0
          ? `adds to every later ${on} on it actions that${elsewhere} (DO ALSO)`
          : undefined;
  if (what) {
    report({
      ...ctx.at(a),
      severity: "warning",
      message: `Rule ${r.name} on the existing table ${table} ${what}. From the deploy on, the application's writes may be silently dropped or redirected. A rewrite rule on an existing table needs a DBA's review.`,
    });
    return;
  }
  report({
    ...ctx.at(a),
    message: `Rule ${r.name} on the existing table ${table}: CREATE RULE takes an ACCESS EXCLUSIVE lock on it, and every later ${r.event.toUpperCase()} on it runs the rule's actions. Create it in a low-traffic window.`,
  });
}
