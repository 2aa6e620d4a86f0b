import { structureRule } from "../types.js";

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
    for (const r of model.removed) {
      if (r.change.status !== "removed" || !r.parsed) continue;
      report(r.path, {
        startLine: 1,
        endLine: 1,
        message: `${r.path} is a merged migration (version ${r.parsed.version}, ${r.parsed.direction}) and this change deletes it: databases created from now on never get what it did, and a database currently at version ${r.parsed.version} makes \`migrate up\` fail with "no migration found for version ${r.parsed.version}".`,
        suggestion:
          "Restore the file; if its effect must go, write a new migration with a version above the latest one that reverses it.",
      });
    }
  },
});
