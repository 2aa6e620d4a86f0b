import { displayName } from "../../sql/model.js";
import { versionAtLeast } from "../../sql/parse/index.js";
import { ruleMeta } from "../types.js";
import { PG, alterActions, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "detach-partition-not-concurrently",
  defaultSeverity: "warning",
  dialects: PG,
  category: "locking",
  description:
    "ALTER TABLE … DETACH PARTITION without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the partitioned table: every query on any partition waits.",
  saferAlternative:
    "ALTER TABLE … DETACH PARTITION … CONCURRENTLY (Postgres 14+), alone in its own migration file (it cannot run in a transaction); finish an interrupted one with DETACH PARTITION … FINALIZE.",
  suppressible: true,
});

export const detachPartitionNotConcurrently = sqlRule({
  meta,
  check(ctx, report) {
    // CONCURRENTLY exists since Postgres 14: on an older server there is nothing better to say.
    if (ctx.version !== null && !versionAtLeast(ctx.version, 14)) return;
    for (const { a, table, action } of alterActions(ctx)) {
      if (action.type !== "detach-partition" || action.concurrently) continue;
      if (ctx.isNew("table", table, a.index)) continue;
      report({
        ...ctx.lines(action.span, a),
        message: `DETACH PARTITION ${displayName(action.partition)} takes an ACCESS EXCLUSIVE lock on ${displayName(table)}, the partitioned table: reads and writes of every partition wait behind it, and it waits behind every running query on them.`,
      });
    }
  },
});
