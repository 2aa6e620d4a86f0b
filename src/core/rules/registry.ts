/**
 * Every rule migration-warden knows. Config validation, suppression comments and the docs check
 * all read this list, so a rule exists exactly when it is registered here, and `RuleId` (the type
 * of every finding's rule id in code) is derived from it: a mistyped id does not compile.
 */
import { ignoreUnknownRule } from "./engine/ignore-unknown-rule.js";
import { ignoreWithoutReason } from "./engine/ignore-without-reason.js";
import { sqlParseError } from "./engine/sql-parse-error.js";
import { REPLAY_RULES } from "./replay/index.js";
import { deletedMergedMigration } from "./structure/deleted-merged-migration.js";
import { duplicateMigrationVersion } from "./structure/duplicate-migration-version.js";
import { emptyMigration } from "./structure/empty-migration.js";
import { invalidMigrationFilename } from "./structure/invalid-migration-filename.js";
import { migrationDirectoryNotADirectory } from "./structure/migration-directory-not-a-directory.js";
import { missingDownMigration } from "./structure/missing-down-migration.js";
import { missingUpMigration } from "./structure/missing-up-migration.js";
import { modifiedMergedMigration } from "./structure/modified-merged-migration.js";
import { outOfOrderMigration } from "./structure/out-of-order-migration.js";
import { renamedMergedMigration } from "./structure/renamed-merged-migration.js";
import { unanalyzableMigrationFile } from "./structure/unanalyzable-migration-file.js";
import { dropTable } from "./sql/drop-table.js";
import { dropColumn } from "./sql/drop-column.js";
import { dropSchema } from "./sql/drop-schema.js";
import { dropDatabase } from "./sql/drop-database.js";
import { truncateTable } from "./sql/truncate-table.js";
import { truncateCascade } from "./sql/truncate-cascade.js";
import { dmlWithoutWhere } from "./sql/dml-without-where.js";
import { alterColumnType } from "./sql/alter-column-type.js";
import { renameTable } from "./sql/rename-table.js";
import { createTriggerOnExistingTable } from "./sql/create-trigger-on-existing-table.js";
import { renameColumn } from "./sql/rename-column.js";
import { addNotNullColumnWithoutDefault } from "./sql/add-not-null-column-without-default.js";
import { setNotNull } from "./sql/set-not-null.js";
import { mysqlModifyDropsAttributes } from "./sql/mysql-modify-drops-attributes.js";
import { mysqlModifyColumnNullability } from "./sql/mysql-modify-column-nullability.js";
import { addColumnRewritingDefault } from "./sql/add-column-rewriting-default.js";
import { createIndexNotConcurrently } from "./sql/create-index-not-concurrently.js";
import { dropIndexNotConcurrently } from "./sql/drop-index-not-concurrently.js";
import { addForeignKeyValidated } from "./sql/add-foreign-key-validated.js";
import { addCheckValidated } from "./sql/add-check-validated.js";
import { addUniqueConstraint } from "./sql/add-unique-constraint.js";
import { addConstraintBuildsIndex } from "./sql/add-constraint-builds-index.js";
import { validateInSameTransaction } from "./sql/validate-in-same-transaction.js";
import { lockHeldAcrossStatements } from "./sql/lock-held-across-statements.js";
import { mixedDdlAndDml } from "./sql/mixed-ddl-and-dml.js";
import { addUniqueOnExistingData } from "./sql/add-unique-on-existing-data.js";
import { nonTransactionalStatementInTransaction } from "./sql/non-transactional-statement-in-transaction.js";
import { explicitTransactionControl } from "./sql/explicit-transaction-control.js";
import { mysqlDdlAutocommit } from "./sql/mysql-ddl-autocommit.js";
import { mysqlTableCopy } from "./sql/mysql-table-copy.js";
import { mysqlAddUniqueIndex } from "./sql/mysql-add-unique-index.js";
import { fkWithoutIndex } from "./sql/fk-without-index.js";
import { dropCascade } from "./sql/drop-cascade.js";
import { vacuumFullOrCluster } from "./sql/vacuum-full-or-cluster.js";
import { setLoggedUnlogged } from "./sql/set-logged-unlogged.js";
import { setAccessMethod } from "./sql/set-access-method.js";
import { grantPrivileges } from "./sql/grant-privileges.js";
import { grantToPublic } from "./sql/grant-to-public.js";
import { grantWithGrantOrAdminOption } from "./sql/grant-with-grant-or-admin-option.js";
import { dynamicSqlInjection } from "./sql/dynamic-sql-injection.js";
import { plaintextPassword } from "./sql/plaintext-password.js";
import { requireLockTimeout } from "./sql/require-lock-timeout.js";
import { reindexNotConcurrently } from "./sql/reindex-not-concurrently.js";
import { detachPartitionNotConcurrently } from "./sql/detach-partition-not-concurrently.js";
import { dropNotNull } from "./sql/drop-not-null.js";
import { domainConstraint } from "./sql/domain-constraint.js";
import { identifierTooLong } from "./sql/identifier-too-long.js";
import { addEnumValueInTransaction } from "./sql/add-enum-value-in-transaction.js";
import { sqliteForeignKeysPragmaInTransaction } from "./sql/sqlite-foreign-keys-pragma-in-transaction.js";
import { requireStatementTimeout } from "./sql/require-statement-timeout.js";
import { stringSyntaxChange } from "./sql/string-syntax-change.js";
import { unanalyzableStatement } from "./sql/unanalyzable-statement.js";
import { preferBigint } from "./sql/prefer-bigint.js";
import { preferIdentity } from "./sql/prefer-identity.js";
import { preferText } from "./sql/prefer-text.js";
import { preferTimestamptz } from "./sql/prefer-timestamptz.js";
import { banCharType } from "./sql/ban-char-type.js";
import { nonIdempotentNonTransactional } from "./sql/non-idempotent-non-transactional.js";
import { duplicateColumnAssignment } from "./sql/duplicate-column-assignment.js";
import { dropConstraint } from "./sql/drop-constraint.js";
import { revokePrivileges } from "./sql/revoke-privileges.js";
import { dropOtherObject } from "./sql/drop-other-object.js";
import { disableTrigger } from "./sql/disable-trigger.js";
import { replicaIdentityChange } from "./sql/replica-identity-change.js";
import { autovacuumDisabled } from "./sql/autovacuum-disabled.js";
import { rowLevelSecurityChange } from "./sql/row-level-security-change.js";
import { renameOtherObject } from "./sql/rename-other-object.js";
import { setSchema } from "./sql/set-schema.js";
import { indexOnPartitionedTable } from "./sql/index-on-partitioned-table.js";
import { mysqlEnumSetChange } from "./sql/mysql-enum-set-change.js";
import { dropSystemVersioning } from "./sql/drop-system-versioning.js";
import { mysqlInlineReferencesIgnored } from "./sql/mysql-inline-references-ignored.js";
import { multipleAltersSameTable } from "./sql/multiple-alters-same-table.js";
import { mysqlMissingAlgorithmLock } from "./sql/mysql-missing-algorithm-lock.js";
import { alterRole } from "./sql/alter-role.js";
import { jsonInsteadOfJsonb } from "./sql/json-instead-of-jsonb.js";
import { enumAddValueWithoutPosition } from "./sql/enum-add-value-without-position.js";
import { fkOnDeleteCascade } from "./sql/fk-on-delete-cascade.js";
import { alterIdentityOrSequence } from "./sql/alter-identity-or-sequence.js";
import { wideNonUniqueIndex } from "./sql/wide-non-unique-index.js";
import { setRoleOrOwner } from "./sql/set-role-or-owner.js";
import { createEnumType } from "./sql/create-enum-type.js";
import { concurrentIndexBuggyPg } from "./sql/concurrent-index-buggy-pg.js";
import { replaceViewOrFunction } from "./sql/replace-view-or-function.js";
import { alterObjectOptions } from "./sql/alter-object-options.js";
import { columnAlignmentPadding } from "./sql/column-alignment-padding.js";
import { requireSchemaQualified } from "./sql/require-schema-qualified.js";
import { mysqlAddColumnPosition } from "./sql/mysql-add-column-position.js";
import { selectStarOrImplicitInsertColumns } from "./sql/select-star-or-implicit-insert-columns.js";
import { newWriteRestriction } from "./sql/new-write-restriction.js";
import { changeColumnDefault } from "./sql/change-column-default.js";
import { addColumnBreaksPositional } from "./sql/add-column-breaks-positional.js";
import { requirePrimaryKey } from "./sql/require-primary-key.js";
import type { SqlRule } from "./sql/types.js";
import type { RuleMeta, StructureRule } from "./types.js";

export const STRUCTURE_RULES = [
  migrationDirectoryNotADirectory,
  invalidMigrationFilename,
  duplicateMigrationVersion,
  missingDownMigration,
  missingUpMigration,
  emptyMigration,
  outOfOrderMigration,
  modifiedMergedMigration,
  deletedMergedMigration,
  renamedMergedMigration,
  unanalyzableMigrationFile,
] as const satisfies readonly StructureRule[];

/** Rules over the parsed statements of one migration file (src/core/rules/sql/). */
export const SQL_RULES = [
  dropTable,
  dropColumn,
  dropSchema,
  dropDatabase,
  truncateTable,
  truncateCascade,
  dmlWithoutWhere,
  alterColumnType,
  renameTable,
  renameColumn,
  addNotNullColumnWithoutDefault,
  setNotNull,
  addColumnRewritingDefault,
  createIndexNotConcurrently,
  dropIndexNotConcurrently,
  addForeignKeyValidated,
  addCheckValidated,
  addUniqueConstraint,
  addConstraintBuildsIndex,
  validateInSameTransaction,
  lockHeldAcrossStatements,
  mixedDdlAndDml,
  addUniqueOnExistingData,
  nonTransactionalStatementInTransaction,
  explicitTransactionControl,
  mysqlDdlAutocommit,
  mysqlTableCopy,
  mysqlAddUniqueIndex,
  fkWithoutIndex,
  dropCascade,
  vacuumFullOrCluster,
  setLoggedUnlogged,
  setAccessMethod,
  grantPrivileges,
  grantToPublic,
  grantWithGrantOrAdminOption,
  dynamicSqlInjection,
  plaintextPassword,
  requireLockTimeout,
  reindexNotConcurrently,
  detachPartitionNotConcurrently,
  dropNotNull,
  domainConstraint,
  identifierTooLong,
  addEnumValueInTransaction,
  requireStatementTimeout,
  unanalyzableStatement,
  stringSyntaxChange,
  sqliteForeignKeysPragmaInTransaction,
  mysqlModifyDropsAttributes,
  mysqlModifyColumnNullability,
  nonIdempotentNonTransactional,
  createTriggerOnExistingTable,
  duplicateColumnAssignment,
  dropConstraint,
  revokePrivileges,
  dropOtherObject,
  disableTrigger,
  replicaIdentityChange,
  autovacuumDisabled,
  rowLevelSecurityChange,
  renameOtherObject,
  setSchema,
  indexOnPartitionedTable,
  mysqlEnumSetChange,
  alterRole,
  dropSystemVersioning,
  mysqlInlineReferencesIgnored,
  multipleAltersSameTable,
  mysqlMissingAlgorithmLock,
  jsonInsteadOfJsonb,
  enumAddValueWithoutPosition,
  fkOnDeleteCascade,
  alterIdentityOrSequence,
  wideNonUniqueIndex,
  setRoleOrOwner,
  mysqlAddColumnPosition,
  selectStarOrImplicitInsertColumns,
  newWriteRestriction,
  // style (off by default)
  preferBigint,
  preferIdentity,
  preferText,
  preferTimestamptz,
  banCharType,
  // Postgres policies (off by default; concurrent-index-buggy-pg is on)
  createEnumType,
  concurrentIndexBuggyPg, // on by default
  replaceViewOrFunction,
  alterObjectOptions,
  columnAlignmentPadding,
  requireSchemaQualified,
  // policies (off by default)
  changeColumnDefault,
  addColumnBreaksPositional,
  requirePrimaryKey,
] as const satisfies readonly SqlRule[];

/** Rules the engine applies to its own work: parse results and ignore comments. */
export const ENGINE_RULES = [sqlParseError, ignoreWithoutReason, ignoreUnknownRule] as const;

export { REPLAY_RULES };

type Registered =
  | (typeof STRUCTURE_RULES)[number]
  | (typeof ENGINE_RULES)[number]
  | (typeof SQL_RULES)[number]
  | (typeof REPLAY_RULES)[number];

/** The id of a registered rule. */
export type RuleId = Registered["meta"]["id"];

export const ALL_RULES: readonly RuleMeta<RuleId>[] = [
  ...STRUCTURE_RULES,
  ...ENGINE_RULES,
  ...SQL_RULES,
  ...REPLAY_RULES,
].map((r) => r.meta);

export const RULES_BY_ID: ReadonlyMap<string, RuleMeta<RuleId>> = new Map(
  ALL_RULES.map((m) => [m.id, m]),
);

export const RULE_IDS: readonly RuleId[] = ALL_RULES.map((m) => m.id);

/** Narrows a string (from config, a comment or a stored report) to a registered rule id. */
export function isRuleId(id: string): id is RuleId {
  return RULES_BY_ID.has(id);
}
