/**
 * A documented squash (`squashedBelow` in the base branch's configuration, docs/squashing.md):
 * merged migrations at or below the boundary may go, as warnings that say so, when a baseline
 * stays. Shared by deleted-merged-migration and renamed-merged-migration.
 */
import type { DirectoryModel } from "../../migrations/directory.js";
import type { RuleReport } from "../types.js";

/**
 * The base configuration's `squashedBelow` for this directory, and the baseline this change
 * brings: an up file at exactly that version that the change adds or rewrites (docs/squashing.md:
 * the baseline reuses the newest squashed version). Without one, deletions at or below the
 * boundary are not a squash: an untouched merged file never stands in for the baseline, or any
 * one merged migration could be deleted with a warning. The head's configuration never counts: a
 * change cannot declare its own squash.
 */
export function squashBoundary(
  model: DirectoryModel,
): { version: bigint; baseline: string | null } | null {
  const raw = model.config.squashedBelow;
  if (raw === undefined) return null;
  const version = BigInt(raw);
  const baseline = model.byVersion.get(version)?.up.find((f) => f.change !== undefined);
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
  // Deleting without the baseline in the same change is not a squash, a deletion.
  if (squash.baseline === null)
    return {
      startLine: 1,
      endLine: 1,
      message: `${path} is a merged migration (version ${v}, ${direction}) at or below ${declared}, but this change brings no baseline (an up migration with version ${squash.version}): fresh databases would lose what it did. A squash must leave a baseline.`,
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
