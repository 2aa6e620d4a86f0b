import { displayName, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { sqlRule, type Analyzed, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "replace-view-or-function",
  defaultSeverity: "notice",
  optIn: true,
  dialects: ["postgres", "mysql"],
  category: "compatibility",
  description:
    "CREATE OR REPLACE VIEW / FUNCTION / PROCEDURE (MySQL: ALTER VIEW … AS) of an object that may already exist: every client written against the old definition — the running application, an application-only rollback, views and triggers using it — gets the new one as soon as the migration commits.",
  saferAlternative:
    "Deploy clients that work with both definitions first, or create the new definition under a new name (v2) and move clients to it before dropping the old one.",
  suppressible: true,
});

/**
 * The merged schema does not follow views or routine definitions, so whether the object exists
 * cannot be told from it: every OR REPLACE is reported unless a plain CREATE earlier in the change
 * made the object (then nothing deployed uses it). Down files are left alone: they restore the
 * definition the up replaced, the one the previous application was written against.
 */
export const replaceViewOrFunction = sqlRule({
  meta,
  check(ctx, report) {
    if (ctx.direction === "down") return;
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind === "create-other" && m.objectType === "view" && m.orReplace && m.name) {
        if (createdInChange(ctx, a, m.name, "view")) continue;
        report({ ...ctx.at(a), ...viewFinding(`CREATE OR REPLACE VIEW ${displayName(m.name)}`) });
      } else if (m.kind === "other" && m.redefinedView) {
        if (createdInChange(ctx, a, m.redefinedView, "view")) continue;
        report({
          ...ctx.at(a),
          ...viewFinding(`ALTER VIEW ${displayName(m.redefinedView)} … AS`),
        });
      } else if (m.kind === "create-routine" && m.orReplace && m.routineType !== "event") {
        if (createdInChange(ctx, a, m.name, "routine")) continue;
        const what = m.routineType.toUpperCase();
        const name = displayName(m.name);
        report({
          ...ctx.at(a),
          message: `CREATE OR REPLACE ${what} ${name} replaces the body of ${name} if one with the same arguments exists: every caller — the running application version, an application-only rollback, triggers, views and defaults that call it — runs the new body as soon as the migration commits${ctx.dialect === "postgres" ? " (a changed return type or argument names is refused; the body and its behaviour are not)" : ""}.`,
          suggestion: `Make the new body compatible with the callers already deployed, or create it under a new name (${m.name.name}_v2), move the callers to it, and drop the old ${m.routineType} in a later migration.`,
        });
      }
    }
  },
});

function viewFinding(what: string): { message: string; suggestion: string } {
  return {
    message: `${what} replaces the view's query if the view exists: clients written against the old definition — the running application version, an application-only rollback, other views and routines reading it — see the new rows and columns as soon as the migration commits.`,
    suggestion:
      "Keep the view's columns and what its rows mean compatible with the deployed clients, or create the new query as another view (name_v2) and move clients to it before dropping the old one.",
  };
}

/** A plain CREATE earlier in the change made it (an OR REPLACE one may have replaced another). */
export function createdInChange(
  ctx: SqlRuleContext,
  a: Analyzed,
  name: ObjectName,
  kind: "view" | "routine",
): boolean {
  if (kind === "view") {
    const o = ctx.certainOrigin("other", name, a.index);
    return o === "file" || o === "change";
  }
  const def = ctx.routine(name, a.index);
  return def !== undefined && !def.orReplace;
}
