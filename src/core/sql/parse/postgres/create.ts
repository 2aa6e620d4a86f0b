/** CREATE statements: tables, indexes, databases, routines, triggers, schemas, views, types… */
import {
  noEffects,
  noFacts,
  type ColumnDef,
  type ConstraintDef,
  type ObjectName,
  type StatementModel,
  type TriggerDef,
} from "../../model.js";
import { relOptions, sequenceOption } from "./alter-table.js";
import { column, constraintDef } from "./columns.js";
import type { BodyOf, HandlerTable, PgContext } from "./context.js";
import { selectsStar } from "./dml.js";
import { qualified, rel } from "./nodes.js";
import { routineSettings } from "./options.js";
import { pgType } from "./type-names.js";

export function createTable(s: BodyOf<"CreateStmt">, ctx: PgContext): StatementModel {
  const table = rel(s.relation);
  const columns: ColumnDef[] = [];
  const constraints: ConstraintDef[] = [];
  for (const e of s.tableElts ?? []) {
    if ("ColumnDef" in e) columns.push(column(e.ColumnDef, ctx));
    else if ("Constraint" in e) constraints.push(constraintDef(e.Constraint));
  }
  const m: StatementModel = {
    kind: "create-table",
    table,
    ifNotExists: s.if_not_exists === true,
    temporary: s.relation?.relpersistence === "t",
    columns,
    constraints,
    asQuery: false,
    ...noFacts(),
  };
  if (s.relation?.relpersistence === "u" && m.kind === "create-table") m.unlogged = true;
  if (s.partspec && m.kind === "create-table") m.partitioned = true;
  if (s.options?.length && m.kind === "create-table") m.settings = relOptions(s.options);
  // Referencing a table takes SHARE ROW EXCLUSIVE on it; PARTITION OF locks the parent.
  for (const r of [...columns.map((c) => c.references), ...constraints.map((c) => c.references)])
    if (r) m.strongLocks.push(r);
  if (s.partbound)
    for (const p of s.inhRelations ?? []) if ("RangeVar" in p) m.strongLocks.push(rel(p.RangeVar));
  if (m.kind === "create-table") {
    if (s.partbound) m.derived = "partition-of";
    else if ((s.tableElts ?? []).some((e) => "TableLikeClause" in e)) m.derived = "like";
    else if (s.inhRelations?.length) m.derived = "inherits";
    else if (s.ofTypename) m.derived = "of-type";
  }
  return m;
}

export function createTableAs(s: BodyOf<"CreateTableAsStmt">): StatementModel {
  const name = rel(s.into?.rel);
  if (s.objtype === "OBJECT_MATVIEW")
    return { kind: "create-other", objectType: "materialized view", name, ...noFacts() };
  return {
    kind: "create-table",
    table: name,
    ifNotExists: s.if_not_exists === true,
    temporary: s.into?.rel?.relpersistence === "t",
    columns: [],
    constraints: [],
    asQuery: true,
    ...(s.into?.rel?.relpersistence === "u" ? { unlogged: true as const } : {}),
    ...(s.into?.options?.length ? { settings: relOptions(s.into.options) } : {}),
    ...noFacts(),
  };
}

export function createIndex(s: BodyOf<"IndexStmt">): StatementModel {
  const table = rel(s.relation);
  const m: StatementModel = {
    kind: "create-index",
    table,
    unique: s.unique === true,
    concurrently: s.concurrent === true,
    ifNotExists: s.if_not_exists === true,
    ...noFacts(),
  };
  if (s.idxname) m.name = { ...(table.schema ? { schema: table.schema } : {}), name: s.idxname };
  if (m.kind === "create-index") {
    m.columns = (s.indexParams ?? []).map((p) =>
      "IndexElem" in p && p.IndexElem.name !== undefined ? p.IndexElem.name : null,
    );
    m.keyParts = m.columns.length;
    if (s.accessMethod && s.accessMethod !== "btree") m.method = s.accessMethod.toLowerCase();
    if (s.whereClause) m.partial = true;
    if (s.relation?.inh !== true) m.only = true;
  }
  if (s.concurrent) m.nonTransactional = "CREATE INDEX CONCURRENTLY";
  else m.strongLocks.push(table);
  return m;
}

export function createDatabase(s: BodyOf<"CreatedbStmt">): StatementModel {
  return {
    kind: "create-other",
    objectType: "database",
    name: { name: s.dbname ?? "" },
    ...noFacts(),
    nonTransactional: "CREATE DATABASE",
  };
}

/** The body's effects are filled in by normalisePostgres (routineBody). */
export function createRoutine(s: BodyOf<"CreateFunctionStmt">): StatementModel {
  const settings = routineSettings(s.options);
  return {
    kind: "create-routine",
    routineType: s.is_procedure ? "procedure" : "function",
    name: qualified(s.funcname ?? []),
    body: noEffects(),
    ...(s.replace ? { orReplace: true } : {}),
    ...(settings.length > 0 ? { settings } : {}),
    ...noFacts(),
  };
}

export function createEventTrigger(s: BodyOf<"CreateEventTrigStmt">): StatementModel {
  return {
    kind: "create-other",
    objectType: "event trigger",
    name: { name: s.trigname ?? "" },
    trigger: { table: { name: "" }, function: qualified(s.funcname ?? []), event: true },
    ...noFacts(),
  };
}

/** pg_trigger.tgtype bits (src/include/catalog/pg_trigger.h), as CreateTrigStmt carries them. */
const TRIGGER_BEFORE = 1 << 1;
const TRIGGER_INSTEAD = 1 << 6;
const TRIGGER_EVENTS = [
  [1 << 2, "insert"],
  [1 << 4, "update"],
  [1 << 3, "delete"],
  [1 << 5, "truncate"],
] as const;

export function createTrigger(s: BodyOf<"CreateTrigStmt">): StatementModel {
  const table = rel(s.relation);
  const timing = s.timing ?? 0;
  const events = s.events ?? 0;
  const trigger: TriggerDef = {
    table,
    function: qualified(s.funcname ?? []),
    timing: timing & TRIGGER_INSTEAD ? "instead" : timing & TRIGGER_BEFORE ? "before" : "after",
    events: TRIGGER_EVENTS.filter(([bit]) => events & bit).map(([, e]) => e),
    row: s.row === true,
  };
  if (s.isconstraint) trigger.constraint = true;
  if (s.replace) trigger.orReplace = true;
  return {
    kind: "create-other",
    objectType: "trigger",
    name: { name: s.trigname ?? "" },
    trigger,
    ...noFacts(),
    strongLocks: [table],
  };
}

const RULE_EVENTS = {
  CMD_SELECT: "select",
  CMD_INSERT: "insert",
  CMD_UPDATE: "update",
  CMD_DELETE: "delete",
} as const;

/**
 * CREATE [OR REPLACE] RULE: from now on every `event` on the table is rewritten into the rule's
 * actions (INSTEAD: and nothing else). Kept as `other` (as before); the actions' own statements
 * are collected as effects (pg-effects.ts).
 */
export function createRule(s: BodyOf<"RuleStmt">): StatementModel {
  const table = rel(s.relation);
  const writes: ObjectName[] = [];
  for (const a of s.actions ?? []) {
    const w =
      "InsertStmt" in a
        ? a.InsertStmt.relation
        : "UpdateStmt" in a
          ? a.UpdateStmt.relation
          : "DeleteStmt" in a
            ? a.DeleteStmt.relation
            : undefined;
    if (w) writes.push(rel(w));
  }
  return {
    kind: "other",
    tag: "RuleStmt",
    rewriteRule: {
      name: s.rulename ?? "",
      table,
      event: RULE_EVENTS[s.event as keyof typeof RULE_EVENTS] ?? "select",
      instead: s.instead === true,
      writes,
      actions: (s.actions ?? []).length,
      conditional: s.whereClause !== undefined,
    },
    ...noFacts(),
    strongLocks: [table],
  };
}

export function createSchema(s: BodyOf<"CreateSchemaStmt">): StatementModel {
  return {
    kind: "create-schema",
    name: s.schemaname ?? "",
    ...(s.if_not_exists ? { ifNotExists: true } : {}),
    ...noFacts(),
  };
}

function created(objectType: string, name?: ObjectName): StatementModel {
  const m: StatementModel = { kind: "create-other", objectType, ...noFacts() };
  if (name) m.name = name;
  return m;
}

/** CREATE VIEW / SEQUENCE / TYPE / DOMAIN / EXTENSION: `create-other` with the object's name. */
export const CREATE_OTHER: HandlerTable = {
  ViewStmt: (s) => {
    const m = created("view", rel(s.view));
    if (s.replace && m.kind === "create-other") m.orReplace = true;
    // `*` is expanded when the view is created: later columns of the table stay out of it.
    if (s.query && selectsStar(s.query)) m.implicitColumns = { star: true };
    return m;
  },
  CreateSeqStmt: (s) => created("sequence", rel(s.sequence)),
  CreateEnumStmt: (s) => {
    const m = created("type", qualified(s.typeName ?? []));
    if (m.kind === "create-other")
      m.enumLabels = (s.vals ?? []).map((v) => ("String" in v ? (v.String.sval ?? "") : ""));
    return m;
  },
  CompositeTypeStmt: (s) => created("type", rel(s.typevar)),
  CreateDomainStmt: (s, ctx) => {
    const m = created("domain", qualified(s.domainname ?? []));
    const t = pgType(s.typeName, ctx.loc);
    if (t && m.kind === "create-other") m.domainType = t;
    return m;
  },
  CreateExtensionStmt: () => created("extension"), // extensions have no schema here
  AlterSeqStmt: (s) => {
    const m: StatementModel = { kind: "other", tag: "AlterSeqStmt", ...noFacts() };
    const changes = (s.options ?? []).flatMap((o) => {
      const d = "DefElem" in o ? o.DefElem : undefined;
      if (!d?.defname || !SEQUENCE_CHANGES.has(d.defname)) return [];
      const off = d.defname === "cycle" && d.arg && "Boolean" in d.arg && !d.arg.Boolean.boolval;
      return [off ? "NO CYCLE" : sequenceOption(d.defname)];
    });
    if (s.sequence) m.sequenceChange = { name: rel(s.sequence), changes };
    return m;
  },
};

/**
 * ALTER SEQUENCE options that change which values it hands out or whether it keeps existing
 * (START and CACHE only matter to a later RESTART or to one session's cache).
 */
const SEQUENCE_CHANGES = new Set([
  "restart",
  "increment",
  "minvalue",
  "maxvalue",
  "cycle",
  "owned_by",
  "as",
]);
