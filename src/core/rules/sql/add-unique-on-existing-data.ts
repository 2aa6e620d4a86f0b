import { displayName, type AlterAction } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { addedColumnFill, sqlRule } from "./types.js";

/**
 * A unique key added to an existing table fails when its rows already hold duplicates. Where
 * another rule already says so for the statement it reports, this one stays silent (one finding
 * per statement): `add-unique-constraint` (Postgres ADD UNIQUE), `add-constraint-builds-index`
 * (Postgres ADD PRIMARY KEY) and `mysql-add-unique-index` (every MySQL unique key). Left here:
 * CREATE UNIQUE INDEX [CONCURRENTLY] on Postgres, CockroachDB and SQLite, and CockroachDB's
 * ALTER TABLE unique keys.
 */
const meta = ruleMeta({
  id: "add-unique-on-existing-data",
  defaultSeverity: "warning",
  dialects: ["postgres", "cockroachdb", "sqlite"],
  category: "integrity",
  description:
    "A unique index or key added to an existing table fails if its rows already hold duplicate values (Postgres CONCURRENTLY: leaving an INVALID index behind).",
  saferAlternative:
    "Check for duplicates first (SELECT cols, COUNT(*) … GROUP BY cols HAVING COUNT(*) > 1), resolve them in a reviewed migration, stop the application writing new ones, then build the unique index (CONCURRENTLY on Postgres).",
  suppressible: true,
});

export const addUniqueOnExistingData = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind === "create-index" && m.unique) {
        if (ctx.isNew("table", m.table, a.index)) continue;
        // Key columns the change added without a value hold NULL in every existing row, and
        // NULLs never collide: such an index cannot fail on old rows.
        const cols = m.columns;
        if (
          cols &&
          cols.length > 0 &&
          cols.every(
            (c) => c !== null && addedColumnFill(ctx, m.table, c, a.index)?.state === "empty",
          )
        )
          continue;
        const name = m.name ? `${displayName(m.name)} ` : "";
        const leftover =
          m.concurrently && ctx.dialect === "postgres"
            ? " A failed CREATE UNIQUE INDEX CONCURRENTLY also leaves an INVALID index behind, which still slows every write and must be dropped before a retry."
            : "";
        report({
          ...ctx.at(a),
          message: `CREATE UNIQUE INDEX ${name}on ${displayName(m.table)} fails if existing rows hold duplicate values in its key, and the migration stops there.${leftover}`,
        });
        continue;
      }
      if (ctx.dialect !== "cockroachdb" || m.kind !== "alter-table") continue;
      if (ctx.isNew("table", m.table, a.index)) continue;
      for (const action of m.actions) {
        const what = uniqueKey(action);
        if (!what) continue;
        report({
          ...ctx.lines(action.span, a),
          message: `Adding ${what} to ${displayName(m.table)} fails if existing rows hold duplicate values${what.startsWith("PRIMARY") ? " (or NULLs)" : ""}, and the migration stops there.`,
        });
      }
    }
  },
});

/** The unique key an ALTER TABLE action adds to existing rows ("" when none that can collide). */
function uniqueKey(action: AlterAction): string {
  if (action.type === "add-constraint") {
    const c = action.constraint;
    if (c.usingIndex) return "";
    const cols = c.columns.length > 0 ? ` (${c.columns.join(", ")})` : "";
    if (c.kind === "unique") return `UNIQUE${cols}`;
    if (c.kind === "primary-key") return `PRIMARY KEY${cols}`;
    return "";
  }
  if (action.type === "add-column") {
    const c = action.column;
    // Generated numbers differ per row; a nullable column without a default is NULL everywhere.
    if (c.generated && c.generated !== "stored") return "";
    const filled = c.notNull || (c.default !== undefined && !c.default.isNull);
    if (!filled && c.generated !== "stored") return "";
    if (c.primaryKey) return `PRIMARY KEY column ${c.name}`;
    if (c.unique) return `UNIQUE column ${c.name} (one value for every existing row)`;
  }
  return "";
}
