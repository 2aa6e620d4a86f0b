import type { RuleMeta } from "../types.js";

/** Reported by the sandbox replay (src/replay/): the change's up migration fails on the base schema. */
export const replayUpFailed: RuleMeta = {
  id: "replay-up-failed",
  defaultSeverity: "error",
  dialects: ["postgres", "sqlite", "mysql"],
  category: "replay",
  description:
    "The up migration fails when run on a database built from every merged migration: deploying it would fail and leave golang-migrate's version dirty.",
  saferAlternative:
    "Fix the statement so it applies on top of the merged schema (check names, types and the order of files).",
  suppressible: true,
};
