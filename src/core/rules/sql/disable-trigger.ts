import { displayName, sameObject, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import type { ReportFn } from "../types.js";
import { PG, alterActions, sqlRule, type Analyzed, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "disable-trigger",
  defaultSeverity: "warning",
  dialects: PG,
  category: "compatibility",
  description:
    "ALTER TABLE … DISABLE TRIGGER (or ENABLE REPLICA TRIGGER, which stops it firing for ordinary sessions) on an existing table: what the trigger does on every write (audit rows, derived values, checks; with ALL, foreign keys) stops for every session until it is enabled again. SET session_replication_role = replica (or set_config): the migration's own writes skip every ordinary trigger and every foreign key check.",
  saferAlternative:
    "Keep the trigger and change its function instead (a condition in the function or a WHEN clause); if it must be off for a backfill, enable it again in the same file, which golang-migrate runs in one transaction.",
  suppressible: true,
});

export const disableTrigger = sqlRule({
  meta,
  check(ctx, report) {
    replicationRole(ctx, report);
    for (const { a, table, action } of alterActions(ctx)) {
      if (action.type !== "other" || !action.value) continue;
      const replica = action.option === "ENABLE REPLICA TRIGGER";
      if (action.option !== "DISABLE TRIGGER" && !replica) continue;
      if (ctx.isNew("table", table, a.index)) continue;
      const which = action.value;
      const named = which !== "ALL" && which !== "USER";
      // A trigger this change created is not relied on by anything deployed.
      if (named && ctx.origin("other", { name: which }, a.index)) continue;
      const t = displayName(table);
      const trigger =
        which === "ALL"
          ? `every trigger of ${t}, including the internal ones that enforce foreign keys`
          : which === "USER"
            ? `every user-defined trigger of ${t}`
            : `trigger ${which} of ${t}`;
      const verb = replica
        ? `ENABLE REPLICA TRIGGER makes ${trigger} fire only in sessions with session_replication_role = replica, so ordinary writes stop running it`
        : `DISABLE TRIGGER turns off ${trigger}`;
      const back = enabledLater(ctx, a, action.span.start, table, which);
      const atomic = ctx.fileTransaction || ctx.inExplicitTransaction(a.index);
      if (back && atomic) {
        report({
          ...ctx.lines(action.span, a),
          severity: "notice",
          message: `${verb} until line ${back}, in the same transaction: other sessions wait on the table's lock meanwhile, but this migration's own writes in between skip it (audit rows, derived values${which === "ALL" ? ", foreign key checks" : ""}); check that is intended.`,
        });
        continue;
      }
      report({
        ...ctx.lines(action.span, a),
        message: back
          ? `${verb} until line ${back}, and this file does not run in one transaction: between the two every session's writes skip it (audit rows, derived values${which === "ALL" ? ", foreign key checks" : ""}) and nothing restores what it would have done.`
          : `${verb} for every session from now on: what it does on each write (audit rows, derived values, checks${which === "ALL" ? ", foreign keys" : ""}) silently stops, and the running application does not know.`,
      });
    }
  },
});

/** The line where a later ALTER TABLE of this file enables the same trigger(s) again, if any. */
function enabledLater(
  ctx: SqlRuleContext,
  from: Analyzed,
  at: number,
  table: ObjectName,
  which: string,
): number | null {
  for (const b of ctx.parsed) {
    const m = b.model;
    if (b.index < from.index || m.kind !== "alter-table" || !sameObject(m.table, table)) continue;
    for (const x of m.actions) {
      if (x.type !== "other" || (b.index === from.index && x.span.start <= at)) continue;
      if (x.option !== "ENABLE TRIGGER" && x.option !== "ENABLE ALWAYS TRIGGER") continue;
      // ENABLE TRIGGER ALL enables every trigger; USER every user one; a name only itself.
      if (x.value === "ALL" || (x.value === "USER" && which !== "ALL") || x.value === which)
        return ctx.lines(x.span, b).startLine;
    }
  }
  return null;
}

/**
 * SET [LOCAL] session_replication_role = replica (also through set_config): every trigger that
 * is not ENABLE REPLICA/ALWAYS stops firing for this session, and with them the internal
 * triggers that check foreign keys, so the migration's own writes can leave orphan rows and skip
 * audit rows. A session-level SET outlives the file: golang-migrate runs the next migrations on
 * the same connection.
 */
function replicationRole(ctx: SqlRuleContext, report: ReportFn): void {
  for (const a of ctx.parsed) {
    const m = a.model;
    if (m.kind !== "set" || m.name !== "session_replication_role") continue;
    if (unquote(m.value ?? "").toLowerCase() !== "replica") continue;
    // SET LOCAL outside any transaction does nothing (Postgres warns and ignores it).
    const tx = ctx.fileTransaction || ctx.inExplicitTransaction(a.index);
    if (m.scope === "local" && !tx) continue;
    const back = restoredLater(ctx, a);
    const what = `session_replication_role = replica turns off, for this session, every trigger not marked ENABLE REPLICA or ENABLE ALWAYS, including the internal ones that enforce foreign keys`;
    if (back !== null || m.scope === "local") {
      report({
        ...ctx.at(a),
        severity: "notice",
        message: `${what}, until ${back !== null ? `line ${back}` : "the end of the transaction"}: this migration's writes in between skip foreign key checks (orphan rows are not caught) and whatever the triggers do (audit rows, derived values); check that is intended.`,
      });
      continue;
    }
    report({
      ...ctx.at(a),
      message: `${what}, and nothing in this file sets it back: every later write of this migration, and of the migrations golang-migrate runs after it on the same connection, skips foreign key checks (orphan rows are not caught) and whatever the triggers do (audit rows, derived values).`,
      suggestion:
        "Prefer SET LOCAL inside the migration's transaction, or RESET session_replication_role right after the writes that need it; better, keep the triggers and foreign keys and write rows that satisfy them.",
    });
  }
}

/** The line of a later SET/RESET of this file that puts session_replication_role back, if any. */
function restoredLater(ctx: SqlRuleContext, from: Analyzed): number | null {
  for (const b of ctx.parsed) {
    const m = b.model;
    if (b.index <= from.index || m.kind !== "set") continue;
    if (m.name !== "session_replication_role" && m.name !== "all") continue;
    if (m.value === null || unquote(m.value).toLowerCase() !== "replica")
      return ctx.at(b).startLine;
  }
  return null;
}

function unquote(v: string): string {
  return v.trim().replace(/^'(.*)'$/, "$1");
}
