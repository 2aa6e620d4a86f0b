import type { RuleMeta } from "../types.js";

/** Reported by the sandbox replay: up then down leaves a different schema. */
export const downDoesNotRestoreSchema: RuleMeta = {
  id: "down-does-not-restore-schema",
  defaultSeverity: "error",
  dialects: ["postgres", "sqlite", "mysql"],
  category: "replay",
  description:
    "After the up and then the down migration the schema differs from before: a rollback leaves objects behind or removes the wrong ones.",
  saferAlternative:
    "Reverse every change of the up file in the down file (indexes, constraints, defaults, types too), and nothing else.",
  suppressible: true,
};
