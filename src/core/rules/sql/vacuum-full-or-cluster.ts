import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "vacuum-full-or-cluster",
  defaultSeverity: "error",
  dialects: PG,
  category: "locking",
  description: "VACUUM FULL and CLUSTER rewrite the whole table under an ACCESS EXCLUSIVE lock.",
  saferAlternative:
    "Use pg_repack (or REPACK CONCURRENTLY on Postgres 19+) outside the migration, during a maintenance window.",
  suppressible: true,
});

export const vacuumFullOrCluster = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      let what: string;
      if (m.kind === "vacuum" && m.full) {
        if (m.tables.length > 0 && m.tables.every((t) => ctx.isNew("table", t, a.index))) continue;
        what = `VACUUM FULL ${m.tables.length ? m.tables.map(displayName).join(", ") : "(every table in the database)"}`;
      } else if (m.kind === "cluster") {
        if (m.table && ctx.isNew("table", m.table, a.index)) continue;
        what = `CLUSTER ${m.table ? displayName(m.table) : "(every previously clustered table)"}`;
      } else continue;
      report({
        ...ctx.at(a),
        message: `${what} rewrites the table while holding an ACCESS EXCLUSIVE lock: no reads or writes until it finishes, which on a large table means an outage.`,
      });
    }
  },
});
