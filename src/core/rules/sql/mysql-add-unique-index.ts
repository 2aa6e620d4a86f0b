import { displayName, type AlterAction } from "../../sql/model.js";
import { mysqlServer } from "../../sql/mysql-online-ddl.js";
import { versionAtLeast } from "../../sql/parse/types.js";
import { ruleMeta } from "../types.js";
import { sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "mysql-add-unique-index",
  defaultSeverity: "warning",
  dialects: ["mysql"],
  category: "integrity",
  description:
    "A unique index or primary key added to an existing MySQL table fails on duplicate rows and leaves the migration half applied; with ALTER IGNORE TABLE, older servers silently delete the duplicate rows instead.",
  saferAlternative:
    "Find and resolve duplicates first (SELECT cols, COUNT(*) … GROUP BY cols HAVING COUNT(*) > 1) in a reviewed migration, stop the application writing new ones, then add the key without IGNORE.",
  suppressible: true,
});

export const mysqlAddUniqueIndex = sqlRule({
  meta,
  check(ctx, report) {
    const server = mysqlServer(ctx.version, ctx.source.directory.databaseVersion);
    // MySQL removed ALTER IGNORE TABLE in 5.7 (a syntax error there); MariaDB keeps it.
    const ignoreDeletes = server.engine === "mariadb" || !versionAtLeast(server.version, 5, 7);
    const assumed = server.assumed
      ? " (databaseVersion is not set for this directory, so this is judged for MySQL 5.6)"
      : "";
    const failure =
      "MySQL DDL is not transactional, so the statements before it in this file stay applied, golang-migrate marks the version dirty and someone has to repair the database by hand";
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind === "create-index" && m.unique) {
        if (ctx.isNew("table", m.table, a.index)) continue;
        report({
          ...ctx.at(a),
          message: `CREATE UNIQUE INDEX on ${displayName(m.table)} fails if existing rows hold duplicate values: ${failure}.`,
        });
        continue;
      }
      if (m.kind !== "alter-table" || ctx.isNew("table", m.table, a.index)) continue;
      const table = displayName(m.table);
      for (const action of m.actions) {
        const what = uniqueKey(action);
        if (!what) continue;
        if (m.ignore) {
          report({
            ...ctx.lines(action.span, a),
            severity: "error",
            message: ignoreDeletes
              ? `ALTER IGNORE TABLE adding ${what} to ${table} on ${server.label}${assumed} silently deletes every row whose key duplicates an earlier one: data is lost without an error.`
              : `ALTER IGNORE TABLE no longer exists on ${server.label} (removed in MySQL 5.7): the statement is a syntax error, so the migration fails here and the version is left dirty.`,
            suggestion:
              "Remove IGNORE. Resolve the duplicates explicitly first (decide which row to keep, in a reviewed migration), then add the key.",
          });
          continue;
        }
        report({
          ...ctx.lines(action.span, a),
          message: `Adding ${what} to ${table} fails if existing rows hold duplicate values${what.startsWith("PRIMARY") ? " (or NULLs)" : ""}: ${failure}.`,
        });
      }
    }
  },
});

/** What unique key an action adds to existing rows ("" when none that can collide). */
function uniqueKey(action: AlterAction): string {
  if (action.type === "add-constraint") {
    const c = action.constraint;
    const cols = c.columns.length > 0 ? ` (${c.columns.join(", ")})` : "";
    if (c.kind === "unique") return `UNIQUE${cols}`;
    if (c.kind === "primary-key") return `PRIMARY KEY${cols}`;
    return "";
  }
  if (action.type === "add-column") {
    const c = action.column;
    // AUTO_INCREMENT numbers every row; a nullable column without a default is NULL in every
    // existing row, and NULLs never collide. NOT NULL or a default gives every row one value.
    if (c.generated === "auto-increment" || c.generated === "virtual" || c.generated === "stored")
      return c.generated === "auto-increment"
        ? ""
        : c.unique || c.primaryKey
          ? `a unique generated column ${c.name}`
          : "";
    const filled = c.notNull || (c.default !== undefined && !c.default.isNull);
    if (!filled) return "";
    if (c.primaryKey) return `PRIMARY KEY column ${c.name}`;
    if (c.unique) return `UNIQUE column ${c.name} (one value for every existing row)`;
  }
  return "";
}
