/**
 * From evaluations to approval decisions: the open pull requests that share the evaluated head
 * commit, and each one's facts and decision under its own base branch's policy. The decision
 * itself is the core's (src/core/approval); nothing here judges an approval.
 */
import type { ApprovalPolicy } from "../../config/types.js";
import {
  approvalCandidates,
  approvalNeeded,
  decideApproval,
  failedDecision,
  MAX_RECORD_PULL_REQUESTS,
  reportFacts,
  type ApprovalDecision,
  type ApprovalFacts,
  type ButtonApproval,
  type ClickTarget,
  type PullRequestFacts,
  type ReportFacts,
} from "../../core/approval/index.js";
import type { CheckEnv } from "../checks/types.js";
import { EvaluationError } from "../errors.js";
import { evaluatePullRequest, type Evaluation } from "../evaluate.js";
import { fetchPullRequest } from "../pull-request.js";
import type { ApprovalReader } from "./reader.js";

/** One pull request of the group, decided. */
export interface Judged {
  ev: Evaluation;
  decision: ApprovalDecision;
  /** Its policy and facts, for judging a button click; null when it could not be evaluated. */
  target: ClickTarget | null;
}

/**
 * Every open pull request of this repository whose head is the evaluated one's, each evaluated
 * under its own base, the evaluated one first. Check runs belong to the commit, so the approval
 * run must satisfy all of them.
 */
export async function headGroup(env: CheckEnv, ev: Evaluation): Promise<Evaluation[]> {
  const { octokit } = env;
  const { pr } = ev;
  const repo = { owner: pr.owner, repo: pr.repo };
  const listed = await octokit.paginate(octokit.rest.repos.listPullRequestsAssociatedWithCommit, {
    ...repo,
    commit_sha: pr.headSha,
    per_page: 100,
  });
  // The endpoint lists every pull request containing the commit, also as an ancestor, and may
  // list pull requests of other repositories of the fork network.
  const others = [
    ...new Set(
      listed
        .filter(
          (p) =>
            p.state === "open" &&
            p.head.sha === pr.headSha &&
            p.base.repo.id === pr.baseRepoId &&
            p.number !== pr.number,
        )
        .map((p) => p.number),
    ),
  ].sort((a, b) => a - b);
  // Each costs a full evaluation, and the run's record names at most this many.
  if (others.length + 1 > MAX_RECORD_PULL_REQUESTS)
    throw new EvaluationError(
      `${others.length + 1} open pull requests have the head commit ${pr.headSha}; the approval check evaluates at most ${MAX_RECORD_PULL_REQUESTS} together. Close the extra pull requests or push a distinct commit to each.`,
    );

  const group = [ev];
  for (const number of others) {
    const other = await fetchPullRequest(octokit, { ...repo, number });
    // One that moved on is evaluated by its own event, on its own head.
    if (!other.open || other.headSha !== pr.headSha) continue;
    group.push(await evaluatePullRequest(octokit, other, env.tool, env.dynamic, ev.trees));
  }
  return group;
}

export function pullRequestFacts(ev: Evaluation): PullRequestFacts {
  return {
    number: ev.pr.number,
    author: ev.pr.author,
    headSha: ev.pr.headSha,
    baseRef: ev.pr.baseRef,
  };
}

const NOTHING_CHANGED: ReportFacts = {
  migrationsChanged: false,
  approvalRequired: false,
  errors: 0,
  warnings: 0,
  incomplete: [],
};

/**
 * One pull request's decision. Reviews, commits, recorded clicks and eligibility are read only
 * when the decision will look at them: a change that needs an approval and was fully analysed.
 * The head digest is read for those, and for every pull request of a group (`shared`): the run
 * records one digest for all of them, and a click is checked against it for each.
 * `clicker` (an "Approve migrations" click being judged) is looked up as a candidate too.
 */
export async function judge(
  reader: ApprovalReader,
  ev: Evaluation,
  opts: { shared: boolean; clicker: string | null },
): Promise<Judged> {
  const pr = pullRequestFacts(ev);
  if (ev.kind === "invalid-config") {
    const e = ev.error;
    const at = `${e.source} (commit ${ev.base.sha.slice(0, 7)})`;
    const errors = e.problems.map((p) => `Invalid configuration ${at}: ${p}`);
    return { ev, decision: failedDecision(pr, errors), target: null };
  }
  const policy = ev.config.approval;
  const report = ev.kind === "analyzed" ? reportFacts(ev.analysis.report) : NOTHING_CHANGED;
  const needed = approvalNeeded(policy, report) && report.incomplete.length === 0;
  let facts: ApprovalFacts = {
    pr,
    report,
    headDigest: null,
    reviews: [],
    buttonApprovals: [],
    eligibility: [],
    commits: [],
    errors: [],
  };
  if (needed) facts = await gatherFacts(reader, ev, policy, facts, opts.clicker);
  else if (opts.shared)
    facts.headDigest = (await reader.digest(ev.pr.headSha, ev.config.directories)).digest;
  return { ev, decision: decideApproval(policy, facts), target: { policy, facts } };
}

async function gatherFacts(
  reader: ApprovalReader,
  ev: Exclude<Evaluation, { kind: "invalid-config" }>,
  policy: ApprovalPolicy,
  base: ApprovalFacts,
  clicker: string | null,
): Promise<ApprovalFacts> {
  const { pr } = base;
  const dirs = ev.config.directories;
  const errors: string[] = [];
  const head = await reader.digest(ev.pr.headSha, dirs);
  if (head.problem)
    errors.push(`The migration digest of the head commit is unknown: ${head.problem}`);
  const reviews = await reader.reviews(ev.pr, dirs);
  const { commits, problem } = await reader.commits(ev.pr);
  if (problem) errors.push(problem);
  const buttonApprovals = await reader.buttonApprovals(commits.map((c) => c.sha));

  const asCandidate: ButtonApproval[] =
    clicker === null
      ? []
      : [{ approver: clicker, approvedAt: "", headSha: "", digest: "", pullRequests: [pr.number] }];
  const candidates = approvalCandidates(policy, {
    pr,
    reviews,
    buttonApprovals: [...buttonApprovals, ...asCandidate],
  });
  const eligibility = await reader.eligibility(policy, candidates);
  return {
    ...base,
    headDigest: head.digest,
    reviews,
    buttonApprovals,
    eligibility,
    commits,
    errors,
  };
}
