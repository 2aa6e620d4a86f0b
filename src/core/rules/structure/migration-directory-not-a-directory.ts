import { describeEntry, whereShape } from "../../migrations/shape.js";
import type { DirectoryShape } from "../../types.js";
import { structureRule } from "../types.js";

type NotADirectory = Extract<DirectoryShape, { kind: "not-a-directory" }>;

function target(shape: NotADirectory, dir: string): string {
  return shape.at === dir ? dir : `${shape.at} (an ancestor of ${dir})`;
}

function why(shape: NotADirectory): string {
  switch (shape.entry) {
    case "symlink":
      return "golang-migrate follows the link and runs whatever it points to, which neither this check nor an approval covers, and which can change without touching the migration directory";
    case "submodule":
      return "golang-migrate reads the submodule's checkout: migrations from another repository, at whatever commit the pointer names, which neither this check nor an approval covers";
    case "file":
      return "golang-migrate cannot open it as a directory, so deployments fail, and a later change turning it back into a directory would bring migrations nobody saw as such";
  }
}

export const migrationDirectoryNotADirectory = structureRule({
  meta: {
    id: "migration-directory-not-a-directory",
    defaultSeverity: "error",
    dialects: "all",
    category: "structure",
    description:
      "A configured migration directory, or one of its ancestors, that is not a plain directory of the repository (a symlink, a submodule or a file), or that does not exist on the base branch.",
    saferAlternative:
      "Keep each configured migration directory a plain directory committed in this repository, and configure the path golang-migrate really reads.",
    suppressible: false,
  },
  checkDirectory(model, report) {
    const v = model.shape;
    if (!v) return;
    const dir = model.config.path;
    const display = dir === "" ? "." : dir;
    const at = { startLine: 1, endLine: 1 };
    const { base, merged } = v;

    if (merged.kind === "not-a-directory") {
      report(merged.at, {
        ...at,
        message: `${target(merged, display)} is ${describeEntry(merged)} ${whereShape(v)}, not a plain directory: ${why(merged)}. Until it is a directory, the analysis cannot see these migrations and the approval check cannot pass.`,
        suggestion:
          merged.entry === "symlink"
            ? `Commit the migrations in ${display} itself, or configure the directory the link points to instead of ${display}.`
            : merged.entry === "submodule"
              ? `Commit the migrations in ${display} itself, or run migration-warden in the repository the submodule comes from.`
              : `Make ${display} a directory of migration files again.`,
      });
      return;
    }

    if (base.kind === "not-a-directory") {
      // The change replaces the non-directory: what it brings in is reviewed as new files.
      report(base.at, {
        ...at,
        severity: "warning",
        message: `${target(base, display)} is ${describeEntry(base)} on the base branch; this change makes ${display} ${merged.kind === "directory" ? "a plain directory, whose files are reviewed here as new" : "disappear"}.`,
        suggestion: `Keep ${display} a plain directory from now on.`,
      });
      return;
    }

    if (base.kind === "missing" && model.mode === "git") {
      report(display, {
        ...at,
        severity: "warning",
        message:
          merged.kind === "directory"
            ? `The configured migration directory ${display} does not exist on the base branch: this change creates it. Check that it is the directory golang-migrate reads (\`-path\`/\`-source\`).`
            : `The configured migration directory ${display} does not exist on the base branch (nor after this change), so nothing is checked there: a misspelled path in the configuration protects nothing.`,
        suggestion:
          "Fix directories[].path in .github/migration-warden.yml on the base branch to the directory golang-migrate reads, or create it with the first migration.",
      });
    }
  },
});
