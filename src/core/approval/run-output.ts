/**
 * The approval run's output, rendered from its verdict (verdict.ts) and what branch protection
 * requires: what became of a click on top, whether the gate is enforced (told, never decisive),
 * and the audit trail (audit.ts). Pure; the result is a neutral check output that
 * src/github/checks/ turns into GitHub's request bodies.
 */
import type { CheckOutput } from "../report/check-output.js";
import { approvalCheckBody, escapeMarkdown } from "./audit.js";
import type { ButtonClick, ClickOutcome } from "./click.js";
import { assessEnforcement, renderEnforcement, type EnforcementFacts } from "./enforcement.js";
import { APPROVE_ACTION, GIT_OID } from "./types.js";
import type { RunVerdict } from "./verdict.js";

export function renderApprovalRun(
  verdict: RunVerdict,
  /** Branch protection and rulesets of each base branch the run decided for. */
  enforcement: readonly EnforcementFacts[],
): CheckOutput {
  const body = approvalCheckBody(verdict.combined, verdict.recorded);
  const told = renderEnforcement(enforcement.map(assessEnforcement));
  const notice = verdict.click ? clickNotice(verdict.click.click, verdict.click.outcome) : [];
  return {
    ...body,
    summary: [...notice, ...told.top, body.summary, ...told.bottom].join("\n"),
  };
}

/** What became of the click, at the top of the new run's summary. */
function clickNotice(click: ButtonClick, outcome: ClickOutcome): string[] {
  const who = `@${escapeMarkdown(click.sender.login)}`;
  const prs = (ns: readonly number[]) => ns.map((n) => `#${n}`).join(", ");
  const lines = [
    `> **${APPROVE_ACTION.label}** clicked by ${who} at ${escapeMarkdown(click.at)} on check run ${click.run.id} (commit ${GIT_OID.test(click.run.headSha) ? `\`${click.run.headSha.slice(0, 7)}\`` : "unknown"}):`,
  ];
  if (outcome.accepted.length > 0)
    lines.push(`> - **recorded** as an approval for ${prs(outcome.accepted)}`);
  for (const r of outcome.rejected)
    lines.push(
      `> - **not recorded**${r.pr !== null ? ` for #${r.pr}` : ""}: ${escapeMarkdown(r.reason)}`,
    );
  if (outcome.approval === null)
    lines.push(">", "> Nothing was recorded. The decision below is unchanged by the click.");
  lines.push("");
  return lines;
}
