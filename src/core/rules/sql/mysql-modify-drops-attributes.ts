import type { ColumnDef } from "../../sql/model.js";
import { displayName } from "../../sql/model.js";
import type { SchemaColumn } from "../../schema/merged.js";
import { ruleMeta } from "../types.js";
import { redefinedColumns, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "mysql-modify-drops-attributes",
  defaultSeverity: "warning",
  dialects: ["mysql"],
  category: "compatibility",
  description:
    "MODIFY/CHANGE COLUMN replaces the whole column definition: an attribute of the merged definition that is not restated (ON UPDATE, DEFAULT, COMMENT, character set, AUTO_INCREMENT, NOT NULL) is silently removed.",
  saferAlternative:
    "Restate every attribute the column keeps in the MODIFY/CHANGE (copy the merged definition from SHOW CREATE TABLE and change only what you mean to), or use ALTER COLUMN … SET DEFAULT / RENAME COLUMN, which change one attribute.",
  suppressible: true,
});

/** What the new definition loses compared with the merged one, one phrase per attribute. */
function lost(old: SchemaColumn, def: ColumnDef): string[] {
  const out: string[] = [];
  if (old.onUpdate && !def.onUpdate)
    out.push(`ON UPDATE ${old.onUpdate} (the column stops changing when a row is updated)`);
  if (old.default !== undefined && (!def.default || def.default.isNull))
    out.push(`DEFAULT ${old.default} (inserts that omit the column get NULL or an error)`);
  if (old.comment && !def.comment) out.push(`COMMENT ${old.comment}`);
  if (old.charset && !def.charset)
    out.push(
      `CHARACTER SET ${old.charset} (the column takes the table's default character set, converting every value)`,
    );
  if (old.collation && !def.collation)
    out.push(`COLLATE ${old.collation} (comparisons and unique keys follow the table's default)`);
  if (old.autoIncrement && def.generated !== "auto-increment")
    out.push("AUTO_INCREMENT (inserts without an id fail or get 0)");
  if (old.notNull && !old.nullabilityUnsure && !def.notNull && !def.primaryKey)
    out.push("NOT NULL (the column starts accepting NULL)");
  return out;
}

export const mysqlModifyDropsAttributes = sqlRule({
  meta,
  check(ctx, report) {
    for (const { a, table, action, merged, schema } of redefinedColumns(ctx)) {
      const gone = lost(merged, action.definition);
      if (gone.length === 0) continue;
      const verb = action.syntax === "change" ? "CHANGE" : "MODIFY";
      report({
        ...ctx.lines(action.span, a),
        message: `${verb} COLUMN ${action.column} of ${displayName(table)} ${schema.decided} replaces its whole definition and drops ${gone.length === 1 ? "an attribute it has today" : `${gone.length} attributes it has today`}: ${gone.join("; ")}.`,
      });
    }
  },
});
