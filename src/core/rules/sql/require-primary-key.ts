import { displayName, sameObject, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PARSED_DIALECTS, sqlRule, type Analyzed, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "require-primary-key",
  defaultSeverity: "notice",
  dialects: PARSED_DIALECTS,
  category: "style",
  description:
    "CREATE TABLE without a primary key (nor one added later in the same file): rows have no identity the database guarantees, which replication, online schema-change tools and ORMs rely on.",
  saferAlternative:
    "Declare a PRIMARY KEY in CREATE TABLE (a bigint identity / AUTO_INCREMENT column, or the natural key).",
  suppressible: true,
  optIn: true,
});

const WHY: Record<string, string> = {
  postgres:
    "Postgres logical replication (publications, CDC tools) cannot replicate its UPDATEs and DELETEs without a replica identity, which defaults to the primary key",
  cockroachdb:
    "CockroachDB adds a hidden rowid column as the key, which no query can use and which spreads writes poorly",
  mysql:
    "InnoDB clusters the table on a hidden row id, group replication refuses writes to it, and gh-ost / pt-online-schema-change cannot alter it online",
  sqlite:
    "SQLite keys it by rowid, which VACUUM may renumber because no INTEGER PRIMARY KEY column keeps it",
};

/**
 * Off by default (Bytebase's table.require-pk): a design policy. A key added by a later ALTER
 * TABLE … ADD PRIMARY KEY (or ADD COLUMN … PRIMARY KEY) in the same file counts; one added in a
 * later file of the change does not (suppress with that reason). Temporary tables, tables whose
 * columns come from another one (PARTITION OF, LIKE, INHERITS) and down files are left alone.
 * SQLite rowid tables are reported: the rowid is a key, but not a stable one.
 */
export const requirePrimaryKey = sqlRule({
  meta,
  check(ctx, report) {
    if (ctx.direction === "down") return;
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "create-table" || m.temporary || (m.derived && m.derived !== "of-type"))
        continue;
      if (m.columns.some((c) => c.primaryKey)) continue;
      if (m.constraints.some((c) => c.kind === "primary-key")) continue;
      if (addedLater(ctx, a, m.table)) continue;
      report({
        ...ctx.at(a),
        message: `CREATE TABLE ${displayName(m.table)} declares no primary key, and none is added later in this file: nothing identifies a row, so duplicates go unnoticed and a single row cannot be updated or deleted reliably; ${WHY[ctx.dialect] ?? ""}.`,
      });
    }
  },
});

/** Does a later statement of the file add a primary key to the table? */
function addedLater(ctx: SqlRuleContext, a: Analyzed, table: ObjectName): boolean {
  return ctx.parsed.some((b) => {
    const m = b.model;
    if (b.index <= a.index || m.kind !== "alter-table" || !sameObject(m.table, table)) return false;
    return m.actions.some(
      (x) =>
        (x.type === "add-constraint" && x.constraint.kind === "primary-key") ||
        (x.type === "add-column" && x.column.primaryKey),
    );
  });
}
