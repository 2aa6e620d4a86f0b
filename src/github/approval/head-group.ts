/**
 * The gather stage of the approval run: the open pull requests that share the evaluated head
 * commit, and each one's policy and facts under its own base branch (and as proposed to the
 * default branch). The decision is the core's (src/core/approval/verdict.ts); nothing here judges
 * an approval.
 */
import type { Config } from "../../config/types.js";
import {
  approvalCandidates,
  loginsToResolve,
  approvalFactsNeeded,
  MAX_RECORD_PULL_REQUESTS,
  reportFacts,
  type ApprovalFacts,
  type ButtonApproval,
  type CommitFacts,
  type PullRequestFacts,
  type ReportFacts,
  type RunMember,
} from "../../core/approval/index.js";
import type { CheckEnv } from "../checks/types.js";
import { mapLimit } from "../client.js";
import { EvaluationError } from "../errors.js";
import { evaluatePullRequest, type Evaluation } from "../evaluate.js";
import { pullRequestsWithHead, unique } from "../commit-pulls.js";
import { pullNumbersOf } from "../checks/external-id.js";
import { runsOfApp } from "../checks/written.js";
import { knownHeadPulls } from "../first-read/head-reads.js";
import { openPullsWithHead } from "../open-pulls.js";
import { fetchPullRequest } from "../pull-request.js";
import type { ApprovalReader } from "./reader.js";

/** The group of each evaluation, gathered once for both of its checks. */
const groups = new WeakMap<Evaluation, Promise<Evaluation[]>>();
/** Each group read: every pull request it looked at (see weighedBy). */
const weighed = new WeakMap<readonly Evaluation[], readonly number[]>();

/**
 * The pull requests a group read looked at: the evaluated one and every candidate it fetched,
 * including those it left out because they closed or moved on. Any other pull request of the
 * head was unknown to it (GitHub's listing omits it, and this app's runs named it only after the
 * read): the writer must not let a pass of this group hide that one's block (checks/write.ts).
 * Undefined for a group not read here.
 */
export function weighedBy(group: readonly Evaluation[]): readonly number[] | undefined {
  return weighed.get(group);
}

/**
 * Every open pull request of this repository whose head is the evaluated one's, each evaluated
 * under its own base, the evaluated one first. Check runs belong to the commit, so the lint and
 * approval runs must satisfy all of them. Read once per evaluation: lint (checks/lint.ts) and
 * approval gather the same group, so the second check costs no request, and both decide on the
 * same pull requests (a failure to read it fails both).
 */
export function headGroup(env: CheckEnv, ev: Evaluation, ownAppId: number): Promise<Evaluation[]> {
  let group = groups.get(ev);
  if (!group) groups.set(ev, (group = readHeadGroup(env, ev, ownAppId)));
  return group;
}

async function readHeadGroup(
  env: CheckEnv,
  ev: Evaluation,
  ownAppId: number,
): Promise<Evaluation[]> {
  const { octokit } = env;
  const { pr } = ev;
  const repo = { owner: pr.owner, repo: pr.repo };
  // The first query's answer when it was plain (first-read/head-pulls.ts), else by REST.
  const lookup =
    knownHeadPulls(pr) ??
    (await pullRequestsWithHead(octokit, repo, pr.baseRepoId, pr.headSha, pr.number));
  const associated = lookup.others;
  // GitHub's commit association misses some (a commit already on the default branch lists only
  // its merged pull request): the pull requests this app's runs on the head were written for
  // are candidates too, each checked below like the others.
  const named = (await namedByOwnRuns(env, ev, ownAppId)).filter(
    (n) => n !== pr.number && !associated.includes(n),
  );
  // A pull request whose event never reached the app is named by no run: when the association
  // may be one of a commit on the default branch, every open pull request is listed as well.
  const listed = associationTrusted(ev, lookup.listsSelf)
    ? []
    : await openPullsWithHead(octokit, repo, pr.headSha, pr.number);
  const others = unique([...associated, ...named, ...listed]);
  // Each costs a full evaluation, and the run's record names at most this many.
  const tooMany = (n: number) =>
    new EvaluationError(
      `${n} open pull requests have the head commit ${pr.headSha}; the approval check evaluates at most ${MAX_RECORD_PULL_REQUESTS} together. Close the extra pull requests or push a distinct commit to each.`,
    );
  if (associated.length + 1 > MAX_RECORD_PULL_REQUESTS) throw tooMany(associated.length + 1);

  const group = [ev];
  for (const number of others) {
    const other = await fetchPullRequest(octokit, { ...repo, number });
    // One that moved on is evaluated by its own event, on its own head.
    if (!other.open || other.headSha !== pr.headSha) continue;
    if (group.length + 1 > MAX_RECORD_PULL_REQUESTS) throw tooMany(group.length + 1);
    group.push(
      await evaluatePullRequest(
        octokit,
        other,
        env.tool,
        env.dynamic,
        ev.trees,
        ev.views,
        env.enforcement,
      ),
    );
  }
  weighed.set(group, [pr.number, ...others]);
  return group;
}

/**
 * Whether GitHub's commit association can be trusted to list every open pull request of the head:
 * it listed the evaluated pull request itself (so the head was not on the default branch when it
 * answered: there it lists only the merged pull request), and nothing this evaluation read says
 * the head is on the default branch now (the default branch's view, guard.ts, read after it:
 * its merge base is the head; or the default branch's tip is the head).
 */
function associationTrusted(ev: Evaluation, listsSelf: boolean): boolean {
  if (!listsSelf) return false;
  const { pr } = ev;
  if (ev.base.ref === pr.defaultBranch && ev.base.sha === pr.headSha) return false;
  const view = "view" in ev ? ev.view : null;
  return !(view && view.kind !== "invalid-config" && view.mergeBase === pr.headSha);
}

/**
 * The pull requests this app's runs on the head name (their external ids): from the first
 * query's listing of the head's runs when it has them, else listed by REST.
 */
async function namedByOwnRuns(env: CheckEnv, ev: Evaluation, ownAppId: number): Promise<number[]> {
  const { pr } = ev;
  const listed =
    pr.headRuns?.sha === pr.headSha
      ? pr.headRuns.runs
      : await runsOfApp(env.octokit, { owner: pr.owner, repo: pr.repo }, pr.headSha, ownAppId);
  return unique(
    listed.filter((r) => r.appId === ownAppId).flatMap((r) => pullNumbersOf(r.externalId) ?? []),
  );
}

export function pullRequestFacts(ev: Evaluation): PullRequestFacts {
  return {
    number: ev.pr.number,
    author: ev.pr.author,
    ...(ev.pr.authorId !== undefined ? { authorId: ev.pr.authorId } : {}),
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

export interface GatherOptions {
  /** The pull request is one of several with this head: the run records one digest for all. */
  shared: boolean;
  /**
   * An "Approve migrations" click being judged: its sender is looked up as a candidate too, and
   * the webhook's account id for their login is a live fact (identity.ts).
   */
  clicker: { login: string; id?: number } | null;
  /** Base branches already known (the group's pull requests), by number. */
  baseRefs: ReadonlyMap<number, string>;
  /**
   * A base change this delivery reported (`pull_request.edited` with `changes.base`), in case
   * GitHub's issue events do not list it yet.
   */
  baseChanged?: { pr: number; at: string };
}

/** What one decision is taken under: the pull request's own base, or the default branch's view. */
interface Scope {
  config: Config;
  report: ReportFacts;
  /** Whose commits exclude their authors (contributors): the pull request's own when null. */
  contributors: { commits: CommitFacts[]; problem: string | null } | null;
  /** The default branch, for the default branch's view. */
  against?: string;
}

/**
 * One pull request's members of the run: under its own base's policy and, when its head carries
 * migration content the default branch lacks, as if proposed to the default branch (guard.ts),
 * under that branch's policy and with the same approvals. Reviews, commits, recorded clicks and eligibility
 * are read only when a decision will look at them: a change that needs an approval and was fully
 * analysed. The head digest is read for those, and for every decision of a run with several
 * (`shared`): the run records one digest for all of them, and a click is checked against it.
 */
export async function gatherMembers(
  reader: ApprovalReader,
  ev: Evaluation,
  opts: GatherOptions,
): Promise<RunMember[]> {
  const pr = pullRequestFacts(ev);
  if (ev.kind === "invalid-config") {
    const e = ev.error;
    const at = `${e.source} (commit ${ev.base.sha.slice(0, 7)})`;
    const errors = e.problems.map((p) => `Invalid configuration ${at}: ${p}`);
    return [{ kind: "failed", pr, errors }];
  }
  const view = ev.view;
  const shared = opts.shared || (view !== null && view.kind !== "clean");
  const own = await gatherScope(
    reader,
    ev,
    {
      config: ev.config,
      report: ev.kind === "analyzed" ? reportFacts(ev.analysis.report) : NOTHING_CHANGED,
      contributors: null,
    },
    { ...opts, shared },
  );
  if (view === null || view.kind === "clean") return [own];
  if (view.kind === "invalid-config") {
    const e = view.error;
    const at = `${e.source} (commit ${view.base.sha.slice(0, 7)}), the default branch`;
    const errors = e.problems.map((p) => `Invalid configuration ${at}: ${p}`);
    return [own, { kind: "failed", pr, errors, against: view.base.ref }];
  }
  const guard = await gatherScope(
    reader,
    ev,
    {
      config: view.config,
      report: reportFacts(view.analysis.report),
      contributors: { commits: view.commits, problem: view.commitsProblem },
      against: view.base.ref,
    },
    { ...opts, shared },
  );
  return [own, guard];
}

async function gatherScope(
  reader: ApprovalReader,
  ev: Exclude<Evaluation, { kind: "invalid-config" }>,
  scope: Scope,
  opts: GatherOptions,
): Promise<RunMember> {
  const pr = pullRequestFacts(ev);
  const policy = scope.config.approval;
  const report = scope.report;
  const needed = approvalFactsNeeded(policy, report);
  let facts: ApprovalFacts = {
    pr,
    report,
    headDigest: null,
    reviews: [],
    buttonApprovals: [],
    eligibility: [],
    commits: [],
    baseChangedAt: null,
    // The group's bases: a click on the group's run names all of them.
    baseRefs: { ...Object.fromEntries(opts.baseRefs), [pr.number]: pr.baseRef },
    errors: [],
  };
  if (needed) facts = await gatherFacts(reader, ev, scope, facts, opts);
  else if (opts.shared)
    facts.headDigest = (await reader.digest(ev.pr.headSha, scope.config.directories)).digest;
  return {
    kind: "facts",
    policy,
    facts,
    ...(scope.against !== undefined ? { against: scope.against } : {}),
  };
}

async function gatherFacts(
  reader: ApprovalReader,
  ev: Exclude<Evaluation, { kind: "invalid-config" }>,
  scope: Scope,
  base: ApprovalFacts,
  opts: GatherOptions,
): Promise<ApprovalFacts> {
  const { pr } = base;
  const policy = scope.config.approval;
  const dirs = scope.config.directories;
  const errors: string[] = [];
  const head = await reader.digest(ev.pr.headSha, dirs);
  if (head.problem)
    errors.push(`The migration digest of the head commit is unknown: ${head.problem}`);
  const history = await reader.history(ev.pr);
  const listedReviews = (await reader.reviews(ev.pr, dirs)).map((r) =>
    history.dismissedStates.has(r.id)
      ? { ...r, dismissedState: history.dismissedStates.get(r.id)! }
      : r,
  );
  const own = await reader.commits(ev.pr);
  if (own.problem) errors.push(own.problem);
  // Clicks are recorded on the pull request's own commits.
  const buttonApprovals = await reader.buttonApprovals(own.commits.map((c) => c.sha));
  // What the check showed on each reviewed commit whose content is the head's (the others do
  // not count anyway): read with the clicks for the pull request's commits, listed for others.
  const reviews = await mapLimit(listedReviews, 4, async (r) =>
    String(r.state).toUpperCase() === "APPROVED" &&
    r.commitId !== null &&
    head.digest !== null &&
    (r.digest ?? (r.commitId === ev.pr.headSha ? head.digest : null)) === head.digest
      ? await reader.shownRuns(r.commitId).then(({ shown, cut }) => ({
          ...r,
          shown,
          ...(cut ? { shownCut: true } : {}),
        }))
      : r,
  );
  const contributors = scope.contributors ?? own;
  if (scope.contributors?.problem) errors.push(scope.contributors.problem);
  const baseRefs: Record<number, string> = { ...base.baseRefs };
  for (const n of new Set(buttonApprovals.flatMap((b) => b.pullRequests)))
    baseRefs[n] ??= opts.baseRefs.get(n) ?? (await reader.pullRequestBase(n));

  const clicker = opts.clicker;
  // Who holds which login now: the click's sender as the webhook names them, then GitHub's answer
  // for the listed users and for recorded clicks no other fact ties to their account (one
  // request, only when there are any).
  let accounts: Record<string, number | null> | undefined =
    clicker?.id !== undefined ? { [clicker.login.toLowerCase()]: clicker.id } : undefined;
  const resolve = loginsToResolve(policy, {
    pr,
    reviews,
    commits: contributors.commits,
    buttonApprovals,
    ...(accounts ? { accounts } : {}),
  });
  if (resolve.length > 0) accounts = { ...accounts, ...(await reader.accounts(resolve)) };
  const asCandidate: ButtonApproval[] =
    clicker === null
      ? []
      : [
          {
            approver: clicker.login,
            ...(clicker.id !== undefined ? { approverId: clicker.id } : {}),
            approvedAt: "",
            headSha: "",
            digest: "",
            base: null,
            pullRequests: [pr.number],
          },
        ];
  const candidates = approvalCandidates(policy, {
    pr,
    reviews,
    commits: contributors.commits,
    buttonApprovals: [...buttonApprovals, ...asCandidate],
    ...(accounts ? { accounts } : {}),
  });
  const eligibility = await reader.eligibility(policy, candidates);
  return {
    ...base,
    headDigest: head.digest,
    reviews,
    buttonApprovals,
    eligibility,
    commits: contributors.commits,
    baseChangedAt: latestTime(
      history.baseChangedAt,
      opts.baseChanged?.pr === pr.number ? opts.baseChanged.at : null,
    ),
    baseRefs,
    errors,
    ...(accounts ? { accounts } : {}),
  };
}

/** The later of two ISO times (either may be missing). */
function latestTime(a: string | null, b: string | null): string | null {
  if (a === null || b === null) return a ?? b;
  return Date.parse(b) > Date.parse(a) ? b : a;
}
