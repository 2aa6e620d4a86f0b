/**
 * Whether a change needs a DBA approval at all: the one answer the analysis (Report.approvalRequired),
 * the decision and the adapter's gathering (which reads reviews, clicks and eligibility only when
 * the decision will look at them) all take from here. Pure.
 */
import type { ApprovalPolicy } from "../../config/types.js";
import type { Report } from "../types.js";
import type { ReportFacts } from "./types.js";

export function reportFacts(report: Report): ReportFacts {
  return {
    migrationsChanged: report.changed.length > 0,
    approvalRequired: report.approvalRequired,
    errors: report.summary.error,
    warnings: report.summary.warning,
    waived: waivedFindings(report.findings),
    incomplete: report.incomplete,
  };
}

/** Error and warning findings suppressed by an ignore comment (counted as risky under `risky`). */
export function waivedFindings(findings: Report["findings"]): number {
  return findings.filter((f) => f.suppressed && f.severity !== "notice").length;
}

/**
 * Whether the policy asks for an approval of a change to the migrations, given how many error and
 * warning findings it has — unsuppressed ones, and those an ignore comment waived (the DBA
 * approves the waiver).
 */
export function policyRequiresApproval(policy: ApprovalPolicy, riskyFindings: number): boolean {
  switch (policy.required) {
    case "always":
      return true;
    case "never":
      return false;
    case "risky":
      return riskyFindings > 0;
  }
}

/**
 * Whether a change needs an approval: migrations changed and the policy asks for one. The analysis
 * (Report.approvalRequired, where an incomplete analysis also requires one), the decision and the
 * adapter's gathering (approvalFactsNeeded) all ask this function.
 */
export function approvalNeeded(
  policy: ApprovalPolicy,
  report: Pick<ReportFacts, "migrationsChanged" | "errors" | "warnings" | "waived"> & {
    approvalRequired?: boolean;
  },
): boolean {
  // The report's own flag is honoured too: the most restrictive reading wins.
  return (
    report.migrationsChanged &&
    (report.approvalRequired === true ||
      policyRequiresApproval(policy, report.errors + report.warnings + (report.waived ?? 0)))
  );
}

/**
 * Whether the decision will read reviews, recorded clicks, commits and eligibility: only for a
 * change that needs an approval and was fully analysed (an incomplete analysis never passes, so
 * nothing it could read would change that).
 */
export function approvalFactsNeeded(policy: ApprovalPolicy, report: ReportFacts): boolean {
  return approvalNeeded(policy, report) && report.incomplete.length === 0;
}
