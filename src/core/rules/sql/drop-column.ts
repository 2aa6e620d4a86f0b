import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PARSED_DIALECTS, alterActions, dropContext, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "drop-column",
  defaultSeverity: "error",
  dialects: [...PARSED_DIALECTS, "clickhouse"],
  category: "data-loss",
  description:
    "ALTER TABLE … DROP COLUMN deletes the column's data; code that still uses it fails.",
  saferAlternative:
    "Expand/contract: stop reading and writing the column in the application and deploy that, then drop it in a later migration.",
  suppressible: true,
});

export const dropColumn = sqlRule({
  meta,
  check(ctx, report) {
    for (const { a, table, action } of alterActions(ctx)) {
      if (action.type !== "drop-column") continue;
      const { severity, note } = dropContext(
        ctx.lossOrigin("column", { name: action.column }, a.index, table),
      );
      report({
        ...ctx.lines(action.span, a),
        ...(severity ? { severity } : {}),
        message: `Dropping column ${action.column} of ${displayName(table)} deletes its data, and the running application version fails on queries that still select or insert it (including ORMs that list every column).${note}`,
      });
    }
    for (const a of ctx.parsed) {
      const ct = a.model.kind === "other" ? a.model.compositeType : undefined;
      // A type the change created is used by nothing deployed yet.
      if (!ct || ct.drops.length === 0 || ctx.isNew("other", ct.name, a.index)) continue;
      const t = displayName(ct.name);
      report({
        ...ctx.at(a),
        message: `ALTER TYPE ${t} DROP ATTRIBUTE ${ct.drops.join(", ")} deletes that part of every value of the composite type: every column of type ${t} loses it silently (Postgres allows it without CASCADE), and with CASCADE every typed table (CREATE TABLE … OF ${t}) loses the column with its data.`,
      });
    }
  },
});
