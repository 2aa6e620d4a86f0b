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
import { headGroup, weighedBy } from "../approval/head-group.js";
import { ownAppId } from "../client.js";
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

/**
 * What the lint run decides on: every open pull request of the repository whose head is the
 * evaluated commit (approval/head-group.ts), the evaluated one first, each evaluated under its own
 * base and configuration. Check runs belong to commits: branch protection on each of those bases
 * reads this run, so it passes only when the change passes into every one of them.
 */
export interface LintFacts {
  group: readonly Evaluation[];
  /** Every pull request the group read looked at (weighedBy); absent: only the group's. */
  weighed?: readonly number[];
}

export function renderLint(facts: LintFacts): CheckResult {
  const { group } = facts;
  const weighed = facts.weighed ?? group.map((e) => e.pr.number);
  return { ...renderGroup(group), weighed };
}

function renderGroup(group: readonly Evaluation[]): CheckResult {
  const [ev, ...others] = group;
  if (ev === undefined) throw new Error("lint: no evaluation");
  if (ev.kind === "invalid-config") return invalidConfigResult(ev);
  let result = ownLint(ev);
  // Each other pull request's own budget, so their sections together stay below GitHub's limit.
  const maxBytes = Math.max(4_000, Math.floor(24_000 / Math.max(1, others.length)));
  for (const other of others) {
    const where = `#${other.pr.number} into \`${escapeInline(other.pr.baseRef)}\``;
    result = beside(result, otherLint(other, maxBytes), {
      heading: `As proposed in ${where}`,
      intro: `Pull request ${where} has this same head commit. Check runs belong to commits, and branch protection on \`${escapeInline(other.pr.baseRef)}\` reads this one too, so the change is also checked as proposed there, with that branch's configuration:`,
      titlePrefix: `#${other.pr.number} into ${other.pr.baseRef}`,
    });
  }
  return withDefaultBranchView(result, ev);
}

/** Another pull request of the head, under its own base (as its own lint run would say). */
function otherLint(ev: Evaluation, maxBytes: number): CheckResult {
  if (ev.kind === "invalid-config")
    return {
      ...invalidConfigResult(ev),
      title: `Invalid configuration on ${ev.base.ref}`,
    };
  return ownLint(ev, `Pull request #${ev.pr.number}`, maxBytes);
}

/** What a lint result is rendered from: a pull request's evaluation, or a merge group's. */
export type LintSubject =
  | { kind: "no-changes"; config: Config; base: { ref: string } }
  | { kind: "analyzed"; analysis: Analysis; base: { ref: string } };

/**
 * A change's own lint result, against its base. `what`: the change, as the summary names it
 * ("This pull request", "This merge group").
 */
export function ownLint(
  ev: LintSubject,
  what = "This pull request",
  maxBytes?: number,
): CheckResult {
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
        ...(maxBytes !== undefined ? { maxBytes } : {}),
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
  return beside(own, other, {
    heading: `As proposed to ${d}`,
    intro,
    titlePrefix: `Against ${view.base.ref}`,
  });
}

/**
 * `own` with another view of the same commit beside it: the worse conclusion wins (the earlier
 * one on a tie), and the title names the view that gave it.
 */
function beside(
  own: CheckResult,
  other: CheckResult,
  how: { heading: string; intro: string; titlePrefix: string },
): CheckResult {
  const worse = RANK[other.conclusion] > RANK[own.conclusion];
  const seen = new Set((own.annotations ?? []).map((a) => JSON.stringify(a)));
  const annotations = [
    ...(own.annotations ?? []),
    ...(other.annotations ?? []).filter((a) => !seen.has(JSON.stringify(a))),
  ];
  return {
    conclusion: worse ? other.conclusion : own.conclusion,
    title: worse ? `${how.titlePrefix}: ${other.title}` : own.title,
    summary: [own.summary, "", `## ${how.heading}`, "", how.intro, "", other.summary].join("\n"),
    ...(annotations.length > 0 ? { annotations } : {}),
  };
}

export const lintCheck: CheckDefinition<LintFacts> = {
  name: LINT_CHECK_NAME,
  pending: {
    title: "Checking migrations…",
    summary:
      "migration-warden is reading the configuration, the changed files and the migration directories.",
  },
  // The head's other pull requests: the approval check gathers the same group (read once).
  gather: async (ev, env) => {
    if (ev.kind === "invalid-config") return { group: [ev] };
    const group = await headGroup(env, ev, await ownAppId(env.octokit));
    const weighed = weighedBy(group);
    return { group, ...(weighed ? { weighed } : {}) };
  },
  render: renderLint,
};
