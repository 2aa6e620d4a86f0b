import { ruleMeta, type ProducedFinding } from "../types.js";

/** Up → down → up: the second up failed (with the database's error), or ended elsewhere. */
export type ReupProblem =
  | { kind: "fails"; path: string; startLine: number; endLine: number; error: string }
  | { kind: "differs"; path: string; differences: string };

/** Reported by the sandbox replay: up, down, then up again fails or ends elsewhere. */
export const upNotReapplicable = {
  meta: ruleMeta({
    id: "up-not-reapplicable",
    defaultSeverity: "error",
    dialects: ["postgres", "sqlite", "mysql"],
    category: "replay",
    description:
      "After up and down, running the up migration again fails or gives a different schema: redeploying after a rollback would break.",
    saferAlternative:
      "Make the down file remove everything the up file creates (including data it inserts), so up → down → up ends where up did.",
    suppressible: true,
  }),
  report(p: ReupProblem): ProducedFinding<"up-not-reapplicable"> {
    if (p.kind === "fails") {
      return {
        ruleId: "up-not-reapplicable",
        path: p.path,
        startLine: p.startLine,
        endLine: p.endLine,
        message: `After up and down, running this migration again fails: ${p.error}. Redeploying after a rollback would fail.`,
        suggestion:
          "Make the down file remove everything this file creates (data it inserts included), so up → down → up works.",
      };
    }
    return {
      ruleId: "up-not-reapplicable",
      path: p.path,
      startLine: 1,
      endLine: 1,
      message: `After up, down and up again, the schema differs from after the first up: ${p.differences}.`,
      suggestion:
        "Make the down file bring back exactly the schema from before the up, so running the up again ends in the same place.",
    };
  },
};
