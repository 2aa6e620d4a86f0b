import { ruleMeta, type ProducedFinding } from "../types.js";

/** Reported by the sandbox replay: up then down leaves a different schema. */
export const downDoesNotRestoreSchema = {
  meta: ruleMeta({
    id: "down-does-not-restore-schema",
    defaultSeverity: "error",
    dialects: ["postgres", "sqlite", "mysql"],
    category: "replay",
    description:
      "After the up and then the down migration the schema differs from before: a rollback leaves objects behind or removes the wrong ones.",
    saferAlternative:
      "Reverse every change of the up file in the down file (indexes, constraints, defaults, types too), and nothing else.",
    suppressible: true,
  }),
  /** `differences`: the schema differences, listed for a message. */
  report(
    path: string,
    upName: string | undefined,
    differences: string,
  ): ProducedFinding<"down-does-not-restore-schema"> {
    return {
      ruleId: "down-does-not-restore-schema",
      path,
      startLine: 1,
      endLine: 1,
      message: `After ${upName ?? "the up migration"} and then this down migration, the schema is not what it was before the up: ${differences}.`,
      suggestion:
        "Reverse every change of the up file here (indexes, constraints, defaults and types included), and change nothing else.",
    };
  },
};
