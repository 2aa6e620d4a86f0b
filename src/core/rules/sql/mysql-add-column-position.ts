import { displayName, type ColumnDef, type ObjectName } from "../../sql/model.js";
import type { MergedSchema } from "../../schema/merged.js";
import { ruleMeta } from "../types.js";
import { sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "mysql-add-column-position",
  defaultSeverity: "notice",
  dialects: ["mysql"],
  category: "compatibility",
  description:
    "ADD COLUMN … FIRST / AFTER c (or MODIFY/CHANGE … FIRST / AFTER c) on an existing table: the columns after it shift, which changes what SELECT * and INSERT without a column list mean for code that reads or writes by position, and the server cannot add it instantly before MySQL 8.0.29 / MariaDB 10.4.",
  saferAlternative:
    "Add the column last (no FIRST/AFTER): column order is only cosmetic, and a last column is added instantly from MySQL 8.0.12 / MariaDB 10.3.",
  suppressible: true,
});

/**
 * Only existing tables: a table created in this change has no readers yet. Down files are left
 * alone: they put back a column where the up removed it from. With the merged schema, AFTER the
 * column that is already last (or MODIFY … AFTER the column already before it) changes nothing
 * and is not reported. The rebuild itself is mysql-table-copy's finding, judged for the
 * configured server version; this one is about the order.
 */
export const mysqlAddColumnPosition = sqlRule({
  meta,
  check(ctx, report) {
    if (ctx.direction === "down") return;
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "alter-table" || ctx.isNew("table", m.table, a.index)) continue;
      const schema = ctx.schema(a.index);
      for (const x of m.actions) {
        const moved =
          x.type === "add-column"
            ? { def: x.column, from: undefined }
            : x.type === "alter-column-type" && x.definition
              ? { def: x.definition, from: x.column }
              : undefined;
        if (!moved?.def.positioned) continue;
        if (schema && !reorders(schema, m.table, moved.def, moved.from)) continue;
        const where = moved.def.after === undefined ? "FIRST" : `AFTER ${moved.def.after}`;
        const table = displayName(m.table);
        const what =
          moved.from === undefined
            ? `ADD COLUMN ${moved.def.name} … ${where} puts the new column before existing columns of ${table}`
            : `${x.type === "alter-column-type" && x.syntax === "change" ? "CHANGE" : "MODIFY"} ${moved.from} … ${where} moves the column within ${table}`;
        report({
          ...ctx.lines(x.span, a),
          message: `${what}: every column after it shifts one place, so code that depends on column order (SELECT * read into a fixed tuple or struct by position, INSERT INTO ${table} VALUES (…) without a column list, exports and CSV loads) reads or writes the wrong columns or fails. MySQL before 8.0.29 and MariaDB before 10.4 also cannot do this instantly: they rebuild the table (mysql-table-copy judges that for your databaseVersion).`,
          suggestion:
            "Drop FIRST/AFTER and let the column go last: order is only cosmetic (list columns in the SELECT instead), and a last column is added with ALGORITHM=INSTANT from MySQL 8.0.12 / MariaDB 10.3.",
        });
      }
    }
  },
});

/**
 * Does placing `def` (replacing column `from`, if any) change the order of the table's columns?
 * True when the merged schema cannot tell (table or column unknown).
 */
function reorders(
  schema: MergedSchema,
  table: ObjectName,
  def: ColumnDef,
  from: string | undefined,
): boolean {
  const t = schema.lookup(table).table;
  if (!t) return true;
  const keys = [...t.columns.keys()];
  const old = from === undefined ? undefined : schema.key(from);
  const others = keys.filter((k) => k !== old);
  if (old !== undefined && !keys.includes(old)) return true;
  const target = def.after === undefined ? 0 : others.indexOf(schema.key(def.after)) + 1;
  if (def.after !== undefined && target === 0) return true; // AFTER an unknown column
  // Where the column is now among the others (a new column: last).
  const current = old === undefined ? others.length : keys.indexOf(old);
  return target !== current;
}
