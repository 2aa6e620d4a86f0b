/**
 * An "Approve migrations" click (`check_run.requested_action`). GitHub shows the button to every
 * user with write access and does not check who clicks, so the click is judged here exactly like
 * an approval: same eligibility, same exclusions, same content binding. A click on a run that is
 * not for the pull request's current head, or whose recorded digest no longer matches, records
 * nothing and only explains why.
 */
import type { ApprovalPolicy } from "../../config/types.js";
import { short } from "./assess.js";
import { assessButton } from "./decide.js";
import {
  baseBinding,
  encodeApprovalRunId,
  readApprovalRun,
  recordTime,
  validRecordTime,
  type CheckRunFacts,
} from "./record.js";
import {
  APPROVE_ACTION,
  GITHUB_LOGIN,
  type ApprovalFacts,
  type ButtonApproval,
  type NotCountedReason,
} from "./types.js";
import { timeOf } from "./validate.js";

export interface ButtonClick {
  /** `requested_action.identifier`. */
  identifier: string;
  /**
   * `sender`: the user who clicked, with their account id (`sender.id`), which the record keeps:
   * the login may name another account later. Without an id the record names only the login
   * (version 2).
   */
  sender: { login: string; type: string; id?: number };
  /** The clicked run, from the payload's `check_run`. */
  run: CheckRunFacts;
  ownAppId: number;
  /** When the click arrived, in record form (see `recordTime`). */
  at: string;
  /**
   * When the clicked run was created (its `started_at`): the earliest the click can have been
   * made, since the button appears with the run, and the time the record carries (`at` is
   * when the click was handled). Null when GitHub did not say: the click is refused.
   */
  shownAt: string | null;
}

/** One open pull request whose head is the clicked run's commit, with its own policy and facts. */
export interface ClickTarget {
  policy: ApprovalPolicy;
  /** Must include the clicker's eligibility facts (see `approvalCandidates`). */
  facts: ApprovalFacts;
  /**
   * The default branch, when this target is the pull request as proposed to it (the policy and
   * facts of that view); the click approves it like the pull request's own.
   */
  against?: string;
}

export interface ClickOutcome {
  /** The approval to record; null when the click approves nothing. */
  approval: ButtonApproval | null;
  /** The `external_id` for the new approval run that records it. */
  externalId: string | null;
  /** Pull requests the click approves. */
  accepted: number[];
  /** Why the click did not approve (pr null: for none of them). */
  rejected: { pr: number | null; reason: string }[];
}

function clickReasons(reasons: readonly NotCountedReason[] | undefined): string {
  return reasons?.map((r) => r.detail).join("; ") ?? "the click could not be judged";
}

/**
 * The earliest moment the click can have been made, in record form: the clicked run's creation,
 * or the click's arrival when the clocks disagree; null when the run's time is unknown.
 */
function earliestClickTime(click: ButtonClick): string | null {
  if (click.shownAt === null) return null;
  const shown = timeOf(click.shownAt);
  if (shown === null) return null;
  const at = recordTime(new Date(shown));
  return at < click.at ? at : click.at;
}

function reject(reason: string): ClickOutcome {
  return { approval: null, externalId: null, accepted: [], rejected: [{ pr: null, reason }] };
}

export function evaluateButtonClick(
  click: ButtonClick,
  targets: readonly ClickTarget[],
): ClickOutcome {
  if (!validRecordTime(click.at)) return reject(`invalid click time "${click.at}"`);
  const earliest = earliestClickTime(click);
  if (earliest === null)
    return reject(
      "when this check run was created is unknown, so the click cannot be placed in time; use the latest check run",
    );
  if (targets.length === 0) return reject("no open pull request has this head commit");
  if (click.identifier !== APPROVE_ACTION.identifier)
    return reject(`unknown action "${click.identifier}"`);
  const run = readApprovalRun(click.run, click.ownAppId);
  if (!run.ok) return reject(`ignored: ${run.reason}`);
  if (click.sender.type !== "User" || !GITHUB_LOGIN.test(click.sender.login))
    return reject(`${click.sender.login} is not a user account`);
  const senderId = click.sender.id;
  if (senderId !== undefined && !(Number.isSafeInteger(senderId) && senderId >= 1))
    return reject(`${click.sender.login} has no valid account id`);
  const { digest, pullRequests, base } = run.value;
  if (digest === null)
    return reject(
      "this check run has no migration digest (its evaluation failed); re-run the check",
    );
  if (base === null)
    return reject(
      "this check run was written by an earlier version of migration-warden, without the base branch it was evaluated against; use the latest check run",
    );
  // The run showed each pull request's change against its base at the time: a base changed
  // since (retargeting) means the clicker saw another change than the one now proposed.
  const byNumber = new Map(targets.map((t) => [t.facts.pr.number, t.facts.pr]));
  const gone = pullRequests.filter((n) => !byNumber.has(n));
  if (gone.length > 0)
    return reject(
      `this check run also covered ${gone.map((n) => `#${n}`).join(", ")}, no longer open with this head commit; use the latest check run`,
    );
  if (baseBinding(pullRequests.map((n) => byNumber.get(n)!)) !== base)
    return reject(
      "the base branch of a pull request this check run covered changed since it was created; use the latest check run",
    );

  const outcome: ClickOutcome = { approval: null, externalId: null, accepted: [], rejected: [] };
  const rejected: { pr: number; reason: string; scope: string }[] = [];
  let scope = "";
  const no = (pr: number, reason: string) => rejected.push({ pr, reason, scope });
  // First the click's context: only pull requests this run showed, at their current head and
  // content, are in the record. Policy is judged next, and again by every later decision.
  const inContext = targets.filter(({ facts, against }) => {
    const n = facts.pr.number;
    scope = against ?? "";
    if (!pullRequests.includes(n))
      no(n, `this check run does not cover pull request #${n}; use its latest check run`);
    else if (facts.pr.headSha !== click.run.headSha)
      no(
        n,
        `this check run is for commit ${short(click.run.headSha)}, but the head of #${n} is now ${short(facts.pr.headSha)}; use the latest check run`,
      );
    else if (facts.headDigest !== digest)
      no(
        n,
        "the migration files changed since this check run was created; use the latest check run",
      );
    else return true;
    return false;
  });

  // A pull request appears once per view (its own base, the default branch's): one record each.
  const covered = new Map(inContext.map((t) => [t.facts.pr.number, t.facts.pr]));
  // Placed when the run appeared, the earliest the click can have been made: its delivery may
  // be handled long after the click (a queue retry, a backlog, a redelivery), and what the
  // approver did meanwhile (a change request, since dismissed) or what happened to the base
  // (away and back) must not be read as coming before it. Earlier is the safe side of both
  // rules. The record carries the same time, so that every later decision, for each pull
  // request it names (also one that refused it now), judges the click as this one did.
  const approval: ButtonApproval = {
    approver: click.sender.login,
    ...(senderId !== undefined ? { approverId: senderId } : {}),
    approvedAt: earliest,
    headSha: click.run.headSha,
    digest,
    base: baseBinding([...covered.values()]),
    pullRequests: [...covered.keys()].sort((a, b) => a - b),
  };
  const accepted = new Set<number>();
  for (const { policy, facts, against } of inContext) {
    const n = facts.pr.number;
    scope = against ?? "";
    const { decision, verdict } = assessButton(policy, facts, approval);
    if (decision.state === "error") no(n, `cannot be evaluated: ${decision.errors.join("; ")}`);
    else if (!decision.required) {
      if (against === undefined) no(n, `#${n} needs no approval: ${decision.reasons.join(" ")}`);
    } else if (verdict?.counted) accepted.add(n);
    else {
      // Say so when only the placement refused it (it would count as made when handled).
      const placed =
        earliest < click.at &&
        assessButton(policy, facts, { ...approval, approvedAt: click.at }).verdict?.counted;
      no(
        n,
        `${clickReasons(verdict?.notCounted?.reasons)}${placed ? " (a click counts from when its check run was created, since its delivery may be handled late; use the latest check run)" : ""}`,
      );
    }
  }
  outcome.accepted = [...accepted].sort((a, b) => a - b);
  // "Needs no approval" under one view says nothing when another view took the click.
  const said = new Set<string>();
  outcome.rejected = rejected
    .filter((r) => !(accepted.has(r.pr) && r.reason.startsWith(`#${r.pr} needs no approval`)))
    .filter((r) => !said.has(`${r.pr}\0${r.reason}`) && said.add(`${r.pr}\0${r.reason}`))
    .map((r) => ({
      pr: r.pr,
      reason: r.scope === "" ? r.reason : `as proposed to ${r.scope}: ${r.reason}`,
    }));

  if (outcome.accepted.length > 0) {
    try {
      outcome.externalId = encodeApprovalRunId({
        pullRequests: [...approval.pullRequests],
        digest,
        base: approval.base,
        approval: {
          approver: approval.approver,
          approvedAt: approval.approvedAt,
          ...(senderId !== undefined ? { approverId: senderId } : {}),
        },
      });
      outcome.approval = approval;
    } catch (err) {
      // Too long to record (many pull requests, a long login): nothing is recorded, and says so.
      return reject(
        `the approval cannot be recorded (${(err as Error).message}); approve with a review`,
      );
    }
  }
  return outcome;
}
