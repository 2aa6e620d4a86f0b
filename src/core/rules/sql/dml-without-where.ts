import { displayName } from "../../sql/model.js";
import type { RuleMeta } from "../types.js";
import { PARSED_DIALECTS, type SqlRule } from "./types.js";

const meta: RuleMeta = {
  id: "dml-without-where",
  defaultSeverity: "error",
  dialects: PARSED_DIALECTS,
  category: "data-loss",
  description: "DELETE or UPDATE without WHERE touches every row of an existing table.",
  saferAlternative:
    "Add a WHERE clause; for a backfill, update in batches by key range (outside the schema migration if the table is large).",
  suppressible: true,
};

export const dmlWithoutWhere: SqlRule = {
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if ((m.kind !== "delete" && m.kind !== "update") || m.hasWhere) continue;
      // A table created earlier in this change holds no deployed rows yet.
      if (m.table && ctx.isNew("table", m.table, a.index)) continue;
      const t = m.table ? displayName(m.table) : "the table";
      report({
        ...ctx.at(a),
        message:
          m.kind === "delete"
            ? `DELETE without WHERE removes every row of ${t}.`
            : `UPDATE without WHERE rewrites every row of ${t} in one transaction: it locks all of them until the migration commits, bloats the table, and can run for a long time on a large table.`,
      });
    }
  },
};
