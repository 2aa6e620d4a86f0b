/**
 * Transactions, session settings, prepared statements, explicit locks, and maintenance commands
 * (VACUUM, CLUSTER, REINDEX, server-wide statements Postgres refuses in a transaction block).
 */
import { noFacts, type StatementModel, type TransactionAction } from "../../model.js";
import type { HandlerTable } from "./context.js";
import { constText, hasOption, rel } from "./nodes.js";

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

const REINDEX_TARGETS: Record<string, "index" | "table" | "schema" | "database" | "system"> = {
  REINDEX_OBJECT_INDEX: "index",
  REINDEX_OBJECT_TABLE: "table",
  REINDEX_OBJECT_SCHEMA: "schema",
  REINDEX_OBJECT_DATABASE: "database",
  REINDEX_OBJECT_SYSTEM: "system",
};

export const CONTROL: HandlerTable = {
  TransactionStmt: (s) => ({
    kind: "transaction",
    action: TRANSACTION[s.kind ?? ""] ?? "other",
    ...noFacts(),
  }),
  VariableSetStmt: (s) => ({
    kind: "set",
    name: (s.name ?? (s.kind === "VAR_RESET_ALL" ? "all" : "")).toLowerCase(),
    value: s.kind === "VAR_SET_VALUE" ? (s.args ?? []).map(constText).join(", ") : null,
    scope: s.is_local ? "local" : "session",
    ...noFacts(),
  }),
  PrepareStmt: (s) => ({ kind: "prepare", name: s.name ?? "", dynamic: false, ...noFacts() }),
  ExecuteStmt: (s) => ({ kind: "execute", name: s.name ?? "", ...noFacts() }),
  DeallocateStmt: (s) => ({
    kind: "deallocate",
    name: s.isall ? null : (s.name ?? ""),
    ...noFacts(),
  }),
  LockStmt: (s) => {
    // Lock modes 5 (SHARE) and above block writes.
    const tables = (s.relations ?? []).flatMap((r) => ("RangeVar" in r ? [rel(r.RangeVar)] : []));
    return {
      kind: "other",
      tag: "LOCK TABLE",
      ...noFacts(),
      strongLocks: (s.mode ?? 8) >= 5 ? tables : [],
    };
  },
};

export const MAINTENANCE: HandlerTable = {
  VacuumStmt: (s) => {
    if (!s.is_vacuumcmd) return { kind: "other", tag: "ANALYZE", ...noFacts() };
    const full = hasOption(s.options, "full");
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
  },
  ClusterStmt: (s) => {
    const table = s.relation ? rel(s.relation) : null;
    const m: StatementModel = { kind: "cluster", table, ...noFacts() };
    if (table) m.strongLocks.push(table);
    else m.nonTransactional = "CLUSTER without a table name";
    return m;
  },
  ReindexStmt: (s) => {
    const concurrently = hasOption(s.params, "concurrently");
    const target = REINDEX_TARGETS[s.kind ?? ""] ?? "table";
    const m: StatementModel = { kind: "reindex", concurrently, target, ...noFacts() };
    if (s.relation) m.name = rel(s.relation);
    else if (s.name) m.name = { name: s.name };
    if (concurrently) m.nonTransactional = "REINDEX CONCURRENTLY";
    else if (s.kind === "REINDEX_OBJECT_DATABASE" || s.kind === "REINDEX_OBJECT_SYSTEM")
      m.nonTransactional = "REINDEX DATABASE/SYSTEM";
    if (!concurrently && s.relation) m.strongLocks.push(rel(s.relation));
    return m;
  },
  // Statements Postgres refuses inside a transaction block (error 25001).
  CreateTableSpaceStmt: () => nonTransactional("CreateTableSpaceStmt", "CREATE TABLESPACE"),
  DropTableSpaceStmt: () => nonTransactional("DropTableSpaceStmt", "DROP TABLESPACE"),
  CreateSubscriptionStmt: () => nonTransactional("CreateSubscriptionStmt", "CREATE SUBSCRIPTION"),
  DropSubscriptionStmt: () => nonTransactional("DropSubscriptionStmt", "DROP SUBSCRIPTION"),
};

function nonTransactional(tag: string, what: string): StatementModel {
  return { kind: "other", tag, ...noFacts(), nonTransactional: what };
}
