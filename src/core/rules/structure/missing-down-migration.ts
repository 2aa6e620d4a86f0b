import { isNewVersion, touchedFiles } from "../../migrations/directory.js";
import { structureRule } from "../types.js";

export const missingDownMigration = structureRule({
  meta: {
    id: "missing-down-migration",
    defaultSeverity: "warning",
    dialects: "all",
    category: "structure",
    description:
      "A new up migration without a down file: `migrate down` only lowers the version and leaves the schema as it is.",
    saferAlternative:
      "Add <version>_<title>.down.sql that reverses the up file (a comment-only file if it truly cannot be reversed).",
    suppressible: true,
  },
  checkDirectory(model, report) {
    for (const f of touchedFiles(model)) {
      if (f.parsed?.direction !== "up") continue;
      if (model.mode === "git" && !isNewVersion(model, f.parsed.version)) continue;
      const v = f.parsed.version;
      if ((model.byVersion.get(v)?.down.length ?? 0) > 0) continue;
      report(f.path, {
        startLine: 1,
        endLine: 1,
        message: `Version ${v} has no down migration: \`migrate down\` would move the version below ${v} without undoing anything, leaving the database with a schema the recorded version does not describe.`,
        suggestion: `Add ${f.name.replace(/\.up\./, ".down.")} that reverses this file; if it cannot be reversed, say so in a comment-only down file.`,
      });
    }
  },
});
