import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, alterActions, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "vacuum-full-or-cluster",
  defaultSeverity: "error",
  dialects: PG,
  category: "locking",
  description:
    "VACUUM FULL and CLUSTER rewrite the whole table under an ACCESS EXCLUSIVE lock; moving an existing table, index or materialized view to another tablespace (SET TABLESPACE, ALL IN TABLESPACE) copies it under the same lock.",
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
    const copies =
      "while holding an ACCESS EXCLUSIVE lock: no reads or writes until the last block is written, which on a large relation means an outage";
    for (const { a, table, action } of alterActions(ctx)) {
      if (action.type !== "set-storage" || action.storage !== "tablespace") continue;
      if (ctx.isNew("table", table, a.index)) continue;
      report({
        ...ctx.lines(action.span, a),
        message: `SET TABLESPACE ${action.value ?? ""} copies the existing table ${displayName(table)} (and SET TABLESPACE on its indexes copies each of them) block by block into the other tablespace ${copies}.`,
      });
    }
    for (const a of ctx.parsed) {
      const mv = a.model.kind === "other" ? a.model.moves : undefined;
      if (!mv) continue;
      if (mv.name && mv.objects === "index" && ctx.isNew("index", mv.name, a.index)) continue;
      const what = mv.name
        ? `SET TABLESPACE ${mv.to} copies the existing ${mv.objects} ${displayName(mv.name)}`
        : `ALL IN TABLESPACE ${mv.from ?? ""} … SET TABLESPACE ${mv.to} copies ${mv.objects} stored there, one at a time (each under its own lock, held to the end of the transaction),`;
      report({ ...ctx.at(a), message: `${what} into the other tablespace ${copies}.` });
    }
  },
});
