import type { RuleMeta } from "../types.js";

/** Reported by the sandbox replay: up, down, then up again fails or ends elsewhere. */
export const upNotReapplicable: RuleMeta = {
  id: "up-not-reapplicable",
  defaultSeverity: "error",
  dialects: ["postgres", "sqlite", "mysql"],
  category: "replay",
  description:
    "After up and down, running the up migration again fails or gives a different schema: redeploying after a rollback would break.",
  saferAlternative:
    "Make the down file remove everything the up file creates (including data it inserts), so up → down → up ends where up did.",
  suppressible: true,
};
