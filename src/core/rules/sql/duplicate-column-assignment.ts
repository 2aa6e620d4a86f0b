import { displayName, type ColumnAssignments } from "../../sql/model.js";
import type { Dialect } from "../../types.js";
import { ruleMeta } from "../types.js";
import { PARSED_DIALECTS, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "duplicate-column-assignment",
  defaultSeverity: "error",
  dialects: PARSED_DIALECTS,
  category: "integrity",
  description:
    "A column named twice in one statement: a CREATE TABLE or ALTER TABLE defining it twice, an INSERT column list, UPDATE … SET or upsert assigning it twice. Postgres rejects each; MySQL rejects the definitions and the INSERT list; where the server accepts it, one of the values is silently lost.",
  saferAlternative:
    "Name each column once: merge the two assignments into one expression, or remove the one that was left behind by an edit.",
  suppressible: true,
});

export const duplicateColumnAssignment = sqlRule({
  meta,
  check(ctx, report) {
    const pgLike = ctx.dialect === "postgres" || ctx.dialect === "cockroachdb";
    for (const a of ctx.parsed) {
      const m = a.model;
      // Definitions: every dialect refuses a second column of the same name.
      const defined =
        m.kind === "create-table"
          ? { what: `CREATE TABLE ${displayName(m.table)}`, names: m.columns.map((c) => c.name) }
          : m.kind === "alter-table"
            ? {
                what: `ALTER TABLE ${displayName(m.table)}`,
                names: m.actions.flatMap((x) => (x.type === "add-column" ? [x.column.name] : [])),
              }
            : null;
      if (defined) {
        for (const name of duplicates(
          defined.names.map((n) => fold(n, ctx.dialect)),
          [],
        )) {
          report({
            ...ctx.at(a),
            message: `${defined.what} defines column ${name} twice: the server rejects the statement (duplicate column name), so the migration fails here.`,
          });
        }
      }
      for (const list of m.assignments ?? []) {
        const names = list.columns.map((c) => c.name);
        const parts = list.columns.map((c) => c.part === true);
        for (const name of duplicates(names, parts)) {
          const effect = outcome(list.clause, ctx.dialect, pgLike);
          report({
            ...ctx.at(a),
            ...(effect.severity ? { severity: effect.severity } : {}),
            message: `${list.clause === "INSERT" ? "The INSERT column list" : list.clause} names column ${name} twice: ${effect.text}.`,
          });
        }
      }
    }
  },
});

/** MySQL and SQLite compare column names without case; the Postgres parser already folded. */
function fold(name: string, dialect: Dialect): string {
  return dialect === "mysql" || dialect === "sqlite" ? name.toLowerCase() : name;
}

/**
 * Names written more than once, once each. Postgres lets several assignments share a column
 * when each sets only a part of it (`SET a[1] = 1, a[2] = 2`), not when one sets all of it.
 */
function duplicates(names: string[], parts: boolean[]): string[] {
  const out: string[] = [];
  names.forEach((n, i) => {
    if (out.includes(n)) return;
    const at = names.flatMap((x, j) => (x === n ? [j] : []));
    if (at.length > 1 && at.some((j) => !parts[j]) && at[0] === i) out.push(n);
  });
  return out;
}

function outcome(
  clause: ColumnAssignments["clause"],
  dialect: Dialect,
  pgLike: boolean,
): { severity?: "warning"; text: string } {
  const fails = "the server rejects the statement, so the migration fails here";
  if (pgLike) return { text: fails };
  if (clause === "INSERT") {
    if (dialect === "mysql") return { text: `${fails} (ER_FIELD_SPECIFIED_TWICE)` };
    return {
      severity: "warning",
      text: "SQLite accepts it and stores only one of the two values, silently dropping the other",
    };
  }
  if (dialect === "mysql")
    return {
      severity: "warning",
      text: "MySQL runs the assignments left to right, so the later one overwrites the earlier and only its value is stored; the statement succeeds and nothing says a value was lost",
    };
  return {
    severity: "warning",
    text: "SQLite keeps only the rightmost assignment and silently ignores the others",
  };
}
