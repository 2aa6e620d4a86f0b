import type { ObjectName, StatementModel } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "require-schema-qualified",
  defaultSeverity: "notice",
  optIn: true,
  dialects: PG,
  category: "style",
  description:
    "A DDL statement names a table, view, sequence, type, index or routine without its schema: Postgres resolves the name through the session's search_path, which differs between roles, connection strings and environments, so the object may be created in, or found in, another schema than intended.",
  saferAlternative:
    "Write the schema with every name the migration creates, changes or drops (app.users, not users); temporary tables are exempt.",
  suppressible: true,
});

const DROPPED = new Set([
  "table",
  "view",
  "materialized-view",
  "index",
  "sequence",
  "type",
  "function",
  "procedure",
]);
const CREATED = new Set(["view", "materialized view", "sequence", "type", "domain"]);
const ALTERED = new Set(["FUNCTION", "PROCEDURE", "ROUTINE", "VIEW"]);

/** The names of objects a DDL statement creates, changes or drops (not schemas, roles…). */
function ddlNames(m: StatementModel): ObjectName[] {
  switch (m.kind) {
    case "create-table":
      if (m.temporary) return [];
      return [
        m.table,
        ...m.columns.flatMap((c) => (c.references ? [c.references] : [])),
        ...m.constraints.flatMap((c) => (c.references ? [c.references] : [])),
      ];
    case "alter-table":
      return [
        m.table,
        ...m.actions.flatMap((a) =>
          a.type === "add-constraint" && a.constraint.references
            ? [a.constraint.references]
            : a.type === "add-column" && a.column.references
              ? [a.column.references]
              : [],
        ),
      ];
    case "create-index": // the index is created in its table's schema
      return [m.table];
    case "drop":
      return DROPPED.has(m.objectType) ? m.names : [];
    case "truncate":
      return m.tables;
    case "rename-tables":
      return m.renames.map((r) => r.from);
    case "alter-enum":
    case "alter-domain":
    case "create-routine":
      return [m.name];
    case "create-other":
      if (m.trigger && !m.trigger.event) return [m.trigger.table];
      return m.name && CREATED.has(m.objectType) ? [m.name] : [];
    case "other": {
      const out: ObjectName[] = [];
      if (m.alteredOptions?.name && ALTERED.has(m.alteredOptions.objectType))
        out.push(m.alteredOptions.name);
      if (m.renamedIndex) out.push(m.renamedIndex.from);
      if (m.renamedObject && !m.renamedObject.table) out.push(m.renamedObject.name);
      if (m.compositeType) out.push(m.compositeType.name);
      return out;
    }
    default:
      return [];
  }
}

/**
 * A policy (squawk's and Bytebase's opt-in), so every unqualified name is reported, also when
 * the file sets search_path (golang-migrate's own table and later files run with it too). One
 * finding per statement, naming each unqualified object once. Down files are checked as well:
 * they run against the same search_path.
 */
export const requireSchemaQualified = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      const names = [
        ...new Set(
          ddlNames(a.model)
            .filter((n) => !n.schema && n.name !== "")
            .map((n) => n.name),
        ),
      ];
      if (names.length === 0) continue;
      const list = names.join(", ");
      report({
        ...ctx.at(a),
        message: `${list} ${names.length === 1 ? "is" : "are"} named without a schema: Postgres resolves ${names.length === 1 ? "it" : "them"} through the session's search_path, which differs between roles, connection strings and environments, so the statement may create or change an object in another schema than intended, or find a same-named object that an earlier schema of the path (public, "$user") holds.`,
        suggestion: `Write the schema: ${names.map((n) => `<schema>.${n}`).join(", ")}.`,
      });
    }
  },
});
