import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "truncate-cascade",
  defaultSeverity: "error",
  dialects: ["postgres", "cockroachdb"],
  category: "data-loss",
  description:
    "TRUNCATE … CASCADE also empties every table that references the truncated ones, recursively.",
  saferAlternative:
    "List every table to empty explicitly, without CASCADE, so a reviewer sees them.",
  suppressible: true,
});

export const truncateCascade = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "truncate" || !m.cascade) continue;
      report({
        ...ctx.at(a),
        message: `TRUNCATE ${m.tables.map(displayName).join(", ")} CASCADE also deletes every row of all tables with foreign keys pointing at ${m.tables.length === 1 ? "it" : "them"}, recursively — tables nobody named in this migration.`,
      });
    }
  },
});
