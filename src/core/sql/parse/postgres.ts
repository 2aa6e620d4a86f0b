/**
 * Postgres (and CockroachDB, which speaks the same grammar for the statements that matter here)
 * through libpg-query: the real Postgres parser compiled to WASM. Each split statement is parsed
 * on its own so one bad statement cannot hide the others, then normalised into the statement
 * model.
 */
import {
  loadModule,
  parseSync,
  type AlterTableCmd,
  type ColumnDef as PgColumnDef,
  type Constraint,
  type DefElem,
  type Node,
  type RangeVar,
  type TypeName,
} from "libpg-query";
import { tokenize } from "../lexer.js";
import { codePointToIndex } from "../positions.js";
import {
  hasEffects,
  noEffects,
  noFacts,
  type AlterAction,
  type ColumnDef,
  type ConstraintDef,
  type ConstraintKind,
  type DefaultExpr,
  type DropObjectType,
  type ObjectName,
  type PasswordLiteral,
  type PgType,
  type Span,
  type StatementModel,
  type TransactionAction,
} from "../model.js";
import { callVolatility } from "../volatility.js";
import { collectEffects, routineBody } from "./pg-effects.js";
import { pgLongNames } from "./pg-names.js";
import { alterTableActionSpans } from "./segments.js";
import { pgJoinOnly, pgMatchesAll } from "./where.js";
import { Locator, type ParseOutcome, type ServerVersion, type StatementInput } from "./types.js";

let loading: Promise<void> | null = null;

/** The Postgres major version whose grammar libpg-query (pinned in package.json) implements. */
export const PG_PARSER_MAJOR = 18;

/** Loads the WASM module once per process; parsing is synchronous afterwards. */
export function loadPostgresParser(): Promise<void> {
  loading ??= loadModule();
  return loading;
}

export function parsePostgres(input: StatementInput, version: ServerVersion | null): ParseOutcome {
  let stmts: Node[];
  try {
    stmts = (parseSync(input.text).stmts ?? []).flatMap((s) => (s.stmt ? [s.stmt] : []));
  } catch (e) {
    const details = (e as { sqlDetails?: { message?: string; cursorPosition?: number } })
      .sqlDetails;
    const message = details?.message ?? (e instanceof Error ? e.message : String(e));
    // libpg-query's cursorPosition counts code points from 0 (unlike AST locations: bytes).
    const pos = details?.cursorPosition ?? 0;
    return { ok: false, message, index: codePointToIndex(input.text, pos) };
  }
  if (stmts.length !== 1) {
    // The splitter and the parser disagree about statement boundaries: do not guess.
    return {
      ok: false,
      message: `the parser read ${stmts.length} statements where the splitter saw one`,
      index: 0,
      ours: true,
    };
  }
  const node = stmts[0]!;
  return { ok: true, model: normalisePostgres(node, input, version, 0), ast: node };
}

/**
 * The model of one parsed statement, with what running it does beyond that (embedded statements,
 * routine calls, dynamic SQL: pg-effects.ts). `depth` counts how deep inside DO blocks and
 * EXECUTEd strings the statement is.
 */
export function normalisePostgres(
  node: Node,
  input: StatementInput,
  version: ServerVersion | null,
  depth: number,
): StatementModel {
  const model = (sub: Node, subInput: StatementInput) =>
    new Normaliser(subInput, new Locator(subInput.text, subInput.base), version).statement(sub);
  const nested = (sub: Node, subInput: StatementInput) =>
    normalisePostgres(sub, subInput, version, depth + 1);
  const m = model(node, input);
  const collected = collectEffects(node, { input, version, depth, model, nested });
  if (hasEffects(collected)) m.effects = collected;
  if (m.kind === "create-routine") m.body = routineBody(node, input, version, depth, nested, model);
  return m;
}

/** Statements that are not DDL: data changes, session settings, transaction control. */
const NOT_DDL = new Set([
  "SelectStmt",
  "InsertStmt",
  "UpdateStmt",
  "DeleteStmt",
  "MergeStmt",
  "TransactionStmt",
  "VariableSetStmt",
  "VariableShowStmt",
  "CallStmt",
  "DoStmt",
  "PrepareStmt",
  "ExecuteStmt",
  "DeallocateStmt",
  "LockStmt",
  "ExplainStmt",
  "CopyStmt",
]);

/** ALTER TABLE subcommands that take less than a write-blocking lock. */
const WEAK_ALTER = new Set([
  "AT_ValidateConstraint",
  "AT_SetStatistics",
  "AT_SetOptions",
  "AT_ResetOptions",
  "AT_SetRelOptions",
  "AT_ResetRelOptions",
  "AT_ClusterOn",
  "AT_DropCluster",
  "AT_AttachPartition",
]);

const SERIAL_TYPES = new Set([
  "serial",
  "bigserial",
  "smallserial",
  "serial2",
  "serial4",
  "serial8",
]);

class Normaliser {
  constructor(
    private readonly input: StatementInput,
    private readonly loc: Locator,
    private readonly version: ServerVersion | null,
  ) {}

  statement(node: Node): StatementModel {
    const key = Object.keys(node)[0] ?? "Unknown";
    const m = this.dispatch(node);
    if (!NOT_DDL.has(key)) m.ddl = true;
    const long = pgLongNames(node, this.input);
    if (long.length > 0) m.longNames = long;
    return m;
  }

  private dispatch(node: Node): StatementModel {
    if ("CreateStmt" in node) {
      const s = node.CreateStmt;
      const table = rel(s.relation);
      const columns: ColumnDef[] = [];
      const constraints: ConstraintDef[] = [];
      for (const e of s.tableElts ?? []) {
        if ("ColumnDef" in e) columns.push(this.column(e.ColumnDef));
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
      // Referencing a table takes SHARE ROW EXCLUSIVE on it; PARTITION OF locks the parent.
      for (const r of [
        ...columns.map((c) => c.references),
        ...constraints.map((c) => c.references),
      ])
        if (r) m.strongLocks.push(r);
      if (s.partbound)
        for (const p of s.inhRelations ?? [])
          if ("RangeVar" in p) m.strongLocks.push(rel(p.RangeVar));
      return m;
    }
    if ("CreateTableAsStmt" in node) {
      const s = node.CreateTableAsStmt;
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
        ...noFacts(),
      };
    }
    if ("AlterTableStmt" in node) return this.alterTable(node.AlterTableStmt);
    if ("RenameStmt" in node) {
      const s = node.RenameStmt;
      const table = rel(s.relation);
      const span = this.input.span;
      const onTable = (action: AlterAction): StatementModel => ({
        kind: "alter-table",
        table,
        actions: [action],
        ...noFacts(),
        strongLocks: [table],
      });
      if (s.renameType === "OBJECT_TABLE")
        return onTable({
          type: "rename-table",
          to: { ...(table.schema ? { schema: table.schema } : {}), name: s.newname ?? "" },
          span,
        });
      if (s.renameType === "OBJECT_COLUMN" && s.relationType === "OBJECT_TABLE")
        return onTable({ type: "rename-column", from: s.subname ?? "", to: s.newname ?? "", span });
      if (s.renameType === "OBJECT_TABCONSTRAINT")
        return onTable({
          type: "rename-constraint",
          from: s.subname ?? "",
          to: s.newname ?? "",
          span,
        });
      return { kind: "other", tag: `RENAME ${label(s.renameType)}`, ...noFacts() };
    }
    if ("IndexStmt" in node) {
      const s = node.IndexStmt;
      const table = rel(s.relation);
      const m: StatementModel = {
        kind: "create-index",
        table,
        unique: s.unique === true,
        concurrently: s.concurrent === true,
        ifNotExists: s.if_not_exists === true,
        ...noFacts(),
      };
      if (s.idxname)
        m.name = { ...(table.schema ? { schema: table.schema } : {}), name: s.idxname };
      if (m.kind === "create-index") {
        m.columns = (s.indexParams ?? []).map((p) =>
          "IndexElem" in p && p.IndexElem.name !== undefined ? p.IndexElem.name : null,
        );
        if (s.whereClause) m.partial = true;
      }
      if (s.concurrent) m.nonTransactional = "CREATE INDEX CONCURRENTLY";
      else m.strongLocks.push(table);
      return m;
    }
    if ("DropStmt" in node) {
      const s = node.DropStmt;
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
    if ("DropdbStmt" in node) {
      const s = node.DropdbStmt;
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
    if ("CreatedbStmt" in node)
      return {
        kind: "create-other",
        objectType: "database",
        name: { name: node.CreatedbStmt.dbname ?? "" },
        ...noFacts(),
        nonTransactional: "CREATE DATABASE",
      };
    if ("TruncateStmt" in node) {
      const s = node.TruncateStmt;
      const tables = (s.relations ?? []).flatMap((r) => ("RangeVar" in r ? [rel(r.RangeVar)] : []));
      return {
        kind: "truncate",
        tables,
        cascade: s.behavior === "DROP_CASCADE",
        ...noFacts(),
        strongLocks: tables,
      };
    }
    if ("DeleteStmt" in node || "UpdateStmt" in node) {
      const s = "DeleteStmt" in node ? node.DeleteStmt : node.UpdateStmt;
      const table = s.relation ? rel(s.relation) : null;
      const m: StatementModel = {
        kind: "DeleteStmt" in node ? "delete" : "update",
        table,
        hasWhere: s.whereClause !== undefined,
        ...noFacts(),
      };
      const from = "DeleteStmt" in node ? node.DeleteStmt.usingClause : node.UpdateStmt.fromClause;
      const all = pgMatchesAll(s.whereClause, {
        names: relNames(s.relation),
        ...(s.relation?.relname ? { table: s.relation.relname } : {}),
        shadowed: subqueryColumns(from),
      });
      if (all) m.matchesAll = `its WHERE clause ${all}`;
      else if ("UpdateStmt" in node) {
        const joins = pgJoinOnly(
          s.whereClause,
          { names: relNames(s.relation), shadowed: [] },
          fromTables(from),
        );
        if (joins) m.joinOnly = joins;
      }
      if (table) m.writes = [table];
      return m;
    }
    if ("InsertStmt" in node || "MergeStmt" in node) {
      const s = "InsertStmt" in node ? node.InsertStmt : node.MergeStmt;
      const m: StatementModel = {
        kind: "other",
        tag: "InsertStmt" in node ? "InsertStmt" : "MergeStmt",
        ...noFacts(),
      };
      if (s.relation) m.writes = [rel(s.relation)];
      if ("InsertStmt" in node && node.InsertStmt.selectStmt) {
        const reads: ObjectName[] = [];
        walk(node.InsertStmt.selectStmt, (k, v) => {
          if (k === "RangeVar") reads.push(rel(v as RangeVar));
        });
        if (reads.length > 0) m.reads = reads;
      }
      return m;
    }
    if ("CopyStmt" in node) {
      const s = node.CopyStmt;
      const m: StatementModel = { kind: "other", tag: "CopyStmt", ...noFacts() };
      if (s.is_from && s.relation) m.writes = [rel(s.relation)];
      return m;
    }
    if ("PrepareStmt" in node)
      return { kind: "prepare", name: node.PrepareStmt.name ?? "", dynamic: false, ...noFacts() };
    if ("ExecuteStmt" in node)
      return { kind: "execute", name: node.ExecuteStmt.name ?? "", ...noFacts() };
    if ("DeallocateStmt" in node) {
      const s = node.DeallocateStmt;
      return { kind: "deallocate", name: s.isall ? null : (s.name ?? ""), ...noFacts() };
    }
    if ("CreateFunctionStmt" in node) {
      const s = node.CreateFunctionStmt;
      return {
        kind: "create-routine",
        routineType: s.is_procedure ? "procedure" : "function",
        name: qualified(s.funcname ?? []),
        body: noEffects(), // filled by normalisePostgres
        ...(s.replace ? { orReplace: true } : {}),
        ...noFacts(),
      };
    }
    if ("DropOwnedStmt" in node) {
      const s = node.DropOwnedStmt;
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
    if ("CreateEventTrigStmt" in node) {
      const s = node.CreateEventTrigStmt;
      return {
        kind: "create-other",
        objectType: "event trigger",
        name: { name: s.trigname ?? "" },
        trigger: { table: { name: "" }, function: qualified(s.funcname ?? []), event: true },
        ...noFacts(),
      };
    }
    if ("TransactionStmt" in node) {
      return {
        kind: "transaction",
        action: TRANSACTION[node.TransactionStmt.kind ?? ""] ?? "other",
        ...noFacts(),
      };
    }
    if ("VariableSetStmt" in node) {
      const s = node.VariableSetStmt;
      const value = s.kind === "VAR_SET_VALUE" ? (s.args ?? []).map(constText).join(", ") : null;
      return {
        kind: "set",
        name: (s.name ?? (s.kind === "VAR_RESET_ALL" ? "all" : "")).toLowerCase(),
        value,
        scope: s.is_local ? "local" : "session",
        ...noFacts(),
      };
    }
    if ("GrantStmt" in node) {
      const s = node.GrantStmt;
      return {
        kind: "grant",
        revoke: s.is_grant !== true,
        target: "privileges",
        privileges: s.privileges?.length
          ? s.privileges.map((p) => ("AccessPriv" in p ? (p.AccessPriv.priv_name ?? "all") : "?"))
          : ["all"],
        grantees: (s.grantees ?? []).map(roleName),
        withGrantOption: s.grant_option === true,
        ...noFacts(),
      };
    }
    if ("GrantRoleStmt" in node) {
      const s = node.GrantRoleStmt;
      return {
        kind: "grant",
        revoke: s.is_grant !== true,
        target: "role",
        privileges: (s.granted_roles ?? []).map((p) =>
          "AccessPriv" in p ? (p.AccessPriv.priv_name ?? "?") : "?",
        ),
        grantees: (s.grantee_roles ?? []).map(roleName),
        withGrantOption: (s.opt ?? []).some(
          (o) => "DefElem" in o && o.DefElem.defname === "admin" && defBool(o.DefElem),
        ),
        ...noFacts(),
      };
    }
    if ("CreateRoleStmt" in node) {
      const s = node.CreateRoleStmt;
      const m: StatementModel = {
        kind: "create-other",
        objectType: "role",
        name: { name: s.role ?? "" },
        ...noFacts(),
      };
      m.passwords = this.passwords(s.options);
      return m;
    }
    for (const key of ["AlterRoleStmt", "CreateUserMappingStmt", "AlterUserMappingStmt"] as const) {
      if (key in node) {
        const options = (node as Record<typeof key, { options?: Node[] }>)[key].options;
        const m: StatementModel = { kind: "other", tag: key, ...noFacts() };
        m.passwords = this.passwords(options);
        return m;
      }
    }
    if ("VacuumStmt" in node) {
      const s = node.VacuumStmt;
      if (!s.is_vacuumcmd) return { kind: "other", tag: "ANALYZE", ...noFacts() };
      const full = (s.options ?? []).some(
        (o) => "DefElem" in o && o.DefElem.defname === "full" && defBool(o.DefElem),
      );
      const tables = (s.rels ?? []).flatMap((r) =>
        "VacuumRelation" in r && r.VacuumRelation.relation ? [rel(r.VacuumRelation.relation)] : [],
      );
      return {
        kind: "vacuum",
        full,
        tables,
        ...noFacts(),
        strongLocks: full ? tables : [],
        nonTransactional: full ? "VACUUM FULL" : "VACUUM",
      };
    }
    if ("ClusterStmt" in node) {
      const s = node.ClusterStmt;
      const table = s.relation ? rel(s.relation) : null;
      const m: StatementModel = { kind: "cluster", table, ...noFacts() };
      if (table) m.strongLocks.push(table);
      else m.nonTransactional = "CLUSTER without a table name";
      return m;
    }
    if ("ReindexStmt" in node) {
      const s = node.ReindexStmt;
      const concurrently = (s.params ?? []).some(
        (o) => "DefElem" in o && o.DefElem.defname === "concurrently" && defBool(o.DefElem),
      );
      const target = REINDEX_TARGETS[s.kind ?? ""] ?? "table";
      const m: StatementModel = { kind: "reindex", concurrently, target, ...noFacts() };
      if (s.relation) m.name = rel(s.relation);
      else if (s.name) m.name = { name: s.name };
      if (concurrently) m.nonTransactional = "REINDEX CONCURRENTLY";
      else if (s.kind === "REINDEX_OBJECT_DATABASE" || s.kind === "REINDEX_OBJECT_SYSTEM")
        m.nonTransactional = "REINDEX DATABASE/SYSTEM";
      if (!concurrently && s.relation) m.strongLocks.push(rel(s.relation));
      return m;
    }
    if ("AlterEnumStmt" in node) {
      // Inside a transaction block only since Postgres 12, and even then the new value cannot be
      // used before the transaction commits: rule add-enum-value-in-transaction.
      const s = node.AlterEnumStmt;
      return {
        kind: "alter-enum",
        name: qualified(s.typeName ?? []),
        action: s.oldVal ? "rename-value" : "add-value",
        value: s.newVal ?? "",
        ifNotExists: s.skipIfNewValExists === true,
        ...noFacts(),
      };
    }
    if ("AlterDomainStmt" in node) {
      const s = node.AlterDomainStmt;
      const c = s.def && "Constraint" in s.def ? s.def.Constraint : undefined;
      return {
        kind: "alter-domain",
        name: qualified(s.typeName ?? []),
        action: DOMAIN_ACTIONS[s.subtype ?? ""] ?? "other",
        notValid: c?.skip_validation === true,
        ...noFacts(),
      };
    }
    if ("CreateSchemaStmt" in node)
      return {
        kind: "create-schema",
        name: node.CreateSchemaStmt.schemaname ?? "",
        ...(node.CreateSchemaStmt.if_not_exists ? { ifNotExists: true } : {}),
        ...noFacts(),
      };
    if ("CreateTrigStmt" in node) {
      const s = node.CreateTrigStmt;
      const table = rel(s.relation);
      return {
        kind: "create-other",
        objectType: "trigger",
        name: { name: s.trigname ?? "" },
        trigger: { table, function: qualified(s.funcname ?? []) },
        ...noFacts(),
        strongLocks: [table],
      };
    }
    if ("CreatePolicyStmt" in node || "AlterPolicyStmt" in node) {
      const s = "CreatePolicyStmt" in node ? node.CreatePolicyStmt : node.AlterPolicyStmt;
      return { kind: "other", tag: "POLICY", ...noFacts(), strongLocks: [rel(s.table)] };
    }
    if ("LockStmt" in node) {
      const s = node.LockStmt;
      // Lock modes 5 (SHARE) and above block writes.
      const tables = (s.relations ?? []).flatMap((r) => ("RangeVar" in r ? [rel(r.RangeVar)] : []));
      return {
        kind: "other",
        tag: "LOCK TABLE",
        ...noFacts(),
        strongLocks: (s.mode ?? 8) >= 5 ? tables : [],
      };
    }
    for (const [key, what] of NON_TRANSACTIONAL) {
      if (key in node) return { kind: "other", tag: key, ...noFacts(), nonTransactional: what };
    }
    const key = Object.keys(node)[0] ?? "";
    const created = CREATE_OTHER[key];
    if (created) {
      const m: StatementModel = { kind: "create-other", objectType: created, ...noFacts() };
      const name = createdName(node);
      if (name) m.name = name;
      if ("CreateDomainStmt" in node) {
        const t = pgType(node.CreateDomainStmt.typeName, this.loc);
        if (t) m.domainType = t;
      }
      return m;
    }
    // SELECT … INTO creates a table: named so that whoever follows tables knows one appeared.
    if ("SelectStmt" in node && node.SelectStmt.intoClause)
      return { kind: "other", tag: "SELECT INTO", ...noFacts() };
    return { kind: "other", tag: Object.keys(node)[0] ?? "Unknown", ...noFacts() };
  }

  private alterTable(s: { relation?: RangeVar; cmds?: Node[]; objtype?: string }): StatementModel {
    const table = rel(s.relation);
    if (s.objtype !== "OBJECT_TABLE")
      return { kind: "other", tag: `ALTER ${label(s.objtype)}`, ...noFacts() };
    const cmds = (s.cmds ?? []).flatMap((c) => ("AlterTableCmd" in c ? [c.AlterTableCmd] : []));
    const spans = alterTableActionSpans(this.input.text, this.input.base, "postgres");
    const spanOf = (i: number): Span =>
      spans.length === cmds.length ? spans[i]! : this.input.span;
    const m: StatementModel = {
      kind: "alter-table",
      table,
      actions: cmds.map((c, i) => this.action(c, spanOf(i))),
      ...noFacts(),
    };
    if (cmds.some((c) => !WEAK_ALTER.has(c.subtype ?? "") && !isConcurrentDetach(c)))
      m.strongLocks.push(table);
    for (const a of m.actions) {
      const ref =
        a.type === "add-constraint"
          ? a.constraint.references
          : a.type === "add-column"
            ? a.column.references
            : undefined;
      if (ref) m.strongLocks.push(ref); // SHARE ROW EXCLUSIVE on the referenced table
    }
    if (cmds.some(isConcurrentDetach)) m.nonTransactional = "DETACH PARTITION … CONCURRENTLY";
    return m;
  }

  private action(c: AlterTableCmd, span: Span): AlterAction {
    const name = c.name ?? "";
    const def = c.def;
    switch (c.subtype) {
      case "AT_AddColumn":
        if (def && "ColumnDef" in def)
          return {
            type: "add-column",
            column: this.column(def.ColumnDef),
            ...(c.missing_ok ? { ifNotExists: true } : {}),
            span,
          };
        break;
      case "AT_DropColumn":
        return {
          type: "drop-column",
          column: name,
          cascade: c.behavior === "DROP_CASCADE",
          ...(c.missing_ok ? { ifExists: true as const } : {}),
          span,
        };
      case "AT_AlterColumnType": {
        const cd = def && "ColumnDef" in def ? def.ColumnDef : undefined;
        return {
          type: "alter-column-type",
          column: name,
          dataType: typeText(cd?.typeName),
          ...withPgType(cd?.typeName, this.loc),
          using: cd?.raw_default !== undefined,
          syntax: "alter-type",
          span,
        };
      }
      case "AT_SetNotNull":
        return { type: "set-not-null", column: name, span };
      case "AT_DropNotNull":
        return { type: "drop-not-null", column: name, span };
      case "AT_ColumnDefault":
        return def
          ? { type: "set-default", column: name, default: this.defaultExpr(def), span }
          : { type: "drop-default", column: name, span };
      case "AT_AddConstraint":
        if (def && "Constraint" in def)
          return { type: "add-constraint", constraint: constraintDef(def.Constraint), span };
        break;
      case "AT_ValidateConstraint":
        return { type: "validate-constraint", name, span };
      case "AT_DetachPartition":
        if (def && "PartitionCmd" in def)
          return {
            type: "detach-partition",
            partition: rel(def.PartitionCmd.name),
            concurrently: def.PartitionCmd.concurrent === true,
            span,
          };
        break;
      case "AT_DropConstraint":
        return {
          type: "drop-constraint",
          name,
          cascade: c.behavior === "DROP_CASCADE",
          ...(c.missing_ok ? { ifExists: true as const } : {}),
          span,
        };
    }
    return { type: "other", detail: label(c.subtype), span };
  }

  private column(cd: PgColumnDef): ColumnDef {
    const dataType = typeText(cd.typeName);
    const col: ColumnDef = {
      name: cd.colname ?? "",
      dataType,
      ...withPgType(cd.typeName, this.loc),
      notNull: cd.is_not_null === true,
      primaryKey: false,
      unique: false,
      check: false,
    };
    if (cd.raw_default) col.default = this.defaultExpr(cd.raw_default);
    const typeName = lastName(cd.typeName?.names);
    if (SERIAL_TYPES.has(typeName)) col.generated = "serial";
    for (const n of cd.constraints ?? []) {
      if (!("Constraint" in n)) continue;
      const k = n.Constraint;
      switch (k.contype) {
        case "CONSTR_NOTNULL":
          col.notNull = true;
          break;
        case "CONSTR_DEFAULT":
          if (k.raw_expr) col.default = this.defaultExpr(k.raw_expr);
          break;
        case "CONSTR_PRIMARY":
          col.primaryKey = true;
          col.notNull = true;
          break;
        case "CONSTR_UNIQUE":
          col.unique = true;
          break;
        case "CONSTR_CHECK":
          col.check = true;
          break;
        case "CONSTR_FOREIGN":
          col.references = rel(k.pktable);
          break;
        case "CONSTR_IDENTITY":
          col.generated = "identity";
          break;
        case "CONSTR_GENERATED":
          col.generated = k.generated_kind === "s" ? "stored" : "virtual";
          break;
      }
    }
    return col;
  }

  private defaultExpr(expr: Node): DefaultExpr {
    const volatileFunctions: string[] = [];
    let stable = false;
    walk(expr, (key, value) => {
      if (key === "FuncCall") {
        const call = value as { funcname?: Node[]; args?: Node[] };
        const fn = lastName(call.funcname);
        const v = callVolatility(fn, (call.args ?? []).map(argType));
        if (v === "volatile" || v === "unknown") volatileFunctions.push(fn);
        else if (v === "stable") stable = true;
      } else if (key === "SQLValueFunction") stable = true;
      else if (key === "SubLink") volatileFunctions.push("(subquery)");
    });
    const isNull = "A_Const" in expr && (expr.A_Const as { isnull?: boolean }).isnull === true;
    return {
      text: this.exprText(expr),
      volatility: volatileFunctions.length > 0 ? "volatile" : stable ? "stable" : "constant",
      volatileFunctions,
      isNull,
    };
  }

  /** The expression as written: from its first token to the end of the clause. */
  private exprText(expr: Node): string {
    let min = Infinity;
    walk(expr, (key, value) => {
      if (key === "location" && typeof value === "number" && value >= 0 && value < min) min = value;
    });
    if (min === Infinity) return "";
    return clauseText(this.input.text, this.loc.index(min));
  }

  private passwords(options: Node[] | undefined): PasswordLiteral[] {
    const out: PasswordLiteral[] = [];
    for (const o of options ?? []) {
      if (!("DefElem" in o) || o.DefElem.defname !== "password") continue;
      const arg = o.DefElem.arg;
      if (!arg || !("String" in arg)) continue; // PASSWORD NULL
      const value = arg.String.sval ?? "";
      const at = this.loc.index(o.DefElem.location ?? 0);
      const span = literalSpanFrom(this.input.text, at, this.input.base);
      out.push({
        span,
        hashed: /^md5[0-9a-f]{32}$/i.test(value) || /^SCRAM-SHA-256\$/.test(value),
        clause: this.input.text.slice(span.start - this.input.base, span.end - this.input.base),
      });
    }
    return out;
  }
}

function isConcurrentDetach(c: AlterTableCmd): boolean {
  return (
    c.subtype === "AT_DetachPartition" &&
    c.def !== undefined &&
    "PartitionCmd" in c.def &&
    c.def.PartitionCmd.concurrent === true
  );
}

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

const TRANSACTION: Record<string, TransactionAction> = {
  TRANS_STMT_BEGIN: "begin",
  TRANS_STMT_START: "begin",
  TRANS_STMT_COMMIT: "commit",
  TRANS_STMT_ROLLBACK: "rollback",
  TRANS_STMT_SAVEPOINT: "savepoint",
  TRANS_STMT_RELEASE: "release",
  TRANS_STMT_ROLLBACK_TO: "rollback-to",
  TRANS_STMT_PREPARE: "prepare",
};

/** Statements Postgres refuses inside a transaction block (error 25001). */
const NON_TRANSACTIONAL: ReadonlyArray<[string, string]> = [
  ["AlterSystemStmt", "ALTER SYSTEM"],
  ["CreateTableSpaceStmt", "CREATE TABLESPACE"],
  ["DropTableSpaceStmt", "DROP TABLESPACE"],
  ["CreateSubscriptionStmt", "CREATE SUBSCRIPTION"],
  ["DropSubscriptionStmt", "DROP SUBSCRIPTION"],
];

const REINDEX_TARGETS: Record<string, "index" | "table" | "schema" | "database" | "system"> = {
  REINDEX_OBJECT_INDEX: "index",
  REINDEX_OBJECT_TABLE: "table",
  REINDEX_OBJECT_SCHEMA: "schema",
  REINDEX_OBJECT_DATABASE: "database",
  REINDEX_OBJECT_SYSTEM: "system",
};

/** AlterDomainStmt.subtype: C add constraint, O set not null, V validate constraint. */
const DOMAIN_ACTIONS: Record<string, "add-constraint" | "set-not-null" | "validate-constraint"> = {
  C: "add-constraint",
  O: "set-not-null",
  V: "validate-constraint",
};

/** The name of a created view, sequence, type or domain (extensions have no schema here). */
function createdName(node: Node): ObjectName | undefined {
  if ("ViewStmt" in node) return rel(node.ViewStmt.view);
  if ("CreateSeqStmt" in node) return rel(node.CreateSeqStmt.sequence);
  if ("CreateEnumStmt" in node) return qualified(node.CreateEnumStmt.typeName ?? []);
  if ("CompositeTypeStmt" in node) return rel(node.CompositeTypeStmt.typevar);
  if ("CreateDomainStmt" in node) return qualified(node.CreateDomainStmt.domainname ?? []);
  return undefined;
}

const CREATE_OTHER: Record<string, string> = {
  ViewStmt: "view",
  CreateSeqStmt: "sequence",
  CreateEnumStmt: "type",
  CompositeTypeStmt: "type",
  CreateDomainStmt: "domain",
  CreateExtensionStmt: "extension",
};

/** `OBJECT_MATVIEW` → `MATERIALIZED VIEW`, `AT_SetStatistics` → `SET STATISTICS`. */
function label(enumValue: string | undefined): string {
  if (!enumValue) return "?";
  if (enumValue === "OBJECT_MATVIEW") return "MATERIALIZED VIEW";
  if (enumValue.startsWith("OBJECT_")) return enumValue.slice(7).replace(/_/g, " ");
  return enumValue
    .replace(/^AT_/, "")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toUpperCase();
}

/** Names a statement may use for its target table's rows: the table and its alias. */
/** Output columns of the subqueries in a FROM/USING list (`FROM (SELECT 1 AS k) s`: `k`). */
function subqueryColumns(from: Node[] | undefined): string[] {
  const out: string[] = [];
  for (const item of from ?? []) {
    if (!("RangeSubselect" in item)) continue;
    const r = item.RangeSubselect;
    for (const c of r.alias?.colnames ?? []) if ("String" in c) out.push(c.String.sval ?? "");
    const q = r.subquery && "SelectStmt" in r.subquery ? r.subquery.SelectStmt : undefined;
    for (const t of q?.targetList ?? []) {
      if (!("ResTarget" in t)) continue;
      const rt = t.ResTarget;
      if (rt.name) out.push(rt.name);
      else if (rt.val && "ColumnRef" in rt.val) {
        const f = rt.val.ColumnRef.fields ?? [];
        const last = f[f.length - 1];
        if (last && "String" in last) out.push(last.String.sval ?? "");
      }
    }
  }
  return out;
}

/**
 * The names the tables of a FROM list are referred to by (alias, else name). Subqueries are left
 * out: a join with one (`FROM (VALUES …) fix`) is a list of rows to change, a real filter.
 */
function fromTables(from: Node[] | undefined): string[] {
  const out: string[] = [];
  for (const item of from ?? []) {
    if ("RangeVar" in item) out.push(item.RangeVar.alias?.aliasname ?? item.RangeVar.relname ?? "");
    else if ("JoinExpr" in item) {
      const j = item.JoinExpr;
      out.push(...fromTables([j.larg, j.rarg].filter((x): x is Node => x !== undefined)));
    }
  }
  return out.filter((n) => n !== "");
}

function relNames(r: RangeVar | undefined): string[] {
  const out: string[] = [];
  if (r?.relname) out.push(r.relname);
  if (r?.alias?.aliasname) out.push(r.alias.aliasname);
  return out;
}

function rel(r: RangeVar | undefined): ObjectName {
  const n: ObjectName = { name: r?.relname ?? "" };
  if (r?.schemaname) n.schema = r.schemaname;
  return n;
}

function strings(items: Node[] | undefined): string[] {
  const out: string[] = [];
  for (const i of items ?? []) if ("String" in i) out.push(i.String.sval ?? "");
  return out;
}

function lastName(items: Node[] | undefined): string {
  const s = strings(items);
  return s[s.length - 1] ?? "";
}

export function qualified(items: Node[]): ObjectName {
  const s = strings(items);
  const n: ObjectName = { name: s[s.length - 1] ?? "" };
  if (s.length > 1) n.schema = s[s.length - 2]!;
  return n;
}

function objectName(o: Node): ObjectName {
  if ("List" in o) return qualified(o.List.items ?? []);
  if ("String" in o) return { name: o.String.sval ?? "" };
  if ("TypeName" in o) return qualified(o.TypeName.names ?? []);
  if ("ObjectWithArgs" in o) return qualified(o.ObjectWithArgs.objname ?? []);
  return { name: "?" };
}

function roleName(n: Node): string {
  if (!("RoleSpec" in n)) return "?";
  const r = n.RoleSpec;
  if (r.roletype === "ROLESPEC_PUBLIC") return "PUBLIC";
  if (r.roletype === "ROLESPEC_CURRENT_USER") return "CURRENT_USER";
  if (r.roletype === "ROLESPEC_SESSION_USER") return "SESSION_USER";
  return r.rolename ?? "?";
}

function defBool(d: DefElem): boolean {
  const a = d.arg;
  if (!a) return true;
  if ("Boolean" in a) return a.Boolean.boolval === true;
  if ("Integer" in a) return (a.Integer.ival ?? 0) !== 0;
  if ("String" in a) return !/^(off|false|0|no)$/i.test(a.String.sval ?? "");
  return true;
}

/** SQL spellings of the internal names the parser gives standard types (`bigint` → int8). */
const SQL_TYPE_NAMES: Record<string, string> = {
  int2: "smallint",
  int4: "integer",
  int8: "bigint",
  float4: "real",
  float8: "double precision",
  bool: "boolean",
  bpchar: "char",
  timestamptz: "timestamptz",
  timetz: "timetz",
};

/** The resolved type name (see PgType); undefined for %TYPE references and missing names. */
function pgType(t: TypeName | undefined, loc: Locator): PgType | undefined {
  if (!t || t.pct_type) return undefined;
  const names = strings(t.names);
  const name = names[names.length - 1];
  if (!name) return undefined;
  const out: PgType = {
    name,
    mods: (t.typmods ?? []).map(constText).filter((x) => x !== ""),
    array: (t.arrayBounds?.length ?? 0) > 0,
  };
  if (names.length > 1) out.schema = names[names.length - 2]!;
  if (t.location !== undefined && t.location >= 0) out.at = loc.at(t.location);
  return out;
}

function withPgType(t: TypeName | undefined, loc: Locator): { pgType?: PgType } {
  const r = pgType(t, loc);
  return r ? { pgType: r } : {};
}

/** `varchar(255)`, `bigint[]`: the type for messages, as a reader would write it. */
function typeText(t: TypeName | undefined): string {
  if (!t) return "?";
  const names = strings(t.names);
  let s = names[names.length - 1] ?? "?";
  if (names.length === 2 && names[0] === "pg_catalog") s = SQL_TYPE_NAMES[s] ?? s;
  // A user type keeps its schema: `app.varchar` is not the built-in varchar.
  else if (names.length > 1) s = names.join(".");
  const mods = (t.typmods ?? []).map(constText).filter((x) => x !== "");
  if (mods.length > 0) s += `(${mods.join(",")})`;
  for (let i = 0; i < (t.arrayBounds?.length ?? 0); i++) s += "[]";
  return s;
}

/**
 * An argument's type as pg_type names it, when the text says it: a cast, or a numeric or boolean
 * literal. null: an untyped string literal (it takes the parameter's type) or an expression.
 */
function argType(n: Node): string | null {
  if ("TypeCast" in n) {
    const names = strings(n.TypeCast.typeName?.names);
    const t = names[names.length - 1];
    return t !== undefined && (names.length === 1 || names[0] === "pg_catalog")
      ? (PG_TYPE_ALIASES[t] ?? t)
      : null;
  }
  if ("A_Const" in n) {
    const c = n.A_Const as { ival?: unknown; fval?: unknown; boolval?: unknown };
    if (c.ival) return "int4";
    if (c.fval) return "numeric";
    if (c.boolval) return "bool";
  }
  return null;
}

/** Type names a cast may spell differently from pg_type.typname. */
const PG_TYPE_ALIASES: Record<string, string> = {
  integer: "int4",
  int: "int4",
  smallint: "int2",
  bigint: "int8",
  real: "float4",
  boolean: "bool",
};

function constText(n: Node): string {
  if ("A_Const" in n) {
    const c = n.A_Const as {
      sval?: { sval?: string };
      ival?: { ival?: number };
      fval?: { fval?: string };
      boolval?: { boolval?: boolean };
      isnull?: boolean;
    };
    if (c.sval) return c.sval.sval ?? "";
    if (c.ival) return String(c.ival.ival ?? 0);
    if (c.fval) return c.fval.fval ?? "";
    if (c.boolval) return String(c.boolval.boolval ?? false);
    if (c.isnull) return "NULL";
  }
  if ("TypeCast" in n && n.TypeCast.arg) return constText(n.TypeCast.arg);
  return "";
}

/** Visit every key/value of a parse tree. */
function walk(node: unknown, visit: (key: string, value: unknown) => void): void {
  if (Array.isArray(node)) {
    for (const x of node) walk(x, visit);
    return;
  }
  if (node === null || typeof node !== "object") return;
  for (const [k, v] of Object.entries(node)) {
    visit(k, v);
    walk(v, visit);
  }
}

const CLAUSE_STOP = new Set([
  "NOT",
  "NULL",
  "CONSTRAINT",
  "CHECK",
  "REFERENCES",
  "UNIQUE",
  "PRIMARY",
  "COLLATE",
  "GENERATED",
  "DEFAULT",
]);

/** Text of an expression starting at `from` (statement index) up to the end of its clause. */
export function clauseText(text: string, from: number): string {
  const toks = tokenize(text, "postgres", from);
  let depth = 0;
  let end = from;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind === "punct") {
      if (t.text === "(" || t.text === "[") depth++;
      else if (t.text === ")" || t.text === "]") {
        if (depth === 0) break;
        depth--;
      } else if (t.text === "," && depth === 0) break;
    } else if (t.kind === "word" && depth === 0 && i > 0 && CLAUSE_STOP.has(t.text)) break;
    end = t.end;
  }
  return text.slice(from, end);
}

/** From a clause keyword (PASSWORD) to the end of the string literal that follows it. */
export function literalSpanFrom(text: string, from: number, base: number): Span {
  const toks = tokenize(text, "postgres", from);
  const lit = toks.slice(0, 4).find((t) => t.kind === "string");
  return { start: base + from, end: base + (lit ? lit.end : (toks[0]?.end ?? from)) };
}

function constraintDef(c: Constraint): ConstraintDef {
  const kind: ConstraintKind =
    c.contype === "CONSTR_PRIMARY"
      ? "primary-key"
      : c.contype === "CONSTR_UNIQUE"
        ? "unique"
        : c.contype === "CONSTR_FOREIGN"
          ? "foreign-key"
          : c.contype === "CONSTR_CHECK"
            ? "check"
            : c.contype === "CONSTR_EXCLUSION"
              ? "exclusion"
              : c.contype === "CONSTR_NOTNULL"
                ? "not-null"
                : "other";
  const d: ConstraintDef = {
    kind,
    notValid: c.skip_validation === true,
    usingIndex: c.indexname !== undefined,
    notEnforced: (kind === "check" || kind === "foreign-key") && c.is_enforced !== true,
    columns: strings(kind === "foreign-key" ? c.fk_attrs : c.keys),
  };
  if (c.conname) d.name = c.conname;
  if (c.pktable) d.references = rel(c.pktable);
  const e = c.raw_expr;
  if (kind === "check" && e && "NullTest" in e && e.NullTest.nulltesttype === "IS_NOT_NULL") {
    const arg = e.NullTest.arg;
    if (arg && "ColumnRef" in arg) {
      const f = strings(arg.ColumnRef.fields);
      if (f.length === 1) d.notNullColumn = f[0]!;
    }
  }
  return d;
}
