/** The `migration-warden/lint` check: the findings, as conclusion, summary and annotations. */
import { CONFIG_PATH } from "../../config/types.js";
import { countsText, plural, renderReportMarkdown } from "../../core/report/markdown.js";
import type { Report } from "../../core/types.js";
import type { Evaluation } from "../evaluate.js";
import { findingAnnotation } from "./annotations.js";
import { invalidConfigResult } from "./common.js";
import type { CheckDefinition, CheckResult, Conclusion } from "./types.js";

export const LINT_CHECK_NAME = "migration-warden/lint";

/** Contract: failure on any unsuppressed error, neutral on warnings/notices only, else success. */
export function lintConclusion(report: Report): Conclusion {
  // An analysis that could not see every file must not pass (fail closed).
  if (report.incomplete.length > 0 || report.summary.error > 0) return "failure";
  if (report.summary.warning + report.summary.notice > 0) return "neutral";
  return "success";
}

export function lintTitle(report: Report): string {
  const s = report.summary;
  if (report.incomplete.length > 0) return `Incomplete analysis: ${countsText(s)}`;
  if (s.error + s.warning + s.notice + s.suppressed > 0) return countsText(s);
  return `No problems in ${plural(report.changed.length, "changed migration file")}`;
}

export function renderLint(ev: Evaluation): CheckResult {
  switch (ev.kind) {
    case "invalid-config":
      return invalidConfigResult(ev);
    case "no-changes": {
      const dirs = ev.config.directories.map((d) => `\`${d.path || "."}\``).join(", ");
      return {
        conclusion: "success",
        title: "No migration changes",
        summary: `This pull request changes no file in the migration directories (${dirs}) configured in \`${CONFIG_PATH}\` on \`${ev.base.ref}\`.`,
      };
    }
    case "analyzed": {
      const report = ev.analysis.report;
      const { markdown } = renderReportMarkdown(report, {
        omittedHint: "Every finding is still annotated on its file.",
        footer: [`config from \`${ev.base.ref}\``],
      });
      return {
        conclusion: lintConclusion(report),
        title: lintTitle(report),
        summary: markdown,
        annotations: report.findings.map(findingAnnotation),
      };
    }
  }
}

export const lintCheck: CheckDefinition = {
  name: LINT_CHECK_NAME,
  pending: {
    title: "Checking migrations…",
    summary:
      "migration-warden is reading the configuration, the changed files and the migration directories.",
  },
  render: renderLint,
};
