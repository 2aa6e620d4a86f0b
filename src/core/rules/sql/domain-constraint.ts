import { displayName, sameObject, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, sqlRule, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "domain-constraint",
  defaultSeverity: "warning",
  dialects: PG,
  category: "locking",
  description:
    "ALTER DOMAIN … ADD CONSTRAINT (without NOT VALID) or SET NOT NULL checks every row of every table column that uses the domain, holding a lock that blocks writes to those tables.",
  saferAlternative:
    "ALTER DOMAIN … ADD CONSTRAINT … NOT VALID, then VALIDATE CONSTRAINT in a later migration; or put the constraint on the columns (CHECK … NOT VALID) instead of the domain.",
  suppressible: true,
});

export const domainConstraint = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "alter-domain") continue;
      const scans = (m.action === "add-constraint" && !m.notValid) || m.action === "set-not-null";
      if (!scans) continue;
      // A domain created in this change is used only by columns created since, unless one of
      // the file's statements gave a column of an existing table the domain's type.
      if (ctx.isNew("other", m.name, a.index) && !usedByExistingTable(ctx, m.name, a.index))
        continue;
      const what = m.action === "set-not-null" ? "SET NOT NULL" : "ADD CONSTRAINT";
      report({
        ...ctx.at(a),
        message: `ALTER DOMAIN ${displayName(m.name)} ${what} checks every row of every column, in every table, whose type is the domain, and blocks writes to those tables until it is done; the statement does not name them, so the review cannot see how much it scans.`,
        ...(m.action === "set-not-null"
          ? {
              suggestion:
                "Add a CHECK (VALUE IS NOT NULL) NOT VALID constraint to the domain and VALIDATE it in a later migration instead of SET NOT NULL.",
            }
          : {}),
      });
    }
  },
});

/** Does a statement of this file before `index` add or retype a column of an existing table to `domain`? */
function usedByExistingTable(ctx: SqlRuleContext, domain: ObjectName, index: number): boolean {
  const isDomain = (dataType: string) => {
    const base = dataType.replace(/\(.*$|\[\]/g, "").replace(/^.*\./, "");
    return sameObject({ name: base }, { name: domain.name });
  };
  return ctx.parsed.some((b) => {
    if (b.index >= index || b.model.kind !== "alter-table") return false;
    if (ctx.isNew("table", b.model.table, b.index)) return false;
    return b.model.actions.some(
      (x) =>
        (x.type === "add-column" && isDomain(x.column.dataType)) ||
        (x.type === "alter-column-type" && isDomain(x.dataType)),
    );
  });
}
