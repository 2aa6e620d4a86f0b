import { displayName, type AlterAction, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PARSED_DIALECTS, addedColumnFill, sqlRule, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "new-write-restriction",
  defaultSeverity: "notice",
  dialects: PARSED_DIALECTS,
  category: "compatibility",
  description:
    "A CHECK, UNIQUE, PRIMARY KEY, FOREIGN KEY, EXCLUDE or NOT NULL rule added to an existing table (or a unique index, or a constraint on a domain): writes the application makes today may start failing, including those of the version still running during the deploy or restored by an application rollback.",
  saferAlternative:
    "Ship the application change that stops such writes first and let it run everywhere; then add the constraint in a later migration.",
  suppressible: true,
});

/**
 * About the application, not the migration: set-not-null, add-check-validated,
 * add-unique-on-existing-data and the other locking and data rules say what the statement does
 * to the table while it runs; this notice says which writes are refused afterwards. NOT VALID
 * constraints are reported too (they skip the existing rows, not new writes). Left alone: tables
 * and domains created in the change (no writer yet), constraints on columns the change added
 * (old writers leave them NULL or at their default, which passes CHECK, UNIQUE and FOREIGN KEY),
 * `… USING INDEX` (the unique index already restricted writes), MySQL NOT ENFORCED checks, and
 * down files (they put back what the up removed).
 */
export const newWriteRestriction = sqlRule({
  meta,
  check(ctx, report) {
    if (ctx.direction === "down") return;
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind === "create-index") {
        if (!m.unique || ctx.isNew("table", m.table, a.index)) continue;
        const cols = m.columns?.every((c) => c !== null) ? m.columns : undefined;
        if (cols && cols.length > 0 && cols.every((c) => added(ctx, m.table, c, a.index))) continue;
        report({
          ...ctx.at(a),
          message: message(
            `The unique index${m.name ? ` ${m.name.name}` : ""} on ${displayName(m.table)}`,
            "insert or update a value (combination) another row already has",
          ),
        });
      } else if (m.kind === "alter-domain") {
        if (m.action !== "add-constraint" && m.action !== "set-not-null") continue;
        if (ctx.isNew("other", m.name, a.index)) continue;
        report({
          ...ctx.at(a),
          message: message(
            `${m.action === "set-not-null" ? "SET NOT NULL" : "The new constraint"} on the domain ${displayName(m.name)}`,
            `write a value the domain now refuses into any column of that domain${m.notValid ? " (NOT VALID skips the existing values, not new writes)" : ""}`,
          ),
        });
      } else if (m.kind === "alter-table") {
        if (ctx.isNew("table", m.table, a.index)) continue;
        // Columns this statement adds count as added for its later actions.
        const fold = (n: string) => (ctx.dialect === "mysql" ? n.toLowerCase() : n);
        const fresh = new Set<string>();
        for (const x of m.actions) {
          if (x.type === "add-column" && !x.ifNotExists) fresh.add(fold(x.column.name));
          const isAdded = (col: string) =>
            fresh.has(fold(col)) || added(ctx, m.table, col, a.index);
          const r = restriction(ctx, m.table, x, a.index, isAdded);
          if (r) report({ ...ctx.lines(x.span, a), message: message(r.what, r.refused) });
        }
      }
    }
  },
});

function message(what: string, refused: string): string {
  return `${what}: from this migration on, the database refuses writes that ${refused}. Application code that makes such writes starts failing, including the version still running while the new one rolls out and the one an application rollback brings back (which keeps this schema).`;
}

/** Was the column added earlier in the change (old writers never write it)? */
function added(ctx: SqlRuleContext, table: ObjectName, column: string, index: number): boolean {
  const fill = addedColumnFill(ctx, table, column, index);
  return fill !== null && fill.state !== "tentative";
}

function restriction(
  ctx: SqlRuleContext,
  table: ObjectName,
  x: AlterAction,
  index: number,
  isAdded: (column: string) => boolean,
): { what: string; refused: string } | null {
  const t = displayName(table);
  if (
    x.type === "set-not-null" ||
    (x.type === "add-constraint" && x.constraint.kind === "not-null")
  ) {
    const column = x.type === "set-not-null" ? x.column : x.constraint.columns[0];
    if (column === undefined || !nullableBefore(ctx, table, column, index)) return null;
    return {
      what: `NOT NULL on ${column} of ${t}`,
      refused: `leave ${column} NULL (an INSERT that omits it, with no default)`,
    };
  }
  if (x.type === "alter-column-type" && x.definition?.notNull && ctx.dialect === "mysql") {
    // MODIFY restating NOT NULL: a restriction only when the merged schema knows it allowed NULL.
    const merged = ctx.schema(index)?.column(table, x.column)?.column;
    if (!merged || merged.notNull || merged.nullabilityUnsure) return null;
    if (added(ctx, table, x.column, index)) return null;
    return {
      what: `The new definition of ${x.column} of ${t} (NOT NULL)`,
      refused: `leave ${x.column} NULL`,
    };
  }
  if (x.type !== "add-constraint") return null;
  const c = x.constraint;
  if (c.usingIndex || (c.kind === "check" && c.notEnforced)) return null;
  // Every constrained column (CHECK: every column it reads) is new: old writers leave it NULL
  // or at its default.
  const cols0 = c.kind === "check" ? (c.exprColumns ?? []) : c.columns;
  if (cols0.length > 0 && cols0.every(isAdded)) return null;
  const name = c.name ? ` ${c.name}` : "";
  const cols = c.columns.length > 0 ? ` (${c.columns.join(", ")})` : "";
  const nv = c.notValid ? " (NOT VALID skips the existing rows, not new writes)" : "";
  switch (c.kind) {
    case "check":
      return {
        what: `The CHECK constraint${name} on ${t}`,
        refused: `make its condition false${nv}`,
      };
    case "unique":
      return {
        what: `The UNIQUE constraint${name}${cols} on ${t}`,
        refused: "insert or update a value (combination) another row already has",
      };
    case "primary-key":
      return {
        what: `The PRIMARY KEY${cols} on ${t}`,
        refused: "leave a key column NULL or repeat a key another row has",
      };
    case "exclusion":
      return {
        what: `The EXCLUDE constraint${name} on ${t}`,
        refused: "conflict with another row under its operators (an overlapping range, say)",
      };
    case "foreign-key":
      if (c.notEnforced) return null;
      return {
        what: `The FOREIGN KEY${name}${cols} on ${t}`,
        refused: `point at a row that does not exist in ${c.references ? displayName(c.references) : "the referenced table"} (and, there, deletes or key updates of rows still referenced)${nv}`,
      };
    default:
      return null;
  }
}

/**
 * Could the column hold NULL before? A column the change added with a default or NOT NULL
 * cannot be left NULL by old writers; one the change added without a default can.
 */
function nullableBefore(
  ctx: SqlRuleContext,
  table: ObjectName,
  column: string,
  index: number,
): boolean {
  const fill = addedColumnFill(ctx, table, column, index);
  if (fill && (fill.state === "new-table" || fill.state === "not-null" || fill.state === "default"))
    return false;
  const merged = fill ? undefined : ctx.schema(index)?.column(table, column)?.column;
  return !(merged?.notNull && !merged.nullabilityUnsure);
}
