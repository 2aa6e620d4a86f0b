import { versionAtLeast } from "../../sql/parse/types.js";
import { displayName, type ColumnDef, type ConstraintDef, type Span } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { sqlRule, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "mysql-inline-references-ignored",
  defaultSeverity: "warning",
  dialects: ["mysql"],
  category: "integrity",
  description:
    "A column's own REFERENCES clause (`c int REFERENCES p(id)`) in CREATE TABLE, ADD COLUMN or MODIFY/CHANGE: MySQL before 9.0 and MariaDB before 10.5 parse it and create no foreign key, without a warning.",
  saferAlternative:
    "Declare the key as a table constraint: `CONSTRAINT fk_name FOREIGN KEY (c) REFERENCES p (id)` (in CREATE TABLE, or ALTER TABLE … ADD CONSTRAINT), which every version enforces.",
  suppressible: true,
});

export const mysqlInlineReferencesIgnored = sqlRule({
  meta,
  check(ctx, report) {
    if (!ignoresInlineReferences(ctx)) return;
    const server = serverNote(ctx);
    for (const a of ctx.parsed) {
      const m = a.model;
      const found: Array<{ column: ColumnDef; span?: Span }> = [];
      let constraints: ConstraintDef[] = [];
      if (m.kind === "create-table") {
        for (const c of m.columns) if (c.references) found.push({ column: c });
        constraints = m.constraints;
      } else if (m.kind === "alter-table") {
        for (const x of m.actions) {
          if (x.type === "add-column" && x.column.references)
            found.push({ column: x.column, span: x.span });
          else if (x.type === "alter-column-type" && x.definition?.references)
            found.push({ column: x.definition, span: x.span });
          else if (x.type === "add-constraint") constraints.push(x.constraint);
        }
      } else continue;
      const table = m.table;
      for (const { column, span } of found) {
        // A table-level FOREIGN KEY on the same column in the statement: the key exists anyway.
        const declared = constraints.some(
          (c) => c.kind === "foreign-key" && c.columns.length === 1 && c.columns[0] === column.name,
        );
        if (declared) continue;
        const ref = column.references!;
        report({
          ...(span ? ctx.lines(span, a) : ctx.at(a)),
          message: `${displayName(table)}.${column.name} REFERENCES ${displayName(ref)} is written inline, in the column's definition, which ${server.who} read and ignore: no foreign key is created, and no error or warning says so. Rows that point to no ${displayName(ref)} row are accepted and deletes of ${displayName(ref)} rows are not checked${column.onDelete ? ` (ON DELETE ${column.onDelete} never runs)` : ""}, while the migration reads as if they were.${server.assumed}`,
        });
      }
    }
  },
});

/**
 * MySQL honours inline REFERENCES from 9.0.0 (WL#16130, bug #102904), MariaDB from 10.5
 * (MDEV-20729); earlier servers ignore it. Without databaseVersion the server may be either.
 */
export function ignoresInlineReferences(ctx: SqlRuleContext): boolean {
  const v = ctx.version;
  if (!v) return true;
  return v.major >= 10 ? !versionAtLeast(v, 10, 5, 0) : !versionAtLeast(v, 9, 0, 0);
}

function serverNote(ctx: SqlRuleContext): { who: string; assumed: string } {
  const v = ctx.version;
  if (!v)
    return {
      who: "MySQL before 9.0 (8.0 and 8.4 included) and MariaDB before 10.5",
      assumed:
        " databaseVersion is not set for this directory; set it to judge for your server (MySQL 9.0 and MariaDB 10.5 create the key).",
    };
  return {
    who:
      v.major >= 10
        ? `MariaDB ${v.major}.${v.minor} (before 10.5)`
        : `MySQL ${v.major}.${v.minor} (before 9.0)`,
    assumed: "",
  };
}
