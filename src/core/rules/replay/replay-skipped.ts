import { ruleMeta, type ProducedFinding } from "../types.js";

/** Reported by the sandbox replay when it cannot prove anything about the change. */
export const replaySkipped = {
  meta: ruleMeta({
    id: "replay-skipped",
    defaultSeverity: "notice",
    dialects: ["postgres", "sqlite", "mysql"],
    category: "replay",
    description:
      "The sandbox replay could not run this change (a merged migration does not apply in the sandbox, an extension is not available, no database for the dialect, or a time limit): nothing was proven by execution.",
    saferAlternative:
      "Review the migration by hand, or make the sandbox able to run it (see the message: an available extension, replay.databaseUrl, a larger replay.timeBudgetMs).",
    suppressible: true,
  }),
  /** `message` says what the sandbox could not do; the replay report section says more. */
  report(path: string, message: string): ProducedFinding<"replay-skipped"> {
    return {
      ruleId: "replay-skipped",
      path,
      startLine: 1,
      endLine: 1,
      message,
      suggestion:
        "Review this migration by hand; the replay section of the report says what the sandbox could not do.",
    };
  },
};
