import { displayName, sameObject, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, alterActions, sqlRule, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "row-level-security-change",
  defaultSeverity: "warning",
  dialects: PG,
  category: "compatibility",
  description:
    "ALTER TABLE … ENABLE / DISABLE / FORCE / NO FORCE ROW LEVEL SECURITY on an existing table: which rows each role can read and write changes at once (enabled without a policy, none at all for roles other than the owner), for the running application too.",
  saferAlternative:
    "Create the policies first and test the running application under the role it really connects as; enable row-level security once they give it every row it needs.",
  suppressible: true,
});

export const rowLevelSecurityChange = sqlRule({
  meta,
  check(ctx, report) {
    for (const { a, table, action } of alterActions(ctx)) {
      if (action.type !== "other" || action.option !== "ROW LEVEL SECURITY") continue;
      // A new table has no deployed reader whose view of it could change.
      if (ctx.isNew("table", table, a.index)) continue;
      const t = displayName(table);
      const policies = hasPolicyStatement(ctx, table);
      const effect: Record<string, string> = {
        ENABLE: policies
          ? `from now on every role other than the owner of ${t} (and superusers or BYPASSRLS roles) reads and writes only the rows the policies allow; test the running application under the role it connects as`
          : `this file creates no policy for it, so unless policies already exist every role other than the owner (and superusers or BYPASSRLS roles) sees no rows and its writes fail, the running application's included`,
        FORCE: `the policies now apply to the owner of ${t} too: an application or job that connects as the owner sees and writes only what they allow (none, without a policy)`,
        DISABLE: `the policies stop applying: every role with privileges on ${t} reads and writes all of its rows again, which is a change of who sees what`,
        "NO FORCE": `the policies stop applying to the owner of ${t}: whatever connects as the owner sees every row again`,
      };
      report({
        ...ctx.lines(action.span, a),
        message: `${action.value} ROW LEVEL SECURITY on ${t}: ${effect[action.value ?? ""] ?? "which rows each role sees changes"}.`,
      });
    }
  },
});

/** CREATE/ALTER POLICY on `table` anywhere in this file (the statement locks the table). */
function hasPolicyStatement(ctx: SqlRuleContext, table: ObjectName): boolean {
  return ctx.parsed.some(
    (b) =>
      b.model.kind === "other" &&
      b.model.tag === "POLICY" &&
      b.model.strongLocks.some((l) => sameObject(l, table)),
  );
}
