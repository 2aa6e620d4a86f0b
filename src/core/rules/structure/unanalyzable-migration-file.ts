import { touchedFiles } from "../../migrations/directory.js";
import { whyNotAnalyzable } from "../../migrations/analyzable.js";
import { structureRule } from "../types.js";

export const unanalyzableMigrationFile = structureRule({
  meta: {
    id: "unanalyzable-migration-file",
    defaultSeverity: "error",
    dialects: "all",
    category: "structure",
    description:
      "A migration file whose content cannot be reviewed: a symlink, a submodule, a binary file, or a file over the size limit.",
    saferAlternative:
      "Commit migrations as plain UTF-8 SQL files of reasonable size, directly in the migration directory.",
    suppressible: false,
  },
  checkDirectory(model, report) {
    for (const f of touchedFiles(model)) {
      if (f.verdict.kind === "unrelated") continue;
      const why = whyNotAnalyzable(f, model.contents.get(f.path), model.limits.maxFileBytes);
      if (!why) continue;
      const at = { startLine: 1, endLine: 1, severity: why.severity };
      switch (why.reason) {
        case "symlink":
          report(f.path, {
            ...at,
            message: `${f.name} is a symbolic link: golang-migrate follows it and runs whatever the target contains, which can change without touching the migration directory, so neither review nor approval covers it.`,
            suggestion: "Replace the link with a regular file holding the SQL.",
          });
          break;
        case "submodule":
          report(f.path, {
            ...at,
            message: `${f.name} is a git submodule (a directory in checkouts): golang-migrate skips directories, so it never runs, and its content is not reviewed here.`,
            suggestion: "Keep migrations as regular files directly in the migration directory.",
          });
          break;
        case "too-large":
          report(f.path, {
            ...at,
            message: `${f.name} is ${why.size} bytes, over the ${why.limit}-byte limit (limits.maxFileBytes): it was not analysed, so nothing in it has been checked.`,
            suggestion:
              "Split it into smaller migrations, or raise limits.maxFileBytes in the base branch's .github/migration-warden.yml after reviewing it by hand.",
          });
          break;
        case "binary":
          report(f.path, {
            ...at,
            message: `${f.name} contains NUL bytes, so it is not a text SQL file: golang-migrate would send it to the database as is, and it cannot be reviewed.`,
            suggestion: "Commit the migration as plain UTF-8 SQL text.",
          });
          break;
      }
    }
  },
});
