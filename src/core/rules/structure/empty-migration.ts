import { touchedFiles } from "../../migrations/directory.js";
import { structureRule } from "../types.js";

export const emptyMigration = structureRule({
  meta: {
    id: "empty-migration",
    defaultSeverity: "warning",
    dialects: "all",
    category: "structure",
    description: "A migration file with no SQL (empty, whitespace or comments only).",
    saferAlternative:
      "Put the intended SQL in the file; for an irreversible down migration, explain why in a comment and accept this notice.",
    suppressible: true,
  },
  checkDirectory(model, report) {
    for (const f of touchedFiles(model)) {
      // Sources exist only for files the analysis could read (see unanalyzable-migration-file).
      const source = model.sources.get(f.path);
      if (!f.parsed || !source || source.split.statements.length > 0) continue;
      const bytes = model.contents.get(f.path)!;
      const hasComment = source.text.trim().length > 0;
      const what =
        bytes.length === 0
          ? "is empty (0 bytes)"
          : hasComment
            ? "contains only comments"
            : "contains only whitespace";
      if (f.parsed.direction === "down") {
        report(f.path, {
          startLine: 1,
          endLine: 1,
          // A comment-only down file is the documented way to mark a migration irreversible.
          severity: hasComment ? "notice" : undefined,
          message: `${f.name} ${what}: rolling back version ${f.parsed.version} then does nothing to the schema while golang-migrate still lowers the recorded version.`,
          suggestion: hasComment
            ? "If this migration really cannot be reversed, keep the comment explaining why; otherwise write the SQL that undoes the up file."
            : "Write the SQL that undoes the up file, or a comment explaining why it cannot be undone.",
        });
      } else {
        report(f.path, {
          startLine: 1,
          endLine: 1,
          message: `${f.name} ${what}: version ${f.parsed.version} is recorded as applied without changing anything${bytes.length === 0 ? ", and golang-migrate warns that 0-byte files may fail to run" : ""}.`,
          suggestion: "Add the SQL this migration is meant to run, or delete the file.",
        });
      }
    }
  },
});
