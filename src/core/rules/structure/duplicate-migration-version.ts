import { structureRule } from "../types.js";

export const duplicateMigrationVersion = structureRule({
  meta: {
    id: "duplicate-migration-version",
    defaultSeverity: "error",
    dialects: "all",
    category: "structure",
    description:
      "Two files with the same numeric version and direction (leading zeros and extensions ignored): golang-migrate refuses to start.",
    saferAlternative:
      "Keep one file per version and direction; give the new migration a version above the latest one.",
    suppressible: false,
  },
  checkDirectory(model, report) {
    const groups = [...model.byVersion.values()].flatMap((v) => [v.up, v.down]);
    for (const group of groups) {
      if (group.length < 2) continue;
      for (const f of group) {
        // Only files this change brings in are its fault; in PATH mode every file is checked.
        if (model.mode === "git" && !f.change) continue;
        const others = group.filter((o) => o !== f).map((o) => o.name);
        report(f.path, {
          startLine: 1,
          endLine: 1,
          message: `${f.name} has the same version (${f.parsed!.version}) and direction (${f.parsed!.direction}) as ${others.join(", ")}: golang-migrate stops with "duplicate migration file" and no migration runs at all.`,
          suggestion:
            "Delete the copy, or renumber this migration above the highest existing version.",
        });
      }
    }
  },
});
