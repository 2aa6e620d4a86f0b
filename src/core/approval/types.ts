/**
 * Plain data for the DBA approval gate: the facts an adapter gathers from GitHub, and the decision
 * the core returns. Nothing here performs I/O.
 */
import type { ApprovalPolicy } from "../../config/types.js";

/** The check run that branch protection requires. */
export const APPROVAL_CHECK_NAME = "migration-warden/approval";

/** The lint check, the gate's other required check. */
export const LINT_CHECK_NAME = "migration-warden/lint";

/**
 * The check-run button. GitHub caps label at 20, description at 40 and identifier at 20
 * characters; some GHES versions answer 5xx instead of validating, so the values stay short.
 */
export const APPROVE_ACTION = {
  label: "Approve migrations",
  description: "Approve this migration content as a DBA",
  identifier: "approve",
} as const;

/** A GitHub user login (the same rule the config schema applies to `approval.users`). */
export const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

/** Any review or commit author GitHub reports: a user, or an app ("name[bot]"). */
export const GITHUB_ACTOR = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;

/** A git object id: SHA-1 (40 hex) or SHA-256 (64 hex) repositories. */
export const GIT_OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** A migration digest: SHA-256, lowercase hex. */
export const DIGEST = /^[0-9a-f]{64}$/;

/** GitHub logins are case-insensitive; compare them through this. */
export function loginKey(login: string): string {
  return login.toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Facts (gathered by the adapter)

export interface PullRequestFacts {
  number: number;
  /** Login of the user who opened the pull request. */
  author: string;
  /** Their account id (identity.ts compares people by it); absent or null: unknown. */
  authorId?: number | null;
  headSha: string;
  baseRef: string;
}

/** The parts of the lint Report the gate depends on (see `reportFacts`). */
export interface ReportFacts {
  migrationsChanged: boolean;
  approvalRequired: boolean;
  /** Unsuppressed findings. */
  errors: number;
  warnings: number;
  /**
   * Error and warning findings an ignore comment in the change suppressed: under `risky` they
   * still need a DBA, who approves the waiver (the author must not decide whether a DBA is asked).
   */
  waived?: number;
  /** Non-empty when the analysis could not see everything: the gate never passes then. */
  incomplete: readonly string[];
}

/**
 * One pull request review, as REST (`APPROVED`) or a webhook (`approved`) reports it. States are
 * normalised by the decision; an unknown state is an evaluation error, never ignored.
 */
export interface ReviewFacts {
  id: number;
  /** Null for a deleted account ("ghost"). */
  user: string | null;
  /** The reviewer's account id; absent or null: unknown. */
  userId?: number | null;
  state: string;
  /** The head the review was submitted on; null when GitHub lost the commit. */
  commitId: string | null;
  /** ISO 8601; null only for PENDING (unsubmitted) reviews. */
  submittedAt: string | null;
  /**
   * Migration digest at `commitId`, when the adapter computed it. A review on the current head
   * needs none: the head digest is used.
   */
  digest: string | null;
  /**
   * This app's approval runs on `commitId` (every one the adapter listed): what the check showed
   * there, under the settings of its time. Absent: not read (nothing is judged by it).
   */
  shown?: readonly ShownRun[];
  /**
   * True when GitHub may have dropped the oldest of those runs (it keeps the newest 1,000 of one
   * name in a check suite): what the reviewer was shown is then unknown.
   */
  shownCut?: boolean;
  /**
   * For a DISMISSED review, the state it had before the dismissal (the pull request's
   * `review_dismissed` events say); null or absent when unknown, which the decision reads as a
   * change request (the safe reading).
   */
  dismissedState?: string | null;
}

/**
 * One of this app's approval runs with a migration digest in its record: the content the check
 * showed as the migrations of its head commit when it was created.
 */
export interface ShownRun {
  checkRunId: number;
  /** The run's `started_at` (ISO 8601); null when GitHub did not say. */
  at: string | null;
  /** The digest recorded for the run's head commit. */
  digest: string;
  /** The pull requests the run decided for. */
  pullRequests: readonly number[];
}

/** An "Approve migrations" click the app recorded in one of its own check runs. */
export interface ButtonApproval {
  /** The clicker's login when they clicked (it may name another account since). */
  approver: string;
  /**
   * The clicker's account id (record version 3, and the click being judged); absent in a
   * version 2 record, which names only the login (identity.ts `clicker`).
   */
  approverId?: number | null;
  /** ISO 8601, seconds precision, UTC. */
  approvedAt: string;
  /** The head commit of the check run that was clicked. */
  headSha: string;
  /** Migration digest of that head, checked when the click was accepted. */
  digest: string;
  /**
   * `baseBinding` of the bases the covered pull requests had when the click was accepted; null
   * for a record of version 1, which never counts (it cannot show the base).
   */
  base: string | null;
  /** Pull requests that check run covered; the approval counts only for these. */
  pullRequests: readonly number[];
  /** The check run carrying the record, for the audit trail. */
  checkRunId?: number;
}

/** `GET /orgs/{org}/teams/{slug}/memberships/{user}`: `state`, or "none" for a 404. */
export type TeamMembership = "active" | "pending" | "none";

/**
 * What the adapter looked up about one candidate approver (see `approvalCandidates`). Listed users
 * need no entry.
 */
export interface EligibilityFacts {
  login: string;
  /** Team slug → membership, for the configured teams. */
  teams?: Readonly<Record<string, TeamMembership>>;
  /**
   * `role_name` from `GET /repos/{o}/{r}/collaborators/{user}/permission` (not the legacy
   * `permission` field, which reports maintain as write); null when the user has no access.
   * Needed only when no teams and no users are configured.
   */
  role?: string | null;
}

/** A `Co-authored-by: Name <email>` trailer of a commit. */
export interface CoAuthor {
  /** The account GitHub links the email to; null: linked to none. */
  login: string | null;
  /** That account's id; absent or null: unknown. */
  id?: number | null;
  name: string;
  email: string;
}

/** A commit of the pull request; null login = the email is not linked to a GitHub account. */
export interface CommitFacts {
  sha: string;
  author: string | null;
  committer: string | null;
  /** The account ids of the linked author and committer; absent or null: unknown. */
  authorId?: number | null;
  committerId?: number | null;
  /** Its co-authors (trailers); they are contributors like the author. */
  coAuthors?: readonly CoAuthor[];
}

export interface ApprovalFacts {
  pr: PullRequestFacts;
  report: ReportFacts;
  /** Migration digest of the head commit; null when it could not be computed. */
  headDigest: string | null;
  reviews: readonly ReviewFacts[];
  buttonApprovals: readonly ButtonApproval[];
  eligibility: readonly EligibilityFacts[];
  commits: readonly CommitFacts[];
  /**
   * When the pull request's base branch last changed (ISO 8601; its `base_ref_changed` events, or
   * the `pull_request.edited` delivery that reported it); null: never. Approvals given until then
   * were given against another base and do not count.
   */
  baseChangedAt: string | null;
  /**
   * The current base branch of every pull request the recorded clicks name (this one included):
   * a click counts only while those are the bases it was given against.
   */
  baseRefs: Readonly<Record<number, string>>;
  /** Anything that went wrong while gathering the facts (API errors, limits, invalid config). */
  errors: readonly string[];
  /**
   * Logins the adapter resolved to the account holding them now (loginKey → account id; null: no
   * account): listed users, and recorded clicks' logins no other fact ties to an account
   * (identity.ts `loginsToResolve`). Absent: nothing resolved (logins are judged as named).
   */
  accounts?: Readonly<Record<string, number | null>>;
}

// ---------------------------------------------------------------------------------------------
// Decision

export type ApprovalState = "approved" | "pending" | "blocked" | "error";
/** Never `neutral` or `skipped`: both pass branch protection. */
export type ApprovalConclusion = "success" | "action_required" | "failure";

export const CONCLUSION_OF: Record<ApprovalState, ApprovalConclusion> = {
  approved: "success",
  pending: "action_required",
  blocked: "failure",
  error: "failure",
};

export type ActionState = "approved" | "changes_requested" | "commented" | "dismissed";

/** One approval act (a review or a button click) the decision considered. */
export interface ApprovalAction {
  /** Null for a deleted account. */
  login: string | null;
  /** The account id, when known (people are compared by it). */
  id?: number | null;
  via: "review" | "button";
  state: ActionState;
  at: string | null;
  /** The review's commit, or the head of the clicked check run. */
  sha: string | null;
  digest: string | null;
  reviewId?: number;
  checkRunId?: number;
}

export type NotCountedCode =
  | "deleted-user"
  | "author"
  | "contributor"
  | "not-eligible"
  | "pending-membership"
  | "dismissed"
  | "superseded"
  | "not-approved"
  | "changes-requested"
  | "other-pull-request"
  | "null-commit"
  | "digest-unknown"
  | "stale-digest"
  | "settings-changed"
  | "base-changed"
  | "other-base"
  | "old-record"
  | "renamed";

export interface NotCountedReason {
  code: NotCountedCode;
  /** One sentence for the audit trail. */
  detail: string;
}

export interface NotCounted extends ApprovalAction {
  reasons: NotCountedReason[];
}

export interface CountedApproval extends ApprovalAction {
  login: string;
  /** Why this user may approve: "listed user", "active member of team dba", "repository role admin". */
  eligibleAs: string;
}

/** An eligible approver whose latest review requests changes. */
export interface Blocker {
  login: string;
  at: string;
  reviewId: number;
  sha: string | null;
}

export interface ApprovalDecision {
  state: ApprovalState;
  conclusion: ApprovalConclusion;
  /** Short, for the check run title. */
  title: string;
  /** Why, one sentence each, most important first. */
  reasons: string[];
  pr: PullRequestFacts;
  /** Null when no policy could be read (invalid configuration): see `failedDecision`. */
  policy: ApprovalPolicy | null;
  headDigest: string | null;
  /** Whether the policy asks for an approval of this change. */
  required: boolean;
  /** Distinct eligible approvers counted, in the order they approved. */
  approvers: string[];
  counted: CountedApproval[];
  notCounted: NotCounted[];
  blockers: Blocker[];
  /** Commits whose author, committer or a co-author is not linked to a GitHub account. */
  unknownContributors: string[];
  /** Known authors/committers of the PR's commits (excluded unless allowContributors). */
  contributors: string[];
  errors: string[];
  /**
   * Set on the decision for the default branch's view of a pull request into another branch:
   * the default branch's name (its policy applied to the migration content it lacks).
   */
  against?: string;
}

/** The decisions for every open pull request whose head is one commit. */
export interface CombinedDecision {
  state: ApprovalState;
  conclusion: ApprovalConclusion;
  title: string;
  decisions: ApprovalDecision[];
}
