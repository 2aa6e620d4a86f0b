import { displayName, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, sqlRule, timeoutSetting } from "./types.js";

const meta = ruleMeta({
  id: "require-statement-timeout",
  defaultSeverity: "notice",
  optIn: true,
  dialects: PG,
  category: "locking",
  description:
    "A statement that works on an existing table runs with no statement_timeout set in the file: a migration that takes far longer than expected keeps its locks until someone cancels it.",
  saferAlternative:
    "Start the file with SET statement_timeout = '…' (a bound you would rather fail at than exceed), or set x-statement-timeout in golang-migrate's database URL and turn this rule off.",
  suppressible: true,
});

export const requireStatementTimeout = sqlRule({
  meta,
  check(ctx, report) {
    let timeoutSet = false;
    for (const a of ctx.parsed) {
      const m = a.model;
      const set = timeoutSetting(ctx, a, "statement_timeout");
      if (set !== undefined) {
        timeoutSet = set;
        continue;
      }
      if (timeoutSet) continue;
      // What can run long: locking DDL, index builds and row writes on tables that hold data.
      const touched: ObjectName[] = [...m.strongLocks, ...(m.writes ?? [])];
      if (m.kind === "create-index") touched.push(m.table);
      const live = touched.filter(
        (t) => ctx.origin("table", t, a.index) === null && ctx.origin("index", t, a.index) === null,
      );
      if (live.length === 0) continue;
      const names = [...new Set(live.map(displayName))].join(", ");
      report({
        ...ctx.at(a),
        message: `This statement works on ${names}, which already holds data, and no statement_timeout is set earlier in the file: if it takes far longer than expected (a bigger table, a slower plan), nothing stops it and its locks stay held until someone cancels it.`,
      });
      return; // one SET at the top covers the whole file: report the first statement only
    }
  },
});
