import { touchedFiles } from "../../migrations/directory.js";
import { structureRule } from "../types.js";

export const missingUpMigration = structureRule({
  meta: {
    id: "missing-up-migration",
    defaultSeverity: "error",
    dialects: "all",
    category: "structure",
    description:
      "A down migration whose version has no up file: golang-migrate records the version without running any SQL.",
    saferAlternative:
      "Add the matching <version>_<title>.up.sql, or give the down file the version of the up file it reverses.",
    suppressible: true,
  },
  checkDirectory(model, report) {
    for (const f of touchedFiles(model)) {
      if (f.parsed?.direction !== "down") continue;
      const v = f.parsed.version;
      if ((model.byVersion.get(v)?.up.length ?? 0) > 0) continue;
      report(f.path, {
        startLine: 1,
        endLine: 1,
        message: `Version ${v} has a down migration but no up migration: \`migrate up\` marks version ${v} as applied without running anything, and \`migrate down\` then runs this file against a schema it never created.`,
        suggestion: `Add ${f.name.replace(/\.down\./, ".up.")}, or rename this file to the version of the up migration it reverses.`,
      });
    }
  },
});
