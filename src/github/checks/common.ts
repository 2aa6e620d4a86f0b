/** Outputs every check shares: invalid configuration and evaluation errors (both fail closed). */
import type { ConfigError } from "../../config/load.js";
import { escapeInline } from "../../core/report/markdown.js";
import type { Evaluation } from "../evaluate.js";
import type { CheckResult } from "./types.js";

export function invalidConfigResult(
  ev: Pick<Extract<Evaluation, { kind: "invalid-config" }>, "error" | "base">,
): CheckResult {
  const e: ConfigError = ev.error;
  return {
    conclusion: "failure",
    title: "Invalid configuration",
    summary: [
      `The configuration \`${e.source}\` on the base branch (commit \`${ev.base.sha.slice(0, 7)}\`) is invalid, so nothing was checked:`,
      "",
      ...e.problems.map((p) => `- ${escapeInline(p)}`),
      "",
      "migration-warden reads its configuration from the pull request's base branch, never from the pull request itself, so a change cannot relax the rules it is checked by. Fix the file on the base branch; this check runs again on the next push, or re-run it from the Checks tab.",
    ].join("\n"),
  };
}

export function errorResult(reason: string): CheckResult {
  return {
    conclusion: "failure",
    title: "Could not check this pull request",
    summary: [
      "migration-warden stopped before it had checked every migration change, so this check fails instead of passing unchecked.",
      "",
      `**Reason:** ${escapeInline(reason)}`,
      "",
      "Re-run the check from the Checks tab once the cause is fixed; the app's logs have the details.",
    ].join("\n"),
  };
}
