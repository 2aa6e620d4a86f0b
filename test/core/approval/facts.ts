/** Builders for approval facts: every case starts from a PR that changes migrations. */
import type { ApprovalPolicy } from "../../../src/config/types.js";
import { baseBinding } from "../../../src/core/approval/record.js";
import type {
  ApprovalFacts,
  ButtonApproval,
  EligibilityFacts,
  ReviewFacts,
} from "../../../src/core/approval/types.js";

export const HEAD = "a".repeat(40);
export const OLD = "b".repeat(40);
export const OTHER = "c".repeat(40);
/** Migration digests: D1 is the head's content, D2 an earlier version of the migrations. */
export const D1 = "1".repeat(64);
export const D2 = "2".repeat(64);

export function policy(over: Partial<ApprovalPolicy> = {}): ApprovalPolicy {
  return {
    required: "always",
    teams: ["dba"],
    users: [],
    count: 1,
    allowAuthor: false,
    allowContributors: false,
    ...over,
  };
}

/** Facts of PR #12 into main; `baseRefs` defaults to the PR's own base. */
export function facts(over: Partial<ApprovalFacts> = {}): ApprovalFacts {
  const pr = over.pr ?? { number: 12, author: "dev", headSha: HEAD, baseRef: "main" };
  return {
    pr,
    baseChangedAt: null,
    baseRefs: { [pr.number]: pr.baseRef },
    report: {
      migrationsChanged: true,
      approvalRequired: true,
      errors: 0,
      warnings: 0,
      incomplete: [],
    },
    headDigest: D1,
    reviews: [],
    buttonApprovals: [],
    eligibility: [],
    commits: [{ sha: OTHER, author: "dev", committer: "dev" }],
    errors: [],
    ...over,
  };
}

let nextId = 100;
/** A review; `minute` orders reviews in time (2024-05-01T10:MM:00Z). */
export function review(
  user: string | null,
  state: string,
  minute: number,
  over: Partial<ReviewFacts> = {},
): ReviewFacts {
  return {
    id: nextId++,
    user,
    state,
    commitId: HEAD,
    submittedAt: at(minute),
    digest: null,
    ...over,
  };
}

export function button(
  approver: string,
  minute: number,
  over: Partial<ButtonApproval> = {},
): ButtonApproval {
  return {
    approver,
    approvedAt: at(minute),
    headSha: HEAD,
    digest: D1,
    base: baseBinding([{ number: 12, baseRef: "main" }]),
    pullRequests: [12],
    checkRunId: 900 + minute,
    ...over,
  };
}

export function at(minute: number): string {
  return `2024-05-01T10:${String(minute).padStart(2, "0")}:00Z`;
}

/** Eligibility facts for a member of team dba (state: active, pending or none = 404). */
export function member(
  login: string,
  state: "active" | "pending" | "none" = "active",
): EligibilityFacts {
  return { login, teams: { dba: state } };
}
