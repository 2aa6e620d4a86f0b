import { ruleMeta, type ProducedFinding } from "../types.js";

/** What the sandbox saw: the file failed (with the database's error), or a statement timed out. */
export type UpFailure =
  | {
      kind: "failed";
      path: string;
      startLine: number;
      endLine: number;
      baseFiles: number;
      /** The database's error, formatted. */
      error: string;
      /** SQLSTATE, when the database gave one. */
      code?: string;
      /** What of the file stayed applied (MySQL), as a sentence with a leading space, or "". */
      leftApplied: string;
      multiStatement: boolean;
    }
  | { kind: "timeout"; path: string; line: number; /** "took longer than …" */ what: string };

function upFailedSuggestion(code: string | undefined, multiStatement: boolean): string {
  if (code === "25001")
    return multiStatement
      ? "This statement cannot run inside a transaction block: keep it out of BEGIN … COMMIT."
      : "golang-migrate sends a file in one Exec, which Postgres runs as one transaction: put this statement alone in its own migration file.";
  return "Fix the statement so it applies on top of the merged schema; run the directory locally with `migrate up` on a fresh database.";
}

/** Reported by the sandbox replay (src/replay/): the change's up migration fails on the base schema. */
export const replayUpFailed = {
  meta: ruleMeta({
    id: "replay-up-failed",
    defaultSeverity: "error",
    dialects: ["postgres", "sqlite", "mysql"],
    category: "replay",
    description:
      "The up migration fails when run on a database built from every merged migration: deploying it would fail and leave golang-migrate's version dirty.",
    saferAlternative:
      "Fix the statement so it applies on top of the merged schema (check names, types and the order of files).",
    suppressible: true,
  }),
  report(f: UpFailure): ProducedFinding<"replay-up-failed"> {
    if (f.kind === "timeout") {
      return {
        ruleId: "replay-up-failed",
        severity: "warning",
        path: f.path,
        startLine: f.line,
        endLine: f.line,
        message: `In the sandbox (empty tables) this statement ${f.what} (replay.statementTimeoutMs), so it was stopped: an endless loop, or work that will take far longer on real data.`,
        suggestion:
          "Check the statement for loops and large data work; if it is legitimately slow, raise replay.statementTimeoutMs or suppress with a reason.",
      };
    }
    return {
      ruleId: "replay-up-failed",
      path: f.path,
      startLine: f.startLine,
      endLine: f.endLine,
      message: `Applied on top of the ${f.baseFiles} merged migration${f.baseFiles === 1 ? "" : "s"}, this migration fails: ${f.error}. Deploying it would fail and leave golang-migrate's version dirty.${f.leftApplied}`,
      suggestion: upFailedSuggestion(f.code, f.multiStatement),
    };
  },
};
