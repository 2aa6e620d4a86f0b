/**
 * The `migration-warden/approval` check: one run per evaluation, on the head commit, deciding for
 * every open pull request with that head (the strictest wins), with the audit trail as summary.
 * With an "Approve migrations" click, the click is judged by the core first; an accepted click is
 * recorded in the new run's `external_id`, a rejected one records nothing and the new run's
 * summary says why.
 */
import {
  APPROVAL_CHECK_NAME,
  APPROVE_ACTION,
  approvalCheckBody,
  assessEnforcement,
  renderEnforcement,
  combineDecisions,
  decideApproval,
  escapeMarkdown,
  evaluateButtonClick,
  GIT_OID,
  type ButtonClick,
  type ClickOutcome,
} from "../../core/approval/index.js";
import { ownAppId } from "../client.js";
import type { CheckDefinition, CheckEnv, CheckResult } from "../checks/types.js";
import { rulesetRequirements } from "../enforcement.js";
import type { Evaluation } from "../evaluate.js";
import { headGroup, judge, type Judged } from "./head-group.js";
import { ApprovalReader } from "./reader.js";

/** Where the run's "Details" link goes: who may approve and how. */
export const APPROVAL_DOCS_URL =
  "https://github.com/migration-warden/migration-warden/blob/main/docs/approval.md#how-to-approve";

/** A click as the webhook reports it; the app's own id is added when it is judged. */
export type ClickInput = Omit<ButtonClick, "ownAppId">;

/**
 * One instance per webhook delivery: it remembers which pull requests its runs covered, so a
 * delivery naming several pull requests with one head writes one approval run for them.
 */
export class ApprovalCheck implements CheckDefinition {
  readonly name = APPROVAL_CHECK_NAME;
  readonly pending = {
    title: "Checking approvals…",
    summary:
      "migration-warden is reading the configuration, the migration changes, the reviews and the recorded approvals.",
  };
  readonly detailsUrl = APPROVAL_DOCS_URL;
  readonly #covered = new Set<number>();

  constructor(
    private readonly click: ClickInput | null = null,
    /** A base change the delivery reported (see JudgeOptions.baseChanged). */
    private readonly baseChanged?: { pr: number; at: string },
  ) {}

  covers(pullNumber: number): boolean {
    return this.#covered.has(pullNumber);
  }

  async render(ev: Evaluation, env: CheckEnv): Promise<CheckResult> {
    const reader = new ApprovalReader(
      env.octokit,
      { owner: ev.pr.owner, repo: ev.pr.repo },
      ev.trees,
      await ownAppId(env.octokit),
    );
    // An invalid configuration fails the check whatever the other pull requests say.
    const group = ev.kind === "invalid-config" ? [ev] : await headGroup(env, ev);
    for (const member of group) this.#covered.add(member.pr.number);

    const baseRefs = new Map(group.map((m) => [m.pr.number, m.pr.baseRef]));
    let judged: Judged[] = [];
    for (const member of group)
      judged.push(
        ...(await judge(reader, member, {
          shared: group.length > 1,
          clicker: this.click?.sender.login ?? null,
          baseRefs,
          ...(this.baseChanged ? { baseChanged: this.baseChanged } : {}),
        })),
      );

    let recorded: string | undefined;
    const notice: string[] = [];
    if (this.click) {
      const click: ButtonClick = { ...this.click, ownAppId: reader.ownAppId };
      const outcome = judgeClick(click, judged);
      env.log.info(
        { sender: click.sender.login, run: click.run.id, ...outcome },
        outcome.approval ? "approval click recorded" : "approval click not recorded",
      );
      if (outcome.approval) {
        const approval = outcome.approval;
        judged = judged.map((j) => {
          if (!j.target) return j;
          const facts = {
            ...j.target.facts,
            buttonApprovals: [...j.target.facts.buttonApprovals, approval],
          };
          const target = { policy: j.target.policy, facts };
          const decision = decideApproval(target.policy, facts);
          const { against } = j.decision;
          return {
            ...j,
            target,
            decision: against !== undefined ? { ...decision, against } : decision,
          };
        });
        recorded = outcome.externalId ?? undefined;
      }
      notice.push(...clickNotice(click, outcome));
    }

    const body = approvalCheckBody(combineDecisions(judged.map((j) => j.decision)), recorded);
    // Whether branch protection requires this gate: told, never decisive.
    const enforcement = renderEnforcement(
      await Promise.all(
        [...new Map(group.map((m) => [m.base.ref, m.base])).values()].map(async (base) =>
          assessEnforcement({
            branch: base.ref,
            ownAppId: reader.ownAppId,
            protection: base.protection ?? {
              readable: false,
              reason: "Branch protection was not read.",
            },
            rulesets: await rulesetRequirements(
              env.octokit,
              { owner: ev.pr.owner, repo: ev.pr.repo },
              base.ref,
            ),
          }),
        ),
      ),
    );
    return {
      conclusion: body.conclusion,
      title: body.output.title,
      summary: [...notice, ...enforcement.top, body.output.summary, ...enforcement.bottom].join(
        "\n",
      ),
      ...(body.actions ? { actions: body.actions } : {}),
      ...(body.external_id !== undefined ? { externalId: body.external_id } : {}),
      ...(this.click ? { alwaysWrite: true } : {}),
    };
  }
}

/** The core judges the click for the pull requests that could be evaluated. */
function judgeClick(click: ButtonClick, judged: readonly Judged[]): ClickOutcome {
  const unjudged = judged
    .filter((j) => !j.target)
    .map((j) => ({
      pr: j.ev.pr.number,
      reason: `#${j.ev.pr.number} could not be evaluated: ${j.decision.reasons.join(" ")}`,
    }));
  const targets = judged.flatMap((j) =>
    j.target
      ? [j.decision.against !== undefined ? { ...j.target, against: j.decision.against } : j.target]
      : [],
  );
  if (targets.length === 0)
    return { approval: null, externalId: null, accepted: [], rejected: unjudged };
  const outcome = evaluateButtonClick(click, targets);
  return { ...outcome, rejected: [...outcome.rejected, ...unjudged] };
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
