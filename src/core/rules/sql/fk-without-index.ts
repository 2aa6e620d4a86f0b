import { displayName, sameObject, type ObjectName, type Span } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, sqlRule, type Analyzed, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "fk-without-index",
  defaultSeverity: "notice",
  dialects: PG,
  category: "locking",
  description:
    "A foreign key whose referencing columns have no index: Postgres does not create one, so deleting or re-keying a parent row scans the child table.",
  saferAlternative:
    "Index the referencing columns (leading columns of a non-partial index): CREATE INDEX in the migration that creates the table, CREATE INDEX CONCURRENTLY for an existing one.",
  suppressible: true,
});

interface ForeignKey {
  a: Analyzed;
  table: ObjectName;
  columns: string[];
  references?: ObjectName;
  span: Span;
}

/**
 * MySQL is not judged: InnoDB creates an index on the referencing columns itself when none
 * exists (its build is part of the ALTER, which add-foreign-key-validated and mysql-table-copy
 * see). SQLite has no such index either, but its foreign keys are off unless a PRAGMA says so.
 */
export const fkWithoutIndex = sqlRule({
  meta,
  check(ctx, report) {
    for (const fk of foreignKeys(ctx)) {
      if (fk.columns.length === 0) continue;
      // Known when the table is created in this file: its indexes are all here (before or
      // after the key: lookups only run once the migration is deployed). Otherwise ask the
      // merged schema, and stay silent when nothing knows.
      const createdHere =
        fk.a.model.kind === "create-table" || ctx.origin("table", fk.table, fk.a.index) === "file";
      let decided = "";
      if (!indexedInFile(ctx, fk)) {
        if (!createdHere) {
          if (indexedInMergedSchema(ctx, fk, fk.a.index) !== false) continue;
          decided = ` ${ctx.schema(fk.a.index)!.decided}`;
        }
      } else if (dropsIndexes(ctx)) {
        // An index this file creates may be the one it drops (or its unreadable code drops):
        // only the schema after the whole file vouches for it.
        const end =
          ctx.parsed.length === 0 ? 0 : Math.floor(ctx.parsed[ctx.parsed.length - 1]!.index) + 1;
        const after = indexedInMergedSchema(ctx, fk, end);
        if (after === true) continue;
        decided =
          after === false
            ? ` ${ctx.schema(end)!.decided}`
            : " once this file has run (it drops indexes, or runs code that may, so the one it creates may be gone)";
      } else continue;
      const cols = fk.columns.join(", ");
      const parent = fk.references ? displayName(fk.references) : "the referenced table";
      report({
        ...ctx.lines(fk.span, fk.a),
        message: `The foreign key on ${displayName(fk.table)} (${cols}) → ${parent} has no index on ${displayName(fk.table)} (${cols})${decided}: Postgres does not create one, so every DELETE of a ${parent} row, or UPDATE of its key, scans ${displayName(fk.table)} for referencing rows (once per row for ON DELETE CASCADE / SET NULL), and joins on the key cannot use an index.`,
        suggestion: createdHere
          ? `Add CREATE INDEX ON ${displayName(fk.table)} (${cols}) in this migration, while the table is empty.`
          : `CREATE INDEX CONCURRENTLY ON ${displayName(fk.table)} (${cols}) in a migration of its own.`,
      });
    }
  },
});

function* foreignKeys(ctx: SqlRuleContext): Generator<ForeignKey> {
  for (const a of ctx.parsed) {
    const m = a.model;
    const span = a.nested?.span ?? { start: a.stmt.split.start, end: a.stmt.split.end };
    if (m.kind === "create-table") {
      for (const c of m.constraints)
        if (c.kind === "foreign-key")
          yield { a, table: m.table, columns: c.columns, ...refs(c.references), span };
      for (const c of m.columns)
        if (c.references)
          yield { a, table: m.table, columns: [c.name], references: c.references, span };
    } else if (m.kind === "alter-table") {
      for (const x of m.actions) {
        if (x.type === "add-constraint" && x.constraint.kind === "foreign-key")
          yield {
            a,
            table: m.table,
            columns: x.constraint.columns,
            ...refs(x.constraint.references),
            span: x.span,
          };
        else if (x.type === "add-column" && x.column.references)
          yield {
            a,
            table: m.table,
            columns: [x.column.name],
            references: x.column.references,
            span: x.span,
          };
      }
    }
  }
}

function refs(r: ObjectName | undefined): { references?: ObjectName } {
  return r ? { references: r } : {};
}

/**
 * Does the merged schema (merged history, then the change's earlier statements) have a
 * non-partial index of the table whose leading columns are the key's? Undefined: not known.
 */
function indexedInMergedSchema(
  ctx: SqlRuleContext,
  fk: ForeignKey,
  at: number,
): boolean | undefined {
  const schema = ctx.schema(at);
  const t = schema?.lookup(fk.table).table;
  if (!schema || !t) return undefined;
  const want = new Set(fk.columns.map((c) => schema.key(c)));
  return t.indexes.some(
    (i) =>
      !i.partial &&
      i.columns.length >= want.size &&
      i.columns.slice(0, want.size).every((c) => c !== null && want.has(schema.key(c))),
  );
}

/**
 * Does the file drop an index or a constraint (which may be an index it creates), or run code
 * whose effect cannot be read (which may)?
 */
function dropsIndexes(ctx: SqlRuleContext): boolean {
  if (ctx.opaque.length > 0) return true;
  return ctx.parsed.some(
    (a) =>
      (a.model.kind === "drop" && a.model.objectType === "index") ||
      (a.model.kind === "alter-table" &&
        a.model.actions.some((x) => x.type === "drop-constraint" || x.type === "drop-column")),
  );
}

/** Does an index or key created in this file on the table start with exactly the key's columns? */
function indexedInFile(ctx: SqlRuleContext, fk: ForeignKey): boolean {
  const want = new Set(fk.columns);
  const covers = (cols: ReadonlyArray<string | null>) =>
    cols.length >= want.size &&
    cols.slice(0, want.size).every((c) => c !== null && want.has(c)) &&
    new Set(cols.slice(0, want.size)).size === want.size;
  for (const a of ctx.parsed) {
    const m = a.model;
    if (m.kind === "create-index" && sameObject(m.table, fk.table)) {
      if (!m.partial && m.columns && covers(m.columns)) return true;
    } else if (m.kind === "create-table" && sameObject(m.table, fk.table)) {
      for (const c of m.constraints)
        if ((c.kind === "primary-key" || c.kind === "unique") && covers(c.columns)) return true;
      for (const c of m.columns) if ((c.primaryKey || c.unique) && covers([c.name])) return true;
    } else if (m.kind === "alter-table" && sameObject(m.table, fk.table)) {
      for (const x of m.actions) {
        if (
          x.type === "add-constraint" &&
          (x.constraint.kind === "primary-key" || x.constraint.kind === "unique") &&
          covers(x.constraint.columns)
        )
          return true;
        if (
          x.type === "add-column" &&
          (x.column.primaryKey || x.column.unique) &&
          covers([x.column.name])
        )
          return true;
      }
    }
  }
  return false;
}
