import { isNewVersion, touchedFiles } from "../../migrations/directory.js";
import { structureRule } from "../types.js";

export const outOfOrderMigration = structureRule({
  meta: {
    id: "out-of-order-migration",
    defaultSeverity: "error",
    dialects: "all",
    category: "structure",
    description:
      "A new version that is not above the highest version on the base branch: databases already past it never apply it, silently.",
    saferAlternative: "Renumber the migration above the latest merged version.",
    suppressible: true,
  },
  checkDirectory(model, report) {
    if (model.mode !== "git" || model.maxBaseVersion === null) return;
    const max = model.maxBaseVersion;
    const latest = model.base.filter((b) => b.parsed?.version === max).map((b) => b.name);
    const squashed =
      model.config.squashedBelow === undefined ? null : BigInt(model.config.squashedBelow);
    for (const f of touchedFiles(model)) {
      if (!f.parsed || f.parsed.version > max || !isNewVersion(model, f.parsed.version)) continue;
      if (squashed !== null && f.parsed.version === squashed) {
        // A squash baseline (exactly the boundary's version): databases past it skip it on
        // purpose (docs/squashing.md). Any other version below the latest stays an error.
        report(f.path, {
          startLine: 1,
          endLine: 1,
          severity: "warning",
          message: `Version ${f.parsed.version} is at or below squashedBelow: ${squashed} (base branch's configuration) and below the latest merged version ${max}: databases already past it never run it, fresh databases do. That is right only for the baseline of a squash, which must create exactly the schema of the squashed migrations.`,
          suggestion: `Give the baseline the version of the newest squashed migration (${squashed}), as docs/squashing.md describes, or renumber this migration above ${max}.`,
        });
        continue;
      }
      report(f.path, {
        startLine: 1,
        endLine: 1,
        message: `Version ${f.parsed.version} is not above the latest merged version ${max} (${latest.join(", ")}): golang-migrate only runs versions above a database's current one, so every database already at ${max} silently skips this migration, while fresh databases run it. Their schemas drift apart.`,
        suggestion: `Renumber it above ${max}, e.g. ${nextVersionHint(max, f.name)}.`,
      });
    }
  },
});

function nextVersionHint(max: bigint, name: string): string {
  const digits = /^([0-9]+)_/.exec(name)?.[1] ?? "";
  const next = (max + 1n).toString().padStart(digits.length, "0");
  return name.replace(/^[0-9]+/, next);
}
