import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { isPartitioned } from "./index-on-partitioned-table.js";
import { PG, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "create-index-not-concurrently",
  defaultSeverity: "warning",
  dialects: PG,
  category: "locking",
  description:
    "CREATE INDEX without CONCURRENTLY blocks all writes to the table while the index is built.",
  saferAlternative:
    "CREATE INDEX CONCURRENTLY, alone in its own migration file (golang-migrate runs a file with several statements in one transaction, where CONCURRENTLY fails).",
  suppressible: true,
});

export const createIndexNotConcurrently = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "create-index" || m.concurrently) continue;
      if (ctx.isNew("table", m.table, a.index)) continue;
      // A partitioned parent refuses CONCURRENTLY: index-on-partitioned-table reports it, with
      // the advice that works there (per partition, then ON ONLY + ATTACH PARTITION).
      if (isPartitioned(ctx, m.table, a.index)) continue;
      const name = m.name ? `${displayName(m.name)} ` : "";
      report({
        ...ctx.at(a),
        message: `CREATE ${m.unique ? "UNIQUE " : ""}INDEX ${name}on ${displayName(m.table)} takes a SHARE lock: every INSERT, UPDATE and DELETE on the table waits until the whole index is built.`,
        ...(ctx.multiStatement
          ? {
              suggestion:
                "Use CREATE INDEX CONCURRENTLY (with x-multi-statement each statement runs on its own, so it works here as long as it is not between BEGIN and COMMIT).",
            }
          : {}),
      });
    }
  },
});
