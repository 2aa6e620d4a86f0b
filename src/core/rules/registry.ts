/**
 * Every rule migration-warden knows. Config validation, suppression comments and the docs check
 * all read this list, so a rule exists exactly when it is registered here.
 */
import { ignoreUnknownRule } from "./engine/ignore-unknown-rule.js";
import { ignoreWithoutReason } from "./engine/ignore-without-reason.js";
import { sqlParseError } from "./engine/sql-parse-error.js";
import { REPLAY_RULES } from "./replay/index.js";
import { deletedMergedMigration } from "./structure/deleted-merged-migration.js";
import { duplicateMigrationVersion } from "./structure/duplicate-migration-version.js";
import { emptyMigration } from "./structure/empty-migration.js";
import { invalidMigrationFilename } from "./structure/invalid-migration-filename.js";
import { missingDownMigration } from "./structure/missing-down-migration.js";
import { missingUpMigration } from "./structure/missing-up-migration.js";
import { modifiedMergedMigration } from "./structure/modified-merged-migration.js";
import { outOfOrderMigration } from "./structure/out-of-order-migration.js";
import { renamedMergedMigration } from "./structure/renamed-merged-migration.js";
import { unanalyzableMigrationFile } from "./structure/unanalyzable-migration-file.js";
import type { RuleMeta, StructureRule } from "./types.js";

export const STRUCTURE_RULES: readonly StructureRule[] = [
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
];

/** Rules whose findings the engine produces itself (no check function of their own). */
export const ENGINE_RULES: readonly RuleMeta[] = [
  sqlParseError,
  ignoreWithoutReason,
  ignoreUnknownRule,
];

export { REPLAY_RULES };

export const ALL_RULES: readonly RuleMeta[] = [
  ...STRUCTURE_RULES.map((r) => r.meta),
  ...ENGINE_RULES,
  ...REPLAY_RULES,
];

export const RULES_BY_ID: ReadonlyMap<string, RuleMeta> = new Map(ALL_RULES.map((m) => [m.id, m]));

export const RULE_IDS: readonly string[] = ALL_RULES.map((m) => m.id);
