import type { Directive } from "../../suppress.js";
import { ruleMeta, type ReportFn } from "../types.js";

/** Reported for ignore comments that give no reason (they suppress nothing). */
export const ignoreWithoutReason = {
  meta: ruleMeta({
    id: "ignore-without-reason",
    defaultSeverity: "warning",
    dialects: "all",
    category: "style",
    description:
      "A migration-warden:ignore comment without a reason, without a rule id, or with no statement to apply to; it suppresses nothing.",
    saferAlternative:
      "-- migration-warden:ignore <rule-id> -- <why this is safe>, directly before the statement.",
    suppressible: false,
  }),
  /** Reports a directive that suppresses nothing: no reason, no rule id, or no statement after it. */
  check(d: Directive, report: ReportFn): void {
    const kw = d.scope === "file" ? "ignore-file" : "ignore";
    const at = { startLine: d.line, endLine: d.endLine };
    if (d.reason === "") {
      report({
        ...at,
        message: `This migration-warden:${kw} comment gives no reason, so it suppresses nothing: a reviewer must be able to see why a risky statement is acceptable.`,
        suggestion: `Add the reason after a second "--": -- migration-warden:${kw} ${d.ruleIds.join(",") || "<rule-id>"} -- <why this is safe>`,
      });
    } else if (d.ruleIds.length === 0 && d.unknownIds.length === 0) {
      report({
        ...at,
        message: `This migration-warden:${kw} comment names no rule, so it suppresses nothing.`,
        suggestion: `Name the rules it is about: -- migration-warden:${kw} <rule-id>[,<rule-id>] -- <reason>`,
      });
    } else if (d.scope === "statement" && d.target === null) {
      report({
        ...at,
        message:
          "This migration-warden:ignore comment is not followed by a statement, so it suppresses nothing.",
        suggestion:
          "Put the comment on the line(s) directly before the statement it is about, or use ignore-file.",
      });
    }
  },
};
