/**
 * A documented squash (`squashedBelow` in the base branch's configuration, docs/squashing.md):
 * merged migrations at or below the boundary may go, as warnings that say so, when a baseline
 * stays. Shared by deleted-merged-migration and renamed-merged-migration.
 */
import type { DirectoryModel } from "../../migrations/directory.js";
import type { RuleReport } from "../types.js";

/**
 * The base configuration's `squashedBelow` for this directory, and the baseline a squash leaves:
 * the highest up file at or below it once the change is merged (fresh databases get the squashed
 * schema from it). The head's configuration never counts: a change cannot declare its own squash.
 */
export function squashBoundary(
  model: DirectoryModel,
): { version: bigint; baseline: string | null } | null {
  const raw = model.config.squashedBelow;
  if (raw === undefined) return null;
  const version = BigInt(raw);
  let baseline: { v: bigint; path: string } | null = null;
  for (const [v, files] of model.byVersion) {
    const up = files.up[0];
    if (v <= version && up && (!baseline || v > baseline.v)) baseline = { v, path: up.path };
  }
  return { version, baseline: baseline?.path ?? null };
}

const SQUASH_DOC = "docs/squashing.md";

export function squashFinding(
  path: string,
  v: bigint,
  direction: "up" | "down",
  squash: { version: bigint; baseline: string | null },
  replacement: string | undefined,
): RuleReport {
  const declared = `squashedBelow: ${squash.version} in the base branch's configuration`;
  // Deleting ups with nothing left at or below the boundary leaves fresh databases without the
  // squashed schema: not a squash, a deletion.
  if (direction === "up" && squash.baseline === null)
    return {
      startLine: 1,
      endLine: 1,
      message: `${path} is a merged migration (version ${v}, up) at or below ${declared}, but no up migration at or below version ${squash.version} remains after this change: fresh databases would get none of the squashed schema. A squash must leave a baseline.`,
      suggestion: `Add the baseline (the whole schema as of version ${squash.version}) as an up migration with version ${squash.version}, as ${SQUASH_DOC} describes.`,
    };
  const what = replacement
    ? `${replacement} now holds version ${v}'s ${direction} SQL (the squash baseline): fresh databases run it, databases at or past version ${v} never do, so it must produce exactly the schema the squashed migrations did.`
    : direction === "down"
      ? `\`migrate down\` to or below version ${v} no longer runs its SQL (golang-migrate only moves the version for a missing down file).`
      : `Fresh databases get what it did from the baseline ${squash.baseline} instead; a database still at version ${v} makes \`migrate up\` fail with "no migration found for version ${v}" until it is forced to a version that has a file.`;
  return {
    startLine: 1,
    endLine: 1,
    severity: "warning",
    message: `${path} (merged version ${v}, ${direction}) goes as part of a documented squash (${declared}). ${what} Check that every environment is at or past version ${squash.version} before merging.`,
    suggestion: `Follow ${SQUASH_DOC}: keep the baseline at version ${squash.version}, and confirm every database's version (\`migrate version\`) is at least ${squash.version}.`,
  };
}
