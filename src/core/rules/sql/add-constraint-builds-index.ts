import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, alterActions, sqlRule } from "./types.js";

/**
 * PRIMARY KEY and EXCLUDE constraints added to an existing table. UNIQUE, which builds its index
 * the same way, stays with `add-unique-constraint` (a first-set rule id that users already
 * configure and suppress): each statement gets one finding, from one rule.
 */
const meta = ruleMeta({
  id: "add-constraint-builds-index",
  defaultSeverity: "warning",
  dialects: PG,
  category: "locking",
  description:
    "ADD PRIMARY KEY or ADD CONSTRAINT … EXCLUDE on an existing table builds an index while holding an ACCESS EXCLUSIVE lock.",
  saferAlternative:
    "CREATE UNIQUE INDEX CONCURRENTLY in its own migration, then ALTER TABLE … ADD CONSTRAINT … PRIMARY KEY USING INDEX (instant once the columns are NOT NULL).",
  suppressible: true,
});

const EXCLUDE_SUGGESTION =
  "An exclusion constraint cannot be attached from a concurrently built index: add it when the table is created, or on a new table that is backfilled and swapped in, or in a maintenance window with lock_timeout set.";

export const addConstraintBuildsIndex = sqlRule({
  meta,
  check(ctx, report) {
    for (const { a, table, action } of alterActions(ctx)) {
      let kind: "primary-key" | "exclusion" | null = null;
      if (action.type === "add-constraint" && !action.constraint.usingIndex) {
        const k = action.constraint.kind;
        if (k === "primary-key" || k === "exclusion") kind = k;
      } else if (action.type === "add-column" && action.column.primaryKey) {
        // An inline UNIQUE next to it is add-unique-constraint's finding already.
        if (!action.column.unique) kind = "primary-key";
      }
      if (kind === null) continue;
      if (ctx.isNew("table", table, a.index)) continue;
      const name = displayName(table);
      report({
        ...ctx.lines(action.span, a),
        message:
          kind === "primary-key"
            ? `Adding a PRIMARY KEY to ${name} builds a unique index (and checks every row for NULL) while holding an ACCESS EXCLUSIVE lock: no reads or writes on the table until it is built, and it fails if duplicates or NULLs exist.`
            : `Adding an EXCLUDE constraint to ${name} builds its index and checks every row while holding an ACCESS EXCLUSIVE lock: no reads or writes on the table until it is done.`,
        ...(kind === "exclusion" ? { suggestion: EXCLUDE_SUGGESTION } : {}),
      });
    }
  },
});
