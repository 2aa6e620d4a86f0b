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
import type { Report } from "../types.js";
import { exclusions, hasKey, identify } from "./eligibility.js";
import { BASE_BINDING, baseBinding } from "./record.js";
import {
  CONCLUSION_OF,
  DIGEST,
  GIT_OID,
  GITHUB_ACTOR,
  loginKey,
  type ActionState,
  type ApprovalAction,
  type ApprovalDecision,
  type ApprovalFacts,
  type ApprovalState,
  type Blocker,
  type ButtonApproval,
  type CombinedDecision,
  type CountedApproval,
  type NotCounted,
  type NotCountedReason,
  type PullRequestFacts,
  type ReportFacts,
  type ReviewFacts,
} from "./types.js";

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

// ---------------------------------------------------------------------------------------------
// Input validation: facts an adapter should never produce are errors, not guesses.

const REVIEW_STATES: Record<string, ActionState | "pending"> = {
  APPROVED: "approved",
  CHANGES_REQUESTED: "changes_requested",
  COMMENTED: "commented",
  DISMISSED: "dismissed",
  PENDING: "pending",
};

function normaliseState(state: string): ActionState | "pending" | undefined {
  return REVIEW_STATES[state.toUpperCase()];
}

const MEMBERSHIP_STATES: readonly string[] = ["active", "pending", "none"];

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

function timeOf(s: string | null): number | null {
  if (s === null || !TIMESTAMP.test(s)) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}

function validLogin(s: unknown): s is string {
  // Also keeps whitespace and markup out of the audit trail.
  return typeof s === "string" && GITHUB_ACTOR.test(s);
}

function validateFacts(policy: ApprovalPolicy, facts: ApprovalFacts): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(policy.count) || policy.count < 1)
    problems.push(`approval.count must be a positive integer (got ${policy.count})`);
  const { pr } = facts;
  if (!Number.isInteger(pr.number) || pr.number < 1)
    problems.push(`invalid pull request number ${pr.number}`);
  if (!validLogin(pr.author)) problems.push(`invalid pull request author "${pr.author}"`);
  if (!GIT_OID.test(pr.headSha)) problems.push(`invalid head sha "${pr.headSha}"`);
  if (pr.baseRef === "") problems.push("empty base ref");
  if (facts.headDigest !== null && !DIGEST.test(facts.headDigest))
    problems.push(`invalid head digest "${facts.headDigest}"`);

  for (const r of facts.reviews) {
    const label = `review ${r.id}`;
    const state = normaliseState(r.state);
    if (state === undefined) problems.push(`${label}: unrecognised state "${r.state}"`);
    if (r.user !== null && !validLogin(r.user)) problems.push(`${label}: invalid user "${r.user}"`);
    if (r.commitId !== null && !GIT_OID.test(r.commitId))
      problems.push(`${label}: invalid commit id "${r.commitId}"`);
    if (state !== "pending" && timeOf(r.submittedAt) === null)
      problems.push(`${label}: invalid submitted time "${r.submittedAt}"`);
    if (r.digest !== null && !DIGEST.test(r.digest))
      problems.push(`${label}: invalid digest "${r.digest}"`);
  }
  for (const b of facts.buttonApprovals) {
    const label = `button approval by "${b.approver}"`;
    if (!validLogin(b.approver)) problems.push(`${label}: invalid login`);
    if (timeOf(b.approvedAt) === null) problems.push(`${label}: invalid time "${b.approvedAt}"`);
    if (!GIT_OID.test(b.headSha)) problems.push(`${label}: invalid head sha "${b.headSha}"`);
    if (!DIGEST.test(b.digest)) problems.push(`${label}: invalid digest "${b.digest}"`);
    if (b.base !== null && !BASE_BINDING.test(b.base))
      problems.push(`${label}: invalid base binding "${b.base}"`);
    if (b.pullRequests.length === 0) problems.push(`${label}: covers no pull request`);
  }
  if (facts.baseChangedAt !== null && timeOf(facts.baseChangedAt) === null)
    problems.push(`invalid base change time "${facts.baseChangedAt}"`);
  for (const [n, ref] of Object.entries(facts.baseRefs))
    if (typeof ref !== "string" || ref === "")
      problems.push(`pull request #${n}: invalid base branch "${String(ref)}"`);
  const seen = new Set<string>();
  for (const e of facts.eligibility) {
    if (!validLogin(e.login)) problems.push(`eligibility facts for invalid login "${e.login}"`);
    else if (seen.has(loginKey(e.login))) problems.push(`eligibility facts for ${e.login} twice`);
    seen.add(loginKey(e.login));
    for (const [team, state] of Object.entries(e.teams ?? {}))
      if (!MEMBERSHIP_STATES.includes(state))
        problems.push(`membership of ${e.login} in team ${team}: unrecognised state "${state}"`);
    if (e.role !== undefined && e.role !== null && typeof e.role !== "string")
      problems.push(`repository role of ${e.login}: expected a role name`);
  }
  for (const c of facts.commits) {
    if (!GIT_OID.test(c.sha)) problems.push(`invalid commit sha "${c.sha}"`);
    for (const who of [c.author, c.committer, ...(c.coAuthors ?? []).map((a) => a.login)])
      if (who !== null && !validLogin(who))
        problems.push(`commit ${c.sha}: invalid login "${who}"`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Assessment: every approval act with its verdict

interface ButtonVerdict {
  approval: ButtonApproval;
  counted: CountedApproval | null;
  notCounted: NotCounted | null;
}

interface Assessment {
  counted: CountedApproval[];
  notCounted: NotCounted[];
  blockers: Blocker[];
  buttons: ButtonVerdict[];
  /** Facts the policy needed but the adapter did not gather. */
  missing: string[];
}

function byTime<T>(items: readonly T[], at: (t: T) => string | null): T[] {
  // Stable: equal times keep the API's (chronological) order.
  return items
    .map((item, i) => ({ item, i, t: timeOf(at(item)) ?? 0 }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.item);
}

function contentReasons(action: ApprovalAction, headDigest: string): NotCountedReason[] {
  if (action.via === "review" && action.sha === null)
    return [
      {
        code: "null-commit",
        detail:
          "GitHub no longer knows the commit it was given on, so its content cannot be checked",
      },
    ];
  if (action.digest === null)
    return [
      {
        code: "digest-unknown",
        detail: `the migration content at ${short(action.sha)} could not be read`,
      },
    ];
  if (action.digest !== headDigest)
    return [
      {
        code: "stale-digest",
        detail: `given on different migration content (${short(action.digest)} at ${short(action.sha)}; now ${short(headDigest)})`,
      },
    ];
  return [];
}

export function short(s: string | null): string {
  return s === null ? "unknown" : s.slice(0, 7);
}

function assess(policy: ApprovalPolicy, facts: ApprovalFacts, headDigest: string): Assessment {
  const eligibility = new Map(facts.eligibility.map((e) => [loginKey(e.login), e]));
  const contributors = new Set(contributorLogins(facts).map(loginKey));
  const out: Assessment = { counted: [], notCounted: [], blockers: [], buttons: [], missing: [] };

  const judge = (action: ApprovalAction & { login: string }, extra: NotCountedReason[]) => {
    const id = identify(policy, eligibility, action.login);
    if (id.missing) out.missing.push(id.missing);
    const reasons = [
      ...id.reasons,
      ...exclusions(policy, facts, contributors, action.login),
      ...extra,
      ...contentReasons(action, headDigest),
    ];
    if (id.eligible && reasons.length === 0) {
      const counted = { ...action, eligibleAs: id.as };
      out.counted.push(counted);
      return { counted, notCounted: null };
    }
    // A missing fact is reported as an error, not as a reason the approval did not count.
    const notCounted = { ...action, reasons };
    if (reasons.length > 0) out.notCounted.push(notCounted);
    return { counted: null, notCounted };
  };

  const baseChanged = timeOf(facts.baseChangedAt);
  /** Approvals given until the base last changed were given against another base. */
  const beforeBaseChange = (when: string | null): NotCountedReason[] =>
    baseChanged !== null && (timeOf(when) ?? -Infinity) <= baseChanged
      ? [
          {
            code: "base-changed",
            detail: `given before the base branch changed (at ${facts.baseChangedAt}); an approval counts only for the base it was given against`,
          },
        ]
      : [];
  /** A recorded click counts while the pull requests it names keep the bases it recorded. */
  const boundToBase = (b: ButtonApproval): NotCountedReason[] => {
    if (b.base === null)
      return [
        {
          code: "old-record",
          detail:
            "recorded by an earlier version of migration-warden, without the base branch it was given against; click again",
        },
      ];
    const bases = b.pullRequests.map((number) => ({ number, baseRef: facts.baseRefs[number] }));
    const unknown = bases.filter((x) => x.baseRef === undefined).map((x) => `#${x.number}`);
    if (unknown.length > 0)
      return [
        {
          code: "other-base",
          detail: `the base branch of ${unknown.join(", ")} is unknown, so the click cannot be shown to be for the current base`,
        },
      ];
    return baseBinding(bases as { number: number; baseRef: string }[]) === b.base
      ? []
      : [
          {
            code: "other-base",
            detail:
              "given against another base branch (a pull request it covered was retargeted since)",
          },
        ];
  };
  const changeRequestTimes = latestChangeRequests(facts.reviews);

  const latestState = new Map<string, ActionState>();
  for (const [key, reviews] of reviewsByUser(facts.reviews)) {
    const actions = reviews.map((r) => reviewAction(r, facts));
    if (key === null) {
      for (const a of actions)
        if (a.state === "approved")
          out.notCounted.push({
            ...a,
            reasons: [{ code: "deleted-user", detail: "the account was deleted" }],
          });
      continue;
    }
    const latest = latestStateChanging(actions);
    if (latest) latestState.set(key, latest.state);
    else {
      out.notCounted.push({
        ...actions[actions.length - 1]!,
        reasons: [{ code: "not-approved", detail: "commented without approving" }],
      });
      continue;
    }
    for (const a of actions) {
      const login = a.login!;
      if (a.state === "dismissed") {
        out.notCounted.push({
          ...a,
          reasons: [{ code: "dismissed", detail: "the review was dismissed" }],
        });
      } else if (a !== latest) {
        if (a.state === "approved")
          out.notCounted.push({
            ...a,
            reasons: [
              {
                code: "superseded",
                detail: `superseded by a later review (${latest.state.replace("_", " ")} at ${latest.at})`,
              },
            ],
          });
      } else if (a.state === "approved") {
        judge({ ...a, login }, beforeBaseChange(a.at));
      } else if (a.state === "changes_requested") {
        const id = identify(policy, eligibility, login);
        if (id.missing) out.missing.push(id.missing);
        else if (id.eligible)
          out.blockers.push({ login, at: a.at!, reviewId: a.reviewId!, sha: a.sha });
        else out.notCounted.push({ ...a, reasons: id.reasons });
      }
    }
  }

  for (const b of byTime(facts.buttonApprovals, (x) => x.approvedAt)) {
    const action: ApprovalAction & { login: string } = {
      login: b.approver,
      via: "button",
      state: "approved",
      at: b.approvedAt,
      sha: b.headSha,
      digest: b.digest,
      ...(b.checkRunId !== undefined ? { checkRunId: b.checkRunId } : {}),
    };
    if (!b.pullRequests.includes(facts.pr.number)) {
      const notCounted: NotCounted = {
        ...action,
        reasons: [
          {
            code: "other-pull-request",
            detail: `recorded for pull request ${b.pullRequests.map((n) => `#${n}`).join(", ")}`,
          },
        ],
      };
      out.notCounted.push(notCounted);
      out.buttons.push({ approval: b, counted: null, notCounted });
      continue;
    }
    const extra: NotCountedReason[] = [...boundToBase(b), ...beforeBaseChange(b.approvedAt)];
    const key = loginKey(b.approver);
    const outranked = changeRequestTimes.get(key);
    if (latestState.get(key) === "changes_requested")
      extra.push({
        code: "changes-requested",
        detail: "their latest review requests changes; approving with a review withdraws it",
      });
    else if (outranked !== undefined && outranked.time >= (timeOf(b.approvedAt) ?? Infinity))
      extra.push({
        code: "changes-requested",
        detail: `they requested changes afterwards (review ${outranked.id} at ${outranked.at}${outranked.dismissed ? ", since dismissed" : ""}); only a newer approval from them counts`,
      });
    out.buttons.push({ approval: b, ...judge(action, extra) });
  }

  out.counted = byTime(out.counted, (a) => a.at);
  return out;
}

/**
 * Each user's latest change request, dismissed or not: it outranks their earlier clicks. A
 * dismissed review whose former state is unknown counts as one (GitHub dismisses only approvals
 * and change requests; reading it as a change request is the safe side).
 */
function latestChangeRequests(
  reviews: readonly ReviewFacts[],
): Map<string, { time: number; at: string; id: number; dismissed: boolean }> {
  const out = new Map<string, { time: number; at: string; id: number; dismissed: boolean }>();
  for (const r of reviews) {
    if (r.user === null || r.submittedAt === null) continue;
    const state = normaliseState(r.state);
    const dismissed = state === "dismissed";
    const former = dismissed ? normaliseState(r.dismissedState ?? "") : state;
    if (former !== "changes_requested" && !(dismissed && former === undefined)) continue;
    const time = timeOf(r.submittedAt);
    if (time === null) continue;
    const key = loginKey(r.user);
    const prev = out.get(key);
    if (!prev || time >= prev.time) out.set(key, { time, at: r.submittedAt, id: r.id, dismissed });
  }
  return out;
}

/** Submitted reviews per user (null: deleted account), each list in submission order. */
function reviewsByUser(reviews: readonly ReviewFacts[]): Map<string | null, ReviewFacts[]> {
  const out = new Map<string | null, ReviewFacts[]>();
  for (const r of byTime(reviews, (x) => x.submittedAt)) {
    if (normaliseState(r.state) === "pending") continue;
    const key = r.user === null ? null : loginKey(r.user);
    out.set(key, [...(out.get(key) ?? []), r]);
  }
  return out;
}

/** The review that sets a user's state: comments change nothing. */
function latestStateChanging<T extends { state: string }>(items: readonly T[]): T | undefined {
  return [...items].reverse().find((r) => normaliseState(r.state) !== "commented");
}

function reviewAction(r: ReviewFacts, facts: ApprovalFacts): ApprovalAction {
  const state = normaliseState(r.state) as ActionState;
  // A review on the current head needs no separate digest.
  const digest = r.digest ?? (r.commitId === facts.pr.headSha ? facts.headDigest : null);
  return {
    login: r.user,
    via: "review",
    state,
    at: r.submittedAt,
    sha: r.commitId,
    digest,
    reviewId: r.id,
  };
}

/** Logins without case-insensitive duplicates, first spelling and order kept. */
function distinct(logins: Iterable<string>): string[] {
  const seen = new Map<string, string>();
  for (const l of logins) if (!seen.has(loginKey(l))) seen.set(loginKey(l), l);
  return [...seen.values()];
}

/** Authors, committers and co-authors (Co-authored-by trailers) of the commits. */
function contributorLogins(facts: ApprovalFacts): string[] {
  return distinct(
    facts.commits
      .flatMap((c) => [c.author, c.committer, ...(c.coAuthors ?? []).map((a) => a.login)])
      .filter((w): w is string => w !== null),
  );
}

/**
 * The logins whose eligibility the decision needs (team memberships, or the repository role when
 * no teams and no users are configured): reviewers whose latest review approves or requests
 * changes, and button approvers for this pull request. Listed users need no lookup.
 */
export function approvalCandidates(
  policy: ApprovalPolicy,
  facts: Pick<ApprovalFacts, "pr" | "reviews" | "buttonApprovals">,
): string[] {
  const logins: string[] = [];
  for (const [key, reviews] of reviewsByUser(facts.reviews)) {
    const latest = latestStateChanging(reviews);
    if (key !== null && latest && normaliseState(latest.state) !== "dismissed")
      logins.push(latest.user!);
  }
  for (const b of facts.buttonApprovals)
    if (b.pullRequests.includes(facts.pr.number)) logins.push(b.approver);
  return distinct(logins).filter((l) => !hasKey(policy.users, loginKey(l)));
}

// ---------------------------------------------------------------------------------------------
// The decision

/**
 * Whether the policy asks for an approval of a change to the migrations, given how many error and
 * warning findings it has — unsuppressed ones, and those an ignore comment waived (the DBA
 * approves the waiver). Shared with the analysis (Report.approvalRequired).
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
 * Whether the decision asks for approvals of this change at all (it then reads reviews, button
 * approvals and eligibility); adapters gather those facts only when it does.
 */
export function approvalNeeded(policy: ApprovalPolicy, report: ReportFacts): boolean {
  // The report's own flag is honoured too: the most restrictive reading wins.
  return (
    report.migrationsChanged &&
    (report.approvalRequired ||
      policyRequiresApproval(policy, report.errors + report.warnings + (report.waived ?? 0)))
  );
}

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
