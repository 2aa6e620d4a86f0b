/**
 * Input validation of the approval facts: facts an adapter should never produce are errors, not
 * guesses. Pure; the decision (decide.ts) runs it first.
 */
import type { ApprovalPolicy } from "../../config/types.js";
import { BASE_BINDING } from "./record.js";
import {
  DIGEST,
  GIT_OID,
  GITHUB_ACTOR,
  loginKey,
  type ActionState,
  type ApprovalFacts,
} from "./types.js";

const REVIEW_STATES: Record<string, ActionState | "pending"> = {
  APPROVED: "approved",
  CHANGES_REQUESTED: "changes_requested",
  COMMENTED: "commented",
  DISMISSED: "dismissed",
  PENDING: "pending",
};

export function normaliseState(state: string): ActionState | "pending" | undefined {
  return REVIEW_STATES[state.toUpperCase()];
}

const MEMBERSHIP_STATES: readonly string[] = ["active", "pending", "none"];

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

export function timeOf(s: string | null): number | null {
  if (s === null || !TIMESTAMP.test(s)) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}

export function validLogin(s: unknown): s is string {
  // Also keeps whitespace and markup out of the audit trail.
  return typeof s === "string" && GITHUB_ACTOR.test(s);
}

export function validateFacts(policy: ApprovalPolicy, facts: ApprovalFacts): string[] {
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
  // Account ids decide who is who: one that is not a positive integer is never guessed at.
  const ids: Array<[unknown, string]> = [
    [pr.authorId, "the pull request's author"],
    ...facts.reviews.map((r): [unknown, string] => [r.userId, `review ${r.id}`]),
    ...facts.buttonApprovals.map((b): [unknown, string] => [
      b.approverId,
      `button approval by "${b.approver}"`,
    ]),
    ...facts.commits.flatMap((c): Array<[unknown, string]> => [
      [c.authorId, `commit ${c.sha}`],
      [c.committerId, `commit ${c.sha}`],
      ...(c.coAuthors ?? []).map((a): [unknown, string] => [a.id, `commit ${c.sha}`]),
    ]),
    ...Object.entries(facts.accounts ?? {}).map(([l, id]): [unknown, string] => [id, `login ${l}`]),
  ];
  for (const [id, label] of ids)
    if (id !== undefined && id !== null && !(Number.isSafeInteger(id) && (id as number) >= 1))
      problems.push(`${label}: invalid account id ${String(id)}`);
  return problems;
}
