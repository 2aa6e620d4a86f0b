import { displayName, type ObjectName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PARSED_DIALECTS, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "dml-without-where",
  defaultSeverity: "error",
  dialects: PARSED_DIALECTS,
  category: "data-loss",
  description:
    "DELETE or UPDATE without a real WHERE (none, or one that is always true) touches every row of an existing table — also inside a WITH clause, a MERGE action, a DO block or a called routine.",
  saferAlternative:
    "Add a WHERE clause that selects the rows you mean; for a backfill, update in batches by key range (outside the schema migration if the table is large).",
  suppressible: true,
});

export const dmlWithoutWhere = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const m = a.model;
      const catalog = ctx.dialect === "postgres" ? (m.writes ?? []).find(isCatalog) : undefined;
      if (catalog) {
        // No WHERE makes a catalog write safe: it changes tables behind the server's back.
        report({
          ...ctx.at(a),
          message: `This statement writes the system catalog ${displayName(catalog)} directly: it can drop a column, a constraint or a whole table's data behind Postgres's back (\`UPDATE pg_attribute SET attisdropped = true\`), and nothing else in the analysis can see what it changes.`,
        });
        continue;
      }
      if (m.kind !== "delete" && m.kind !== "update") continue;
      if (m.hasWhere && !m.matchesAll) continue;
      // A table certainly created earlier in this change holds no deployed rows yet.
      if (m.table && ctx.isCertainlyNew("table", m.table, a.index)) continue;
      const t = m.table ? displayName(m.table) : "the table";
      const verb = m.kind === "delete" ? "DELETE" : "UPDATE";
      const how = m.matchesAll
        ? `${verb} on ${t} is filtered in name only: ${m.matchesAll}. It `
        : `${verb} without WHERE `;
      report({
        ...ctx.at(a),
        message:
          m.kind === "delete"
            ? `${how}removes every row of ${t}.`
            : `${how}rewrites every row of ${t} in one transaction: it locks all of them until the migration commits, bloats the table, and can run for a long time on a large table.`,
      });
    }
  },
});

/** pg_catalog's tables; unqualified `pg_…` names resolve there first (pg_catalog leads search_path). */
function isCatalog(t: ObjectName): boolean {
  return t.schema === "pg_catalog" || (!t.schema && /^pg_/i.test(t.name));
}
