import { structureRule } from "../types.js";
import { squashBoundary, squashFinding } from "./squash.js";

export const deletedMergedMigration = structureRule({
  meta: {
    id: "deleted-merged-migration",
    defaultSeverity: "error",
    dialects: "all",
    category: "structure",
    description:
      'Removal of a migration the base branch has: fresh databases lose its schema, and databases at that version fail with "no migration found".',
    saferAlternative: "Keep merged migrations; undo their effect with a new migration.",
    suppressible: false,
  },
  checkDirectory(model, report) {
    if (model.mode !== "git") return;
    const squash = squashBoundary(model);
    for (const r of model.removed) {
      if (r.change.status !== "removed" || !r.parsed) continue;
      const { version: v, direction } = r.parsed;
      const at = model.byVersion.get(v);
      const replacement = (direction === "up" ? at?.up : at?.down)?.[0];
      const partner = (direction === "up" ? at?.down : at?.up)?.[0];
      if (squash !== null && v <= squash.version) {
        report(r.path, squashFinding(r.path, v, direction, squash, replacement?.path));
        continue;
      }
      report(r.path, {
        startLine: 1,
        endLine: 1,
        message: `${r.path} is a merged migration (version ${v}, ${direction}) and this change deletes it: ${consequence(v, direction, replacement?.path, partner !== undefined)}`,
        suggestion:
          "Restore the file; if its effect must go, write a new migration with a version above the latest one that reverses it.",
      });
    }
  },
});

/** What golang-migrate then does, case by case (a missing file of a known version is an empty migration). */
function consequence(
  v: bigint,
  direction: "up" | "down",
  replacement: string | undefined,
  partnerStays: boolean,
): string {
  if (replacement)
    return `${replacement} now holds version ${v}'s ${direction} SQL instead. Databases already past version ${v} never run it, fresh databases never run the old one: version ${v} now means different DDL on new databases than on existing ones.`;
  if (direction === "down" && partnerStays)
    return `its up stays, so fresh databases are unchanged, but \`migrate down\` through version ${v} now only moves the version (golang-migrate runs no SQL for a missing down file) and leaves what the up did in place.`;
  if (direction === "up" && partnerStays)
    return `its down stays, so golang-migrate still knows version ${v} but applies it with no SQL: databases created from now on never get what it did, while \`migrate down\` still runs its down.`;
  return `databases created from now on never get what it did, and a database currently at version ${v} makes \`migrate up\` fail with "no migration found for version ${v}".`;
}
