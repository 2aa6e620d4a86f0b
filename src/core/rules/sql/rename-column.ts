import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PARSED_DIALECTS, alterActions, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "rename-column",
  defaultSeverity: "error",
  dialects: [...PARSED_DIALECTS, "clickhouse"],
  category: "compatibility",
  description:
    "Renaming a column (or, Postgres, an enum value: the data of every column of the type) breaks every running application version that uses the old name.",
  saferAlternative:
    "Keep the column name and map it in the ORM; or add the new column, write both, backfill, switch reads, then drop the old one.",
  suppressible: true,
});

export const renameColumn = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      // An enum value is the stored data of every column of the type: renaming it rewrites what
      // each of those rows says, in place, and the running version's writes of the old label fail.
      if (m.kind !== "alter-enum" || m.action !== "rename-value") continue;
      if (ctx.isCertainlyNew("other", m.name, a.index)) continue;
      report({
        ...ctx.at(a),
        message: `Renaming a value of enum ${displayName(m.name)} to '${m.value}' changes what every stored row of every column of that type says, without an UPDATE, and breaks the application version that is still running during the deploy: it reads and writes the old label, and its writes then fail.`,
      });
    }
    for (const { a, table, action } of alterActions(ctx)) {
      let from: string;
      let to: string;
      if (action.type === "rename-column") {
        from = action.from;
        to = action.to;
      } else if (
        action.type === "alter-column-type" &&
        action.syntax === "change" &&
        action.definition &&
        action.definition.name !== action.column
      ) {
        from = action.column; // MySQL CHANGE old new …
        to = action.definition.name;
      } else continue;
      if (ctx.isCertainlyNew("column", { name: from }, a.index, table)) continue;
      report({
        ...ctx.lines(action.span, a),
        message: `Renaming column ${from} of ${displayName(table)} to ${to} breaks the application version that is still running during the deploy: its queries use the old name.`,
      });
    }
  },
});
