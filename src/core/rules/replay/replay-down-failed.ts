import { ruleMeta, type ProducedFinding } from "../types.js";

export interface DownFailure {
  path: string;
  startLine: number;
  endLine: number;
  /** File name of the up migration it follows, when known. */
  upName: string | undefined;
  /** The database's error, formatted. */
  error: string;
  /** What of the file stayed applied (MySQL), as a sentence with a leading space, or "". */
  leftApplied: string;
}

/** Reported by the sandbox replay: the down migration fails right after its up migration. */
export const replayDownFailed = {
  meta: ruleMeta({
    id: "replay-down-failed",
    defaultSeverity: "error",
    dialects: ["postgres", "sqlite", "mysql"],
    category: "replay",
    description:
      "The down migration fails when run right after the up migration: a rollback during an incident would stop with a dirty version.",
    saferAlternative:
      "Make the down file undo exactly what the up file did, in reverse order, and run it locally after the up.",
    suppressible: true,
  }),
  report(f: DownFailure): ProducedFinding<"replay-down-failed"> {
    return {
      ruleId: "replay-down-failed",
      path: f.path,
      startLine: f.startLine,
      endLine: f.endLine,
      message: `Run right after ${f.upName ?? "its up migration"}, this down migration fails: ${f.error}. A rollback would stop here with a dirty version.${f.leftApplied}`,
      suggestion:
        "Make the down file undo exactly what the up file does, in reverse order (drop what it created, restore what it dropped).",
    };
  },
};
