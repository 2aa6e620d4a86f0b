import { isUnder, touchedFiles } from "../../migrations/directory.js";
import { looksLikeMigration } from "../../migrations/filename.js";
import { structureRule } from "../types.js";

export const invalidMigrationFilename = structureRule({
  meta: {
    id: "invalid-migration-filename",
    defaultSeverity: "error",
    dialects: "all",
    category: "structure",
    description:
      "A file that looks like a migration but golang-migrate ignores or misreads it (bad name, version overflow, backup copy).",
    saferAlternative:
      "Name files <version>_<title>.up.sql / <version>_<title>.down.sql, lowercase direction, version ≤ 2^63-1.",
    suppressible: true,
  },
  checkDirectory(model, report) {
    for (const f of touchedFiles(model)) {
      const v = f.verdict;
      if (v.kind === "ignored" || v.kind === "suspicious") {
        report(f.path, {
          startLine: 1,
          endLine: 1,
          message: `${f.name}: ${v.problem}.`,
          suggestion: `${v.fix[0]!.toUpperCase()}${v.fix.slice(1)}.`,
        });
      }
    }
    const dir = model.config.path;
    for (const c of model.nested) {
      const name = c.path.slice(c.path.lastIndexOf("/") + 1);
      if (!looksLikeMigration(name)) continue;
      if (!isUnder(c.path, dir)) {
        // Only another spelling of the directory (letter case, Unicode normalisation).
        report(c.path, {
          startLine: 1,
          endLine: 1,
          severity: "warning",
          message: `${c.path} is not in ${dir} but in another spelling of it: a case-insensitive checkout (macOS, Windows) merges the two and golang-migrate runs this file there, while elsewhere it never runs. It is not analysed as a migration of ${dir}.`,
          suggestion: `Move it into ${dir}, spelled exactly as configured.`,
        });
        continue;
      }
      report(c.path, {
        startLine: 1,
        endLine: 1,
        severity: "warning",
        message: `${c.path} is in a subdirectory of ${model.config.path || "the repository root"}: golang-migrate reads migration directories non-recursively, so this file never runs.`,
        suggestion: `Move it directly into ${model.config.path || "the migration directory"}, or add its directory to \`directories\` in .github/migration-warden.yml if it is a separate migration set.`,
      });
    }
  },
});
