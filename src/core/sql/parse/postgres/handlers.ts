/**
 * Which Postgres statements the analysis understands, keyed by libpg-query's statement type.
 * A statement type missing here becomes `{ kind: "other", tag: <type> }`: still analysed for what
 * it runs (pg-effects.ts) and for long names, but no rule reads its shape.
 */
import {
  PASSWORD_OPTIONS,
  alterOwner,
  createRole,
  defaultPrivileges,
  grant,
  grantRole,
  policy,
  reassignOwned,
} from "./access.js";
import { alterTable, moveAll, rename, setSchema } from "./alter-table.js";
import { alterDomain, alterEnum } from "./alter-type.js";
import type { HandlerTable } from "./context.js";
import { CONTROL, MAINTENANCE } from "./control.js";
import {
  CREATE_OTHER,
  createDatabase,
  createEventTrigger,
  createIndex,
  createRoutine,
  createSchema,
  createTable,
  createTableAs,
  createRule,
  createTrigger,
} from "./create.js";
import { copy, deleteRows, insertRows, merge, select, updateRows } from "./dml.js";
import { drop, dropDatabase, dropOwned, truncate } from "./drop.js";
import { OPTIONS } from "./options.js";

export const HANDLERS: HandlerTable = {
  // Tables and their columns
  CreateStmt: createTable,
  CreateTableAsStmt: createTableAs,
  AlterTableStmt: alterTable,
  AlterTableMoveAllStmt: moveAll,
  RenameStmt: rename,
  AlterObjectSchemaStmt: setSchema,
  TruncateStmt: truncate,
  // Other objects
  IndexStmt: createIndex,
  CreatedbStmt: createDatabase,
  CreateFunctionStmt: createRoutine,
  CreateTrigStmt: createTrigger,
  RuleStmt: createRule,
  CreateEventTrigStmt: createEventTrigger,
  CreateSchemaStmt: createSchema,
  ...CREATE_OTHER, // views, sequences, types, domains, extensions
  AlterEnumStmt: alterEnum,
  AlterDomainStmt: alterDomain,
  DropStmt: drop,
  DropdbStmt: dropDatabase,
  DropOwnedStmt: dropOwned,
  // Rows
  DeleteStmt: deleteRows,
  UpdateStmt: updateRows,
  InsertStmt: insertRows,
  MergeStmt: merge,
  CopyStmt: copy,
  SelectStmt: select,
  // Privileges, roles, row security
  GrantStmt: grant,
  GrantRoleStmt: grantRole,
  AlterDefaultPrivilegesStmt: defaultPrivileges,
  CreateRoleStmt: createRole,
  AlterOwnerStmt: alterOwner,
  ReassignOwnedStmt: reassignOwned,
  ...PASSWORD_OPTIONS, // ALTER ROLE, CREATE/ALTER USER MAPPING
  CreatePolicyStmt: policy,
  AlterPolicyStmt: policy,
  // Transactions, settings, prepared statements, LOCK; VACUUM, CLUSTER, REINDEX, server-wide
  ...CONTROL,
  ...MAINTENANCE,
  // Options of routines, databases, the server (ALTER SYSTEM), extensions
  ...OPTIONS,
};
