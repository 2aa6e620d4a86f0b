import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PARSED_DIALECTS, alterActions, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "add-column-breaks-positional",
  defaultSeverity: "notice",
  dialects: PARSED_DIALECTS,
  category: "compatibility",
  description:
    "ADD COLUMN on an existing table: application code that reads or writes the table by position (SELECT * into a fixed tuple, INSERT without a column list) breaks or shifts.",
  saferAlternative:
    "Make every reader and writer name its columns first (no SELECT *, no INSERT without a column list), then add the column.",
  suppressible: true,
  optIn: true,
});

/**
 * Off by default (squawk's opt-in ban-add-column): most applications name their columns, and
 * for them every ADD COLUMN would be reported. Tables created in the change are left alone (no
 * code reads them yet), and so are down files (they put back a column the up dropped). Where
 * FIRST/AFTER also moves existing columns, mysql-add-column-position reports that (on by
 * default).
 */
export const addColumnBreaksPositional = sqlRule({
  meta,
  check(ctx, report) {
    if (ctx.direction === "down") return;
    for (const { a, table, action: x } of alterActions(ctx)) {
      if (x.type !== "add-column" || ctx.isNew("table", table, a.index)) continue;
      const t = displayName(table);
      report({
        ...ctx.lines(x.span, a),
        message: `ADD COLUMN ${x.column.name} gives ${t} one more column: code that depends on its column list breaks, including the application version still running during the deploy. An INSERT INTO ${t} VALUES (…) without a column list now fails (one value short), SELECT * read into a fixed tuple or struct by position gets an extra column, and INSERT INTO ${t} SELECT * FROM a copy with the old columns stops lining up.`,
      });
    }
  },
});
