/**
 * The DBA approval decision: policy + facts → approved / pending / blocked / error. Pure; the
 * GitHub adapter only gathers facts and writes the result.
 *
 * Review semantics follow GitHub's (docs/approval.md explains each choice):
 * - Only each user's latest APPROVED, CHANGES_REQUESTED or DISMISSED review sets their state.
 *   COMMENTED reviews change nothing (an approval followed by a comment stays an approval, and a
 *   change request followed by a comment still blocks), as on GitHub.
 * - A dismissed review is that user's latest state until they review again: their earlier
 *   reviews do not come back (policy-bot falls back to an earlier approval; a dismissal is meant
 *   to revoke, so falling back would undo it).
 * - A change request blocks when its author may approve by identity (listed, active team member,
 *   or admin/maintain in the fallback), whatever commit it was on, until they approve again or the
 *   review is dismissed. The author and contributor exclusions do not lift a block: blocking is
 *   the safe direction.
 * - A change request outranks every earlier approval of its author, by review or by click,
 *   dismissed or not: only a newer approval from them counts.
 * - Approvals bind to the base they were given against: those given until the base branch last
 *   changed do not count, and a recorded click counts only while the pull requests it names still
 *   have the bases it recorded.
 */
import type { ApprovalPolicy } from "../../config/types.js";
import {
  assess,
  contributorLogins,
  distinct,
  short,
  type Assessment,
  type ButtonVerdict,
} from "./assess.js";
import { approvalNeeded } from "./need.js";
import { validateFacts } from "./validate.js";
import {
  CONCLUSION_OF,
  type ApprovalDecision,
  type ApprovalFacts,
  type ApprovalState,
  type ButtonApproval,
  type CombinedDecision,
  type PullRequestFacts,
} from "./types.js";

function listLogins(logins: readonly string[], max = 3): string {
  const shown = logins.slice(0, max).map((l) => `@${l}`);
  const more = logins.length - shown.length;
  if (more > 0) return `${shown.join(", ")} and ${more} more`;
  return shown.length <= 1
    ? shown.join("")
    : `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}`;
}

export function decideApproval(policy: ApprovalPolicy, facts: ApprovalFacts): ApprovalDecision {
  return evaluate(policy, facts).decision;
}

function evaluate(
  policy: ApprovalPolicy,
  facts: ApprovalFacts,
): { decision: ApprovalDecision; assessment: Assessment | null } {
  let assessment: Assessment | null = null;
  const decision = (
    state: ApprovalState,
    title: string,
    reasons: string[],
    more: Partial<ApprovalDecision> = {},
  ) => ({
    decision: {
      ...emptyDecision(state, title, reasons, facts.pr, policy),
      headDigest: facts.headDigest,
      ...more,
    },
    assessment,
  });

  const invalid = validateFacts(policy, facts);
  if (invalid.length > 0) {
    const errors = [...facts.errors, ...invalid];
    return decision("error", "Approval could not be evaluated", errors, { errors });
  }

  const { report } = facts;
  const needed = approvalNeeded(policy, report);
  const contributors = contributorLogins(facts);
  const unknownContributors = facts.commits
    .filter(
      (c) =>
        c.author === null ||
        c.committer === null ||
        (c.coAuthors ?? []).some((a) => a.login === null),
    )
    .map((c) => c.sha);
  const headDigest = facts.headDigest;
  if (needed && headDigest !== null) assessment = assess(policy, facts, headDigest);
  const a = assessment ?? { counted: [], notCounted: [], blockers: [], missing: [] };
  const approvers = distinct(a.counted.map((c) => c.login));
  const errors = [...facts.errors, ...a.missing];
  const more: Partial<ApprovalDecision> = {
    required: needed,
    approvers,
    counted: a.counted,
    notCounted: a.notCounted,
    blockers: a.blockers,
    unknownContributors,
    contributors,
    errors,
  };

  // Fail closed: errors and blind spots come before everything that could pass.
  if (errors.length > 0) return decision("error", "Approval could not be evaluated", errors, more);
  if (report.incomplete.length > 0)
    return decision(
      "error",
      "Analysis incomplete: approval cannot pass",
      report.incomplete.map((r) => `The analysis is incomplete: ${r}`),
      { ...more, errors: [...report.incomplete] },
    );
  if (!report.migrationsChanged)
    return decision(
      "approved",
      "No migration changed",
      ["This pull request changes no file in the migration directories."],
      more,
    );
  if (!needed)
    return decision(
      "approved",
      "No approval required",
      [
        policy.required === "never"
          ? "The approval policy requires no approval (approval.required: never)."
          : "No error or warning finding remains, and none is suppressed by an ignore comment (approval.required: risky).",
      ],
      more,
    );
  if (headDigest === null) {
    const why = "The migration digest of the head commit is unknown.";
    return decision("error", "Approval could not be evaluated", [why], { ...more, errors: [why] });
  }

  const progress = `${Math.min(approvers.length, policy.count)} of ${policy.count}`;
  if (a.blockers.length > 0) {
    const who = [...new Set(a.blockers.map((b) => b.login))];
    return decision(
      "blocked",
      `Changes requested by ${listLogins(who)}`,
      who.map(
        (l) =>
          `@${l} requested changes; the check fails until @${l} approves or the review is dismissed.`,
      ),
      more,
    );
  }
  if (unknownContributors.length > 0 && !policy.allowContributors)
    return decision(
      "blocked",
      "Commit authors unknown: approvals cannot be verified",
      [
        `${unknownContributors.length === 1 ? "A commit has" : `${unknownContributors.length} commits have`} an author, committer or co-author (Co-authored-by) whose email is not linked to a GitHub account (${unknownContributors.map(short).join(", ")}), so no approver can be shown not to have written this change. Link the email to the account, rewrite the commits, or set approval.allowContributors.`,
      ],
      more,
    );
  if (approvers.length >= policy.count)
    return decision(
      "approved",
      `Approved by ${listLogins(approvers)}`,
      [`${progress} required approvals for the migration content at ${short(facts.pr.headSha)}.`],
      more,
    );
  return decision(
    "pending",
    `Waiting for DBA approval (${progress})`,
    [
      `${progress} required approvals from eligible approvers for the migration content at ${short(facts.pr.headSha)}.`,
      ...(a.notCounted.length > 0
        ? [
            `${a.notCounted.length} ${a.notCounted.length === 1 ? "review or click" : "reviews or clicks"} did not count (see below).`,
          ]
        : []),
    ],
    more,
  );
}

/**
 * The decision when there is no policy to apply (invalid configuration on the base branch) or the
 * facts could not be gathered at all: `failure` with the reasons, nothing approved.
 */
export function failedDecision(pr: PullRequestFacts, errors: readonly string[]): ApprovalDecision {
  const reasons = errors.length > 0 ? [...errors] : ["The approval could not be evaluated."];
  return {
    ...emptyDecision("error", "Approval could not be evaluated", reasons, pr, null),
    errors: reasons,
  };
}

function emptyDecision(
  state: ApprovalState,
  title: string,
  reasons: string[],
  pr: PullRequestFacts,
  policy: ApprovalPolicy | null,
): ApprovalDecision {
  return {
    state,
    conclusion: CONCLUSION_OF[state],
    title,
    reasons,
    pr,
    policy,
    headDigest: null,
    required: false,
    approvers: [],
    counted: [],
    notCounted: [],
    blockers: [],
    unknownContributors: [],
    contributors: [],
    errors: [],
  };
}

/** For the button: how one click would be judged for this pull request. */
export function assessButton(
  policy: ApprovalPolicy,
  facts: ApprovalFacts,
  click: ButtonApproval,
): { decision: ApprovalDecision; verdict: ButtonVerdict | null } {
  const { decision, assessment } = evaluate(policy, {
    ...facts,
    buttonApprovals: [...facts.buttonApprovals, click],
  });
  const verdict = assessment?.buttons.find((v) => v.approval === click) ?? null;
  return { decision, verdict };
}

const RANK: Record<ApprovalState, number> = { approved: 0, pending: 1, blocked: 2, error: 3 };

/**
 * One head commit can be the head of several open pull requests with different bases, and check
 * runs belong to the commit: the check passes only if every pull request's own policy does, so a
 * weaker base evaluated last can never win.
 */
export function combineDecisions(decisions: readonly ApprovalDecision[]): CombinedDecision {
  if (decisions.length === 0)
    return {
      state: "error",
      conclusion: "failure",
      title: "No open pull request has this head commit",
      decisions: [],
    };
  const sorted = [...decisions].sort((a, b) => a.pr.number - b.pr.number);
  const worst = sorted.reduce((w, d) => (RANK[d.state] > RANK[w.state] ? d : w));
  // A pull request into another branch is also decided as proposed to the default branch.
  const prs = new Set(sorted.map((d) => d.pr.number)).size;
  const label = (d: ApprovalDecision) =>
    d.against !== undefined ? `#${d.pr.number} as proposed to ${d.against}` : `#${d.pr.number}`;
  const title =
    sorted.length === 1
      ? worst.title
      : worst.state !== "approved"
        ? prs === 1 && worst.against === undefined
          ? worst.title
          : `${label(worst)}: ${worst.title}`
        : prs > 1
          ? `Approved for all ${prs} pull requests`
          : (sorted.find((d) => d.required) ?? worst).title;
  return { state: worst.state, conclusion: worst.conclusion, title, decisions: sorted };
}

export { approvalCandidates } from "./assess.js";
export { loginsToResolve } from "./identity.js";
export {
  approvalFactsNeeded,
  approvalNeeded,
  policyRequiresApproval,
  reportFacts,
  waivedFindings,
} from "./need.js";
