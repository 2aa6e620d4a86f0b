import { displayName } from "../../sql/model.js";
import type { RuleMeta } from "../types.js";
import { PARSED_DIALECTS, type SqlRule } from "./types.js";

const meta: RuleMeta = {
  id: "dml-without-where",
  defaultSeverity: "error",
  dialects: PARSED_DIALECTS,
  category: "data-loss",
  description:
    "DELETE or UPDATE without a real WHERE (none, or one that is always true) touches every row of an existing table — also inside a WITH clause, a MERGE action, a DO block or a called routine.",
  saferAlternative:
    "Add a WHERE clause that selects the rows you mean; for a backfill, update in batches by key range (outside the schema migration if the table is large).",
  suppressible: true,
};

export const dmlWithoutWhere: SqlRule = {
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "delete" && m.kind !== "update") continue;
      if (m.hasWhere && !m.matchesAll) continue;
      // A table certainly created earlier in this change holds no deployed rows yet.
      if (m.table && ctx.isCertainlyNew("table", m.table, a.index)) continue;
      const t = m.table ? displayName(m.table) : "the table";
      const verb = m.kind === "delete" ? "DELETE" : "UPDATE";
      const how = m.matchesAll
        ? `${verb} on ${t} is filtered in name only: ${m.matchesAll}. It `
        : `${verb} without WHERE `;
      report({
        ...ctx.at(a),
        message:
          m.kind === "delete"
            ? `${how}removes every row of ${t}.`
            : `${how}rewrites every row of ${t} in one transaction: it locks all of them until the migration commits, bloats the table, and can run for a long time on a large table.`,
      });
    }
  },
};
