/**
 * The assessment: every approval act (review or recorded click) with its verdict — counted, not
 * counted and why, or blocking — under the policy. Pure; the decision (decide.ts) words the result.
 */
import type { ApprovalPolicy } from "../../config/types.js";
import { exclusions, identify, isApp } from "./eligibility.js";
import {
  accountIndex,
  clicker,
  listedUser,
  pinErrors,
  type AccountIndex,
  type Person,
} from "./identity.js";
import { baseBinding, MAX_KEPT_RUNS } from "./record.js";
import {
  loginKey,
  type ActionState,
  type ApprovalAction,
  type ApprovalFacts,
  type Blocker,
  type ButtonApproval,
  type CountedApproval,
  type NotCounted,
  type NotCountedReason,
  type ReviewFacts,
} from "./types.js";
import { normaliseState, timeOf } from "./validate.js";

export interface ButtonVerdict {
  approval: ButtonApproval;
  counted: CountedApproval | null;
  notCounted: NotCounted | null;
}

export interface Assessment {
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

export function assess(
  policy: ApprovalPolicy,
  facts: ApprovalFacts,
  headDigest: string,
): Assessment {
  const eligibility = new Map(facts.eligibility.map((e) => [loginKey(e.login), e]));
  const contributors = contributorPeople(facts);
  const out: Assessment = { counted: [], notCounted: [], blockers: [], buttons: [], missing: [] };
  // Facts naming one login for two accounts (or one account by two logins): fail closed.
  const index = accountIndex(facts);
  out.missing.push(...index.conflicts, ...pinErrors(policy, facts.accounts));
  const account = (id: number | null | undefined) => ({ id, accounts: facts.accounts });

  const judge = (action: ApprovalAction & { login: string }, extra: NotCountedReason[]) => {
    const id = identify(policy, eligibility, action.login, account(action.id));
    if (id.missing) out.missing.push(id.missing);
    const reasons = [
      ...id.reasons,
      ...exclusions(policy, facts, contributors, { login: action.login, id: action.id ?? null }),
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
  const reviewById = new Map(facts.reviews.map((r) => [r.id, r]));
  /**
   * A review carries no record of what it approved: its commit's digest is computed again under
   * the base's settings now. The app's approval runs on that commit say what the check showed:
   * from the one the reviewer saw (the latest created before the review) on, each must
   * carry that digest. One that does not shows the migration directories changed since (a
   * directory added or moved), so the review approved other migration content than it would
   * cover now: a file that became a migration afterwards was never shown to the reviewer.
   */
  const settingsChanged = (a: ApprovalAction): NotCountedReason[] => {
    const review = a.reviewId !== undefined ? reviewById.get(a.reviewId) : undefined;
    const shown = review?.shown;
    if (!shown || a.digest === null) return [];
    // Re-running the check a thousand times would push the runs that showed other content out.
    if (review.shownCut)
      return [
        {
          code: "settings-changed",
          detail: `what the check showed at ${short(a.sha)} cannot all be read (GitHub keeps the newest ${MAX_KEPT_RUNS} runs of a check on a commit), so the migration content the review was given on is unknown; approve a new commit`,
        },
      ];
    const submitted = timeOf(a.at) ?? Infinity;
    const runs = shown
      .filter((s) => s.pullRequests.includes(facts.pr.number))
      .map((s) => ({ s, t: timeOf(s.at) }));
    // The run shown is the newest (GitHub numbers runs in creation order) created before the
    // review; a run in the same second, or that cannot be placed in time, is read as created
    // after it (the safe side).
    const before = runs.filter((x) => x.t !== null && x.t < submitted);
    const seen = Math.max(-Infinity, ...before.map((x) => x.s.checkRunId));
    const other = runs.find(
      (x) => (x.s.checkRunId >= seen || !before.includes(x)) && x.s.digest !== a.digest,
    );
    return other
      ? [
          {
            code: "settings-changed",
            detail: `given before the migration directories changed: check run ${other.s.checkRunId} showed other migration content at ${short(a.sha)} (${short(other.s.digest)}; now ${short(a.digest)}); approve again`,
          },
        ]
      : [];
  };

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
        judge({ ...a, login }, [...beforeBaseChange(a.at), ...settingsChanged(a)]);
      } else if (a.state === "changes_requested") {
        const id = identify(policy, eligibility, login, account(a.id));
        if (id.missing) out.missing.push(id.missing);
        else if (id.eligible)
          out.blockers.push({ login, at: a.at!, reviewId: a.reviewId!, sha: a.sha });
        else out.notCounted.push({ ...a, reasons: id.reasons });
      }
    }
  }

  for (const b of byTime(facts.buttonApprovals, (x) => x.approvedAt)) {
    // Who clicked, named as now (a record's login is the one its account had then).
    const who = clicker(b, index, facts.accounts);
    const action: ApprovalAction & { login: string } = {
      login: who.ok ? who.login : b.approver,
      ...(who.ok ? (who.id !== null ? { id: who.id } : {}) : { id: b.approverId ?? null }),
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
    if (!who.ok) {
      const notCounted: NotCounted = { ...action, reasons: [who.reason] };
      out.notCounted.push(notCounted);
      out.buttons.push({ approval: b, counted: null, notCounted });
      continue;
    }
    const extra: NotCountedReason[] = [...boundToBase(b), ...beforeBaseChange(b.approvedAt)];
    const key = loginKey(who.login);
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
    ...(typeof r.userId === "number" ? { id: r.userId } : {}),
    via: "review",
    state,
    at: r.submittedAt,
    sha: r.commitId,
    digest,
    reviewId: r.id,
  };
}

/** Logins without case-insensitive duplicates, first spelling and order kept. */
export function distinct(logins: Iterable<string>): string[] {
  const seen = new Map<string, string>();
  for (const l of logins) if (!seen.has(loginKey(l))) seen.set(loginKey(l), l);
  return [...seen.values()];
}

/** Authors, committers and co-authors of the commits, with their account ids when known. */
function contributorPeople(facts: ApprovalFacts): Person[] {
  return facts.commits.flatMap((c) =>
    [
      { login: c.author, id: c.authorId },
      { login: c.committer, id: c.committerId },
      ...(c.coAuthors ?? []).map((a) => ({ login: a.login, id: a.id })),
    ].flatMap((p): Person[] => (p.login === null ? [] : [{ login: p.login, id: p.id ?? null }])),
  );
}

/** Authors, committers and co-authors (Co-authored-by trailers) of the commits. */
export function contributorLogins(facts: ApprovalFacts): string[] {
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
  facts: Pick<ApprovalFacts, "pr" | "reviews" | "buttonApprovals"> &
    Partial<Pick<ApprovalFacts, "commits" | "accounts">>,
): string[] {
  const people: Person[] = [];
  for (const [key, reviews] of reviewsByUser(facts.reviews)) {
    const latest = latestStateChanging(reviews);
    if (key !== null && latest && normaliseState(latest.state) !== "dismissed")
      people.push({ login: latest.user!, id: latest.userId ?? null });
  }
  const index: AccountIndex = accountIndex({ ...facts, commits: facts.commits ?? [] });
  // Clickers by their login now: memberships and roles are looked up by login.
  for (const b of facts.buttonApprovals)
    if (b.pullRequests.includes(facts.pr.number)) {
      const who = clicker(b, index, facts.accounts);
      if (who.ok) people.push({ login: who.login, id: who.id });
    }
  // Apps are refused before any fact (identify): nothing to look up for them.
  const listed = new Set(
    people.filter((p) => listedUser(policy, facts.accounts, p)).map((p) => loginKey(p.login)),
  );
  return distinct(people.map((p) => p.login)).filter((l) => !listed.has(loginKey(l)) && !isApp(l));
}
