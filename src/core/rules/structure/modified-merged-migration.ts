import { structureRule } from "../types.js";

export const modifiedMergedMigration = structureRule({
  meta: {
    id: "modified-merged-migration",
    defaultSeverity: "error",
    dialects: "all",
    category: "structure",
    description:
      "An edit to a migration the base branch already has: databases that ran it never see the edit, fresh ones do.",
    saferAlternative:
      "Leave merged migrations as they are; add a new migration with the next version that makes the change.",
    suppressible: false,
  },
  checkDirectory(model, report) {
    if (model.mode !== "git") return;
    for (const f of model.head) {
      if (!f.change || !f.onBase || !f.parsed) continue;
      if (f.change.status === "renamed" && f.change.previousPath !== f.path) continue;
      // A working-tree edit has no object id yet; the status says it differs from the base.
      if (f.change.oid !== undefined && f.change.oid === f.onBase.oid) continue;
      report(f.path, {
        startLine: 1,
        endLine: 1,
        message: `${f.name} is already merged (version ${f.parsed.version}): golang-migrate keeps no checksums, so databases that already ran it never apply this edit while new databases do, and the schemas silently drift apart.`,
        suggestion:
          "Revert the edit and put the change in a new migration with a version above the latest one.",
      });
    }
  },
});
