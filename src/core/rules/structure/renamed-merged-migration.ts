import { structureRule } from "../types.js";
import { squashBoundary, squashFinding } from "./squash.js";

export const renamedMergedMigration = structureRule({
  meta: {
    id: "renamed-merged-migration",
    defaultSeverity: "error",
    dialects: "all",
    category: "structure",
    description:
      "A rename or renumbering of a migration the base branch has: golang-migrate sees a new version and loses the old one.",
    saferAlternative: "Keep merged migration names; add a new migration instead of renumbering.",
    suppressible: false,
  },
  checkDirectory(model, report) {
    if (model.mode !== "git") return;
    const squash = squashBoundary(model);
    for (const r of model.removed) {
      if (r.change.status !== "renamed" || !r.parsed) continue;
      const to = r.change.path;
      // Git pairs a squashed file with a similar baseline as a rename: both ends at or below
      // the boundary make it part of the documented squash.
      const now = model.head.find((f) => f.path === to)?.parsed;
      if (squash && now && r.parsed.version <= squash.version && now.version <= squash.version) {
        report(to, squashFinding(r.path, r.parsed.version, r.parsed.direction, squash, to));
        continue;
      }
      report(to, {
        startLine: 1,
        endLine: 1,
        message: `${r.path} is a merged migration (version ${r.parsed.version}) and this change renames it to ${to}: golang-migrate identifies migrations by version only, so databases at version ${r.parsed.version} fail with "no migration found" and the renamed file is treated as a different migration.`,
        suggestion: `Rename it back to ${r.path.slice(r.path.lastIndexOf("/") + 1)}; make further changes in a new migration.`,
      });
    }
  },
});
