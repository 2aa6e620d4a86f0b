/** DROP statements (tables, indexes, databases, owned objects…) and TRUNCATE. */
import { noFacts, type DropObjectType, type StatementModel } from "../../model.js";
import type { BodyOf } from "./context.js";
import { label, objectName, qualified, rel, roleName } from "./nodes.js";

const DROP_TYPES: Record<string, DropObjectType> = {
  OBJECT_TABLE: "table",
  OBJECT_FOREIGN_TABLE: "table",
  OBJECT_VIEW: "view",
  OBJECT_MATVIEW: "materialized-view",
  OBJECT_INDEX: "index",
  OBJECT_SCHEMA: "schema",
  OBJECT_SEQUENCE: "sequence",
  OBJECT_TYPE: "type",
  OBJECT_DOMAIN: "type",
  OBJECT_FUNCTION: "function",
  OBJECT_PROCEDURE: "procedure",
  OBJECT_ROUTINE: "function",
  OBJECT_TRIGGER: "trigger",
  OBJECT_EXTENSION: "extension",
};

export function drop(s: BodyOf<"DropStmt">): StatementModel {
  const objectType = DROP_TYPES[s.removeType ?? ""] ?? "other";
  const names = (s.objects ?? []).map(objectName);
  const m: StatementModel = {
    kind: "drop",
    objectType,
    objectLabel: label(s.removeType),
    names: objectType === "trigger" ? names.map((n) => ({ name: n.name })) : names,
    cascade: s.behavior === "DROP_CASCADE",
    concurrently: s.concurrent === true,
    ifExists: s.missing_ok === true,
    ...noFacts(),
  };
  if (objectType === "trigger") {
    // DROP TRIGGER t ON tbl: the parser lists [tbl…, t]; the lock is on the table.
    for (const o of s.objects ?? []) {
      const items = "List" in o ? (o.List.items ?? []) : [];
      if (items.length >= 2) m.strongLocks.push(qualified(items.slice(0, -1)));
    }
  } else if (objectType === "index") {
    if (m.concurrently) m.nonTransactional = "DROP INDEX CONCURRENTLY";
    else m.strongLocks.push(...names);
  } else if (
    objectType === "table" ||
    objectType === "view" ||
    objectType === "materialized-view"
  ) {
    m.strongLocks.push(...names);
  }
  return m;
}

export function dropDatabase(s: BodyOf<"DropdbStmt">): StatementModel {
  return {
    kind: "drop",
    objectType: "database",
    objectLabel: "DATABASE",
    names: [{ name: s.dbname ?? "" }],
    cascade: false,
    concurrently: false,
    ifExists: s.missing_ok === true,
    ...noFacts(),
    nonTransactional: "DROP DATABASE",
  };
}

export function dropOwned(s: BodyOf<"DropOwnedStmt">): StatementModel {
  return {
    kind: "drop",
    objectType: "owned",
    objectLabel: "OWNED BY",
    names: (s.roles ?? []).map((r) => ({ name: roleName(r) })),
    cascade: s.behavior === "DROP_CASCADE",
    concurrently: false,
    ifExists: false,
    ...noFacts(),
  };
}

export function truncate(s: BodyOf<"TruncateStmt">): StatementModel {
  const tables = (s.relations ?? []).flatMap((r) => ("RangeVar" in r ? [rel(r.RangeVar)] : []));
  return {
    kind: "truncate",
    tables,
    cascade: s.behavior === "DROP_CASCADE",
    ...noFacts(),
    strongLocks: tables,
  };
}
