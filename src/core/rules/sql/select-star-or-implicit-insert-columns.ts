import { displayName, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PARSED_DIALECTS, sqlRule, type Analyzed, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "select-star-or-implicit-insert-columns",
  defaultSeverity: "notice",
  dialects: PARSED_DIALECTS,
  category: "style",
  description:
    "INSERT without a column list into an existing table, INSERT … SELECT * from an existing table, and SELECT * in a view (Postgres, MySQL): the statement depends on the tables' column order and count at the moment it runs rather than on names.",
  saferAlternative:
    "Name the columns: INSERT INTO t (a, b) VALUES …, INSERT INTO t (a, b) SELECT a, b FROM s, CREATE VIEW v AS SELECT a, b FROM t.",
  suppressible: true,
});

/**
 * Tables created earlier in the change are left alone as INSERT targets and SELECT * sources:
 * their columns are written out in the change itself, with nothing that can come in between.
 * CREATE TABLE … AS SELECT * is left alone too: the new table takes the source's columns by
 * name, which is what a copy means. A view's `*` is reported whatever it reads: Postgres and
 * MySQL expand it once, when the view is created (SQLite on every query, so not there).
 */
export const selectStarOrImplicitInsertColumns = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      const ic = m.implicitColumns;
      if (!ic) continue;
      if (m.kind === "create-other") {
        // SQLite keeps the view's text and expands `*` on every query: nothing is frozen.
        if (m.objectType === "view" && ic.star && ctx.dialect !== "sqlite")
          report({ ...ctx.at(a), message: view(ctx, a) });
        continue;
      }
      const target = m.writes?.[0];
      const parts: string[] = [];
      if (ic.insert && target && !ctx.isNew("table", target, a.index)) {
        const rows = ic.insert === "values" ? "its VALUES rows" : "the query's columns";
        parts.push(
          `INSERT INTO ${displayName(target)} without a column list puts ${rows} into the table's columns by position: it depends on the table's exact column order and count when it runs`,
        );
      }
      const sources = (m.reads ?? []).filter((s) => !ctx.isNew("table", s, a.index));
      if (ic.star && sources.length > 0)
        parts.push(
          `${parts.length > 0 ? "and its" : "Its"} SELECT * takes every column of ${names(sources)} in their order, so the copy depends on ${sources.length > 1 ? "those tables'" : "that table's"} columns lining up with the ones it fills`,
        );
      if (parts.length === 0) continue;
      report({
        ...ctx.at(a),
        message: `${parts.join(", ")}. A column added, dropped or reordered before this migration runs (on another branch, by hand, on one server only) makes it fail, or, when the types allow, write values into the wrong columns without an error.`,
        suggestion:
          "Name the columns on both sides: INSERT INTO t (a, b) VALUES (…) or INSERT INTO t (a, b) SELECT a, b FROM s.",
      });
    }
  },
});

function names(tables: ObjectName[]): string {
  return [...new Set(tables.map(displayName))].join(", ");
}

function view(ctx: SqlRuleContext, a: Analyzed): string {
  const m = a.model;
  const name = m.kind === "create-other" && m.name ? `${displayName(m.name)} ` : "";
  const after =
    ctx.dialect === "postgres" || ctx.dialect === "cockroachdb"
      ? " The server also refuses to drop or change the type of any column it captured while the view exists (DROP COLUMN needs CASCADE, which drops the view)."
      : " Dropping or renaming a column it captured leaves the view invalid: every query on it fails until it is recreated.";
  return `The view ${name}selects *: the server expands * into the column list once, when the view is created, so columns added to the table later do not appear in the view, and code reading the view by position sees whatever order the table had then.${after}`;
}
