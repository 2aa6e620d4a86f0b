import type { Directive } from "../../suppress.js";
import { ruleMeta, type ReportFn } from "../types.js";

/** Reported for ignore comments naming ids no rule has (typos silently suppress nothing otherwise). */
export const ignoreUnknownRule = {
  meta: ruleMeta({
    id: "ignore-unknown-rule",
    defaultSeverity: "warning",
    dialects: "all",
    category: "style",
    description:
      "A migration-warden:ignore comment names a rule id that does not exist, so it suppresses nothing for it.",
    saferAlternative: "Copy the rule id from the finding or from docs/rules/.",
    suppressible: false,
  }),
  check(d: Directive, report: ReportFn): void {
    if (d.unknownIds.length === 0) return;
    const kw = d.scope === "file" ? "ignore-file" : "ignore";
    const one = d.unknownIds.length === 1;
    report({
      startLine: d.line,
      endLine: d.endLine,
      message: `migration-warden:${kw} names ${d.unknownIds.map((x) => `"${x}"`).join(", ")}, which ${one ? "is not a rule id" : "are not rule ids"}: nothing is suppressed for ${one ? "it" : "them"}.`,
      suggestion: "Use the rule id shown in the finding (see docs/rules/).",
    });
  },
};
