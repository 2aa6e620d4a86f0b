/** The `migration-warden/lint` check: the findings, as conclusion, summary and annotations. */
import { CONFIG_PATH } from "../../config/types.js";
import {
  countsText,
  escapeInline,
  plural,
  renderReportMarkdown,
} from "../../core/report/markdown.js";
import type { Config } from "../../config/types.js";
import type { Analysis } from "../../core/analyze.js";
import type { Report } from "../../core/types.js";
import type { Evaluation } from "../evaluate.js";
import { findingAnnotation } from "./annotations.js";
import { invalidConfigResult } from "./common.js";
import type { CheckDefinition, CheckResult, Conclusion } from "./types.js";

import { LINT_CHECK_NAME } from "../../core/approval/types.js";

export { LINT_CHECK_NAME };

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
  if (ev.kind === "invalid-config") return invalidConfigResult(ev);
  return withDefaultBranchView(ownLint(ev), ev);
}

/** What a lint result is rendered from: a pull request's evaluation, or a merge group's. */
export type LintSubject =
  | { kind: "no-changes"; config: Config; base: { ref: string } }
  | { kind: "analyzed"; analysis: Analysis; base: { ref: string } };

/**
 * A change's own lint result, against its base. `what`: the change, as the summary names it
 * ("This pull request", "This merge group").
 */
export function ownLint(ev: LintSubject, what = "This pull request"): CheckResult {
  switch (ev.kind) {
    case "no-changes": {
      const dirs = ev.config.directories.map((d) => `\`${d.path || "."}\``).join(", ");
      return {
        conclusion: "success",
        title: "No migration changes",
        summary: `${what} changes no file in the migration directories (${dirs}) configured in \`${CONFIG_PATH}\` on \`${ev.base.ref}\`.`,
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

const RANK: Record<Conclusion, number> = { success: 0, neutral: 1, action_required: 2, failure: 3 };

/**
 * The own result, and the default branch's view of the head when the head carries migration
 * content the default branch lacks (guard.ts): the run belongs to the commit, which branch
 * protection on the default branch also reads, so the worse of the two is the result.
 */
function withDefaultBranchView(
  own: CheckResult,
  ev: Exclude<Evaluation, { kind: "invalid-config" }>,
): CheckResult {
  const view = ev.view;
  if (view === null || view.kind === "clean") return own;
  const d = `\`${escapeInline(view.base.ref)}\``;
  const intro = `This commit carries migration content that ${d}, the default branch, does not have. Check runs belong to commits, and branch protection on ${d} reads this one too, so the change is also checked as if proposed to ${d}, with ${d}'s configuration:`;
  let other: CheckResult;
  if (view.kind === "invalid-config") {
    other = {
      ...invalidConfigResult({ base: view.base, error: view.error }),
      title: `Invalid configuration on ${view.base.ref}`,
    };
  } else {
    const report = view.analysis.report;
    const { markdown } = renderReportMarkdown(report, {
      maxBytes: 30_000,
      omittedHint: "Every finding is still annotated on its file.",
      footer: [
        `config from \`${escapeInline(view.base.ref)}\``,
        `merge base \`${view.mergeBase.slice(0, 7)}\``,
      ],
    });
    other = {
      conclusion: lintConclusion(report),
      title: lintTitle(report),
      summary: markdown,
      annotations: report.findings.map(findingAnnotation),
    };
  }
  const worse = RANK[other.conclusion] > RANK[own.conclusion];
  const seen = new Set((own.annotations ?? []).map((a) => JSON.stringify(a)));
  const annotations = [
    ...(own.annotations ?? []),
    ...(other.annotations ?? []).filter((a) => !seen.has(JSON.stringify(a))),
  ];
  return {
    conclusion: worse ? other.conclusion : own.conclusion,
    title: worse ? `Against ${view.base.ref}: ${other.title}` : own.title,
    summary: [own.summary, "", `## As proposed to ${d}`, "", intro, "", other.summary].join("\n"),
    ...(annotations.length > 0 ? { annotations } : {}),
  };
}

export const lintCheck: CheckDefinition<Evaluation> = {
  name: LINT_CHECK_NAME,
  pending: {
    title: "Checking migrations…",
    summary:
      "migration-warden is reading the configuration, the changed files and the migration directories.",
  },
  // The evaluation is every fact lint decides on.
  gather: (ev) => ev,
  render: renderLint,
};
