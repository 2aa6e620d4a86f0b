import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, dropContext, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "drop-index-not-concurrently",
  defaultSeverity: "warning",
  dialects: PG,
  category: "locking",
  description:
    "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the index's table.",
  saferAlternative:
    "DROP INDEX CONCURRENTLY IF EXISTS, alone in its own migration file (not possible for indexes backing a constraint: drop the constraint instead).",
  suppressible: true,
});

export const dropIndexNotConcurrently = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "drop" || m.objectType !== "index" || m.concurrently) continue;
      for (const name of m.names) {
        const created = ctx.find("index", name, a.index);
        // An index on a table this change created locks nothing live.
        if (created?.table && ctx.isNew("table", created.table, a.index)) continue;
        // A down file removing its own up's index is the expected rollback: a notice.
        const undo = dropContext(ctx.origin("index", name, a.index) === "own-up" ? "own-up" : null);
        const table = created?.table ? displayName(created.table) : "its table";
        report({
          ...ctx.at(a),
          ...(undo.severity ? { severity: undo.severity } : {}),
          message: `DROP INDEX ${displayName(name)} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on ${table}: reads and writes wait behind it, and behind any long transaction it waits for.${undo.note}`,
        });
      }
    }
  },
});
