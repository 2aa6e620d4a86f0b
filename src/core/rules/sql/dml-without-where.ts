import { displayName, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PARSED_DIALECTS, sqlRule, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "dml-without-where",
  defaultSeverity: "error",
  dialects: [...PARSED_DIALECTS, "clickhouse"],
  category: "data-loss",
  description:
    "DELETE or UPDATE without a real WHERE (none, one that is always true, or — Postgres UPDATE … FROM — one that only joins the rows to the FROM side) touches every row of an existing table — also inside a WITH clause, a MERGE action, a DO block or a called routine.",
  saferAlternative:
    "Add a WHERE clause that selects the rows you mean; for a backfill, update in batches by key range (outside the schema migration if the table is large).",
  suppressible: true,
});

export const dmlWithoutWhere = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      const catalog =
        ctx.dialect === "postgres"
          ? (m.writes ?? []).find(isCatalog)
          : ctx.dialect === "sqlite"
            ? (m.writes ?? []).find(isSqliteSchema)
            : undefined;
      if (catalog && ctx.dialect === "sqlite") {
        // With PRAGMA writable_schema on (the Go drivers do not forbid it), a row deleted or
        // edited here drops or redefines a table: every connection opened later no longer sees it.
        report({
          ...ctx.at(a),
          message: `This statement writes SQLite's schema table ${displayName(catalog)} directly (PRAGMA writable_schema): deleting or editing its rows drops or redefines a table, index or trigger behind SQLite's back, with all the table's rows as far as every later connection can tell, and nothing else in the analysis can see what it changes.`,
        });
        continue;
      }
      if (catalog) {
        // No WHERE makes a catalog write safe: it changes tables behind the server's back.
        report({
          ...ctx.at(a),
          message: `This statement writes the system catalog ${displayName(catalog)} directly: it can drop a column, a constraint or a whole table's data behind Postgres's back (\`UPDATE pg_attribute SET attisdropped = true\`), and nothing else in the analysis can see what it changes.`,
        });
        continue;
      }
      if (m.kind !== "delete" && m.kind !== "update") continue;
      const notNull = m.matchesAll
        ? undefined
        : alwaysNonNull(ctx, a.index, m.table, m.nonNullOnly);
      if (m.hasWhere && !m.matchesAll && !m.joinOnly && !notNull) continue;
      // A table certainly created earlier in this change holds no deployed rows yet.
      if (m.table && ctx.isCertainlyNew("table", m.table, a.index)) continue;
      const t = m.table ? displayName(m.table) : "the table";
      const verb = m.kind === "delete" ? "DELETE" : "UPDATE";
      if (m.kind === "delete") {
        const why = m.matchesAll ?? notNull;
        const how = why
          ? `DELETE on ${t} is filtered in name only: ${why}. It `
          : "DELETE without WHERE ";
        report({
          ...ctx.at(a),
          message: `${how}removes every row of ${t}.${lockNote(ctx, t, true)}`,
        });
        continue;
      }
      const why = m.matchesAll ?? notNull;
      const how = why
        ? `${verb} on ${t} is filtered in name only: ${why}. It rewrites every row of ${t}`
        : m.joinOnly
          ? `UPDATE … FROM on ${t} is a full-table backfill: its WHERE clause only joins the rows to the FROM side (${m.joinOnly}) and selects no subset of ${t}, so every row with a partner — usually all of them — is rewritten`
          : `UPDATE without WHERE rewrites every row of ${t}`;
      report({ ...ctx.at(a), message: `${how}.${lockNote(ctx, t, false)}` });
    }
  },
});

/**
 * `WHERE id IS NOT NULL` on a column the schema says is NOT NULL (a primary key): every row. The
 * reason, or undefined when no set of the columns is known to be NOT NULL.
 */
function alwaysNonNull(
  ctx: SqlRuleContext,
  index: number,
  table: ObjectName | null,
  sets: string[][] | undefined,
): string | undefined {
  const schema = table && sets ? ctx.schema(index) : undefined;
  if (!schema || !table || !sets) return undefined;
  for (const cols of sets) {
    if (cols.length === 0) continue;
    const all = cols.every((c) => {
      const col = schema.column(table, c)?.column;
      return col?.notNull === true && !col.nullabilityUnsure;
    });
    if (all)
      return `its WHERE clause only asks that ${cols.join(", ")} IS NOT NULL, and ${cols.length > 1 ? "they are NOT NULL columns" : "it is a NOT NULL column"} ${schema.decided}, so it holds for every row`;
  }
  return undefined;
}

/** What touching every row costs, true for the dialect and golang-migrate's transaction. */
function lockNote(ctx: SqlRuleContext, t: string, del: boolean): string {
  const until = ctx.fileTransaction ? "until the migration commits" : "until the statement ends";
  switch (ctx.dialect) {
    case "sqlite":
      // SQLite locks the database file, not rows.
      return ` SQLite holds the write lock on the whole database file ${until} (golang-migrate runs the file in a transaction): every other writer waits, and on a large table that is a long outage.`;
    case "clickhouse":
      return del
        ? " ClickHouse rewrites (or, for a lightweight DELETE, marks) every data part of the table, and the rows cannot be brought back by a down migration."
        : " ClickHouse rewrites every data part of the table in the background (a mutation), which cannot be rolled back.";
    case "mysql":
      return ` InnoDB locks every row it scans (and the gaps between them) while the statement runs, writes undo and binlog for each, and replicas replay it as one long transaction.`;
    default:
      return del
        ? ` It locks every row ${until} and leaves a dead copy of each for VACUUM.`
        : ` It locks every row of ${t} ${until}, writes a new version of each (the table and its indexes bloat), and runs for a long time on a large table.`;
  }
}

/** SQLite's schema table, under each of its names (sqlite_schema since 3.33). */
function isSqliteSchema(t: ObjectName): boolean {
  return /^sqlite_(temp_)?(master|schema)$/i.test(t.name);
}

/** pg_catalog's tables; unqualified `pg_…` names resolve there first (pg_catalog leads search_path). */
function isCatalog(t: ObjectName): boolean {
  return t.schema === "pg_catalog" || (!t.schema && /^pg_/i.test(t.name));
}
