import type { RuleMeta } from "../types.js";

/** Reported by the sandbox replay: the down migration fails right after its up migration. */
export const replayDownFailed: RuleMeta = {
  id: "replay-down-failed",
  defaultSeverity: "error",
  dialects: ["postgres", "sqlite", "mysql"],
  category: "replay",
  description:
    "The down migration fails when run right after the up migration: a rollback during an incident would stop with a dirty version.",
  saferAlternative:
    "Make the down file undo exactly what the up file did, in reverse order, and run it locally after the up.",
  suppressible: true,
};
