/**
 * Merge queues: `merge_group.checks_requested` asks for the required checks on a group commit the
 * queue built (`gh-readonly-queue/<base>/pr-<N>-<sha>`). Both checks are reported on its head_sha.
 *
 * Which change is judged. The payload's `base_sha` is the group's parent commit, which for a group
 * queued behind others is the previous group's head, not a commit of the base branch; and when a
 * group's checks pass GitHub may merge the groups ahead of it with it. So the change judged is
 * everything the group head brings to the base branch: from the base branch's tip now (checked to
 * be an ancestor of the head; otherwise the queue is rebuilding and the run fails) to the head,
 * with the configuration read at that tip, never at a queue commit. When the group is first in the
 * queue, the tip is `base_sha` and this is exactly base_sha → head_sha.
 *
 * Which pull requests are in it. Nothing in the payload is trusted for that: `head_ref` names only
 * the last pull request and is a string. GitHub's GraphQL merge queue of the base branch
 * (`repository.mergeQueue(branch:).entries`) is read instead: the group of head_sha is the entry
 * whose `headCommit` is head_sha plus the entries ahead of it (lower `position`), which it was
 * built on. A head_sha no entry has (destroyed, dequeued, not a queue commit) fails closed, and so
 * does a `head_ref` naming another pull request than that entry's. Then every claim is checked
 * against the group's actual change, file by file and blob by blob (src/core/approval/group.ts).
 */
import type { Logger } from "probot";
import { ConfigError } from "../config/load.js";
import type { Config } from "../config/types.js";
import {
  APPROVAL_CHECK_NAME,
  LINT_CHECK_NAME,
  readApprovalRun,
  type ApprovalRunId,
} from "../core/approval/index.js";
import {
  decideMergeGroup,
  encodeGroupRunId,
  parseGroupRunId,
  type GroupChange,
  type GroupMember,
  type MemberApproval,
} from "../core/approval/group.js";
import { joinPath } from "../core/migrations/directory.js";
import { inlineCode } from "../core/report/markdown.js";
import type { DynamicChecksFactory } from "../changeset/source.js";
import { ApprovalReader, checkRunFacts } from "./approval/reader.js";
import { GitHubRevisions, treeDiff } from "./changeset.js";
import { errorResult as checkError, invalidConfigResult } from "./checks/common.js";
import { ownLint } from "./checks/lint.js";
import type { CheckResult, Conclusion } from "./checks/types.js";
import { writeCommitChecks, type CommitCheck } from "./checks/write-commit.js";
import { mapLimit, ownAppId, type GitHubClient, type RepoRef } from "./client.js";
import { loadBaseConfig } from "./config.js";
import { describeError, EvaluationError } from "./errors.js";
import { analyzeChange, type ChangeAnalysis, type Tool } from "./evaluate.js";
import { resolveBranch, TreeReader, type BaseRevision } from "./git.js";
import { Deadline } from "./deadline.js";
import { DEFAULT_EVALUATION_TIMEOUT_MS, DEFAULT_PENDING_AFTER_MS } from "./review.js";

/** The fields of `merge_group` the app reads. */
export interface MergeGroupPayload {
  head_sha: string;
  head_ref: string;
  base_sha: string;
  base_ref: string;
}

export interface MergeGroupEnv {
  octokit: GitHubClient;
  log: Logger;
  tool: Tool;
  dynamic?: DynamicChecksFactory;
  evaluationTimeoutMs?: number;
  /** See DEFAULT_PENDING_AFTER_MS. */
  pendingAfterMs?: number;
}

/** More entries than this in one queue are not read (fail closed). */
export const MAX_QUEUE_ENTRIES = 500;
const PER_PAGE = 100;
const CONCURRENCY = 8;

export const MERGE_QUEUE_QUERY = `query($owner: String!, $name: String!, $branch: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    mergeQueue(branch: $branch) {
      entries(first: 100, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          position
          state
          headCommit { oid }
          baseCommit { oid }
          pullRequest { number headRefOid baseRefName }
        }
      }
    }
  }
}`;

interface QueueEntry {
  position: number;
  state: string;
  headCommit: { oid: string } | null;
  baseCommit: { oid: string } | null;
  pullRequest: { number: number; headRefOid: string; baseRefName: string } | null;
}

interface QueueAnswer {
  repository: {
    mergeQueue: {
      entries: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: Array<QueueEntry | null> | null;
      };
    } | null;
  } | null;
}

const BRANCH_REF = /^refs\/heads\/(.+)$/;
/** `gh-readonly-queue/<base>/pr-<N>-<sha>`: the last pull request of the group, as GitHub names it. */
const QUEUE_REF = /^refs\/heads\/gh-readonly-queue\/(.+)\/pr-([1-9][0-9]{0,9})-[0-9a-f]{40,64}$/;

/**
 * Evaluates the group and writes both runs on its head: completed at once when the evaluation is
 * quick, in_progress first when it is slow (checks/write-commit.ts). Whatever fails, both end
 * completed (failure with the reason). Returns the conclusions written.
 */
export async function reviewMergeGroup(
  env: MergeGroupEnv,
  repo: RepoRef,
  group: MergeGroupPayload,
): Promise<Record<string, Conclusion>> {
  const log = env.log.child({ mergeGroup: group.head_sha });
  const branch = BRANCH_REF.exec(group.base_ref)?.[1] ?? null;
  const evaluate = async (): Promise<CheckResult[]> => {
    const deadline = new Deadline(env.evaluationTimeoutMs ?? DEFAULT_EVALUATION_TIMEOUT_MS);
    try {
      const results = await deadline.race(evaluateGroup(env, repo, group, branch));
      return GROUP_CHECKS.map((c) => results[c.name]!);
    } catch (err) {
      log.error({ err }, "merge group evaluation failed");
      return GROUP_CHECKS.map(() => errorResult(describeError(err)));
    }
  };
  const out = await writeCommitChecks(
    {
      octokit: env.octokit,
      repo,
      headSha: group.head_sha,
      externalId: (branch !== null ? encodeGroupRunId(branch) : null) ?? "",
      startedAt: Date.now(),
      pendingAfterMs: env.pendingAfterMs ?? DEFAULT_PENDING_AFTER_MS,
      log,
      failed: errorResult,
      isOwn: (id) => branch !== null && parseGroupRunId(id)?.baseRef === branch,
    },
    GROUP_CHECKS,
    evaluate,
  );
  log.info({ conclusions: out }, "merge group reviewed");
  return out;
}

const PENDING_SUMMARY =
  "migration-warden is reading the merge queue, the configuration and the change.";

export const MERGE_QUEUE_DOCS_URL =
  "https://github.com/migration-warden/migration-warden/blob/main/docs/approval.md#merge-queues";

/** The checks a merge group gets, in the order they are written. */
const GROUP_CHECKS: readonly CommitCheck[] = [
  {
    name: LINT_CHECK_NAME,
    pending: { title: "Checking the merge group's migrations…", summary: PENDING_SUMMARY },
  },
  {
    name: APPROVAL_CHECK_NAME,
    pending: {
      title: "Checking that the merge group's migrations were approved…",
      summary: PENDING_SUMMARY,
    },
    detailsUrl: MERGE_QUEUE_DOCS_URL,
  },
];

async function evaluateGroup(
  env: MergeGroupEnv,
  repo: RepoRef,
  group: MergeGroupPayload,
  branch: string | null,
): Promise<Record<string, CheckResult>> {
  const { octokit } = env;
  if (branch === null)
    throw new EvaluationError(`the merge group's base_ref "${group.base_ref}" is not a branch`);
  const trees = new TreeReader(octokit, repo);
  const base = await resolveBranch(octokit, repo, branch);
  let config: Config;
  try {
    config = await loadBaseConfig(octokit, repo, base, trees);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const invalid = invalidConfigResult({ base, error: err });
    return { [LINT_CHECK_NAME]: invalid, [APPROVAL_CHECK_NAME]: invalid };
  }
  await requireBuiltOnTip(octokit, repo, base, group.head_sha);

  const source = new GitHubRevisions(
    octokit,
    repo,
    trees,
    base,
    { ref: group.head_ref.replace(/^refs\/heads\//, ""), sha: group.head_sha },
    treeDiff(trees, base.sha, group.head_sha),
  );
  const change = await analyzeChange(source, config, base, trees, env.tool, env.dynamic);
  const lint = groupLint(change, config, base);
  let approval: CheckResult;
  try {
    approval = await groupApproval(octokit, repo, group, base, config, trees, change);
  } catch (err) {
    env.log.error({ err }, "merge group approval failed");
    approval = errorResult(describeError(err));
  }
  return { [LINT_CHECK_NAME]: lint, [APPROVAL_CHECK_NAME]: approval };
}

/**
 * The group head must descend from the base branch's tip now: otherwise the base moved under the
 * queue (which rebuilds its groups) and the change from the tip is not what the head would merge.
 */
async function requireBuiltOnTip(
  octokit: GitHubClient,
  repo: RepoRef,
  base: BaseRevision,
  head: string,
): Promise<void> {
  if (base.sha === head) return;
  const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
    ...repo,
    basehead: `${base.sha}...${head}`,
    per_page: 1,
  });
  if (data.merge_base_commit.sha !== base.sha)
    throw new EvaluationError(
      `the merge group ${head} is not built on the tip of ${base.ref} (${base.sha}); the queue rebuilds its groups when the base branch moves`,
    );
}

function groupLint(change: ChangeAnalysis, config: Config, base: BaseRevision): CheckResult {
  const what = "This merge group";
  return change.kind === "no-changes"
    ? ownLint({ kind: "no-changes", config, base }, what)
    : ownLint({ kind: "analyzed", analysis: change.analysis, base }, what);
}

/** The pull requests of the group, from the base branch's merge queue. */
async function queueGroup(
  octokit: GitHubClient,
  repo: RepoRef,
  group: MergeGroupPayload,
  branch: string,
): Promise<{ entries: QueueEntry[]; unresolved: string | null }> {
  const entries: QueueEntry[] = [];
  let after: string | null = null;
  for (;;) {
    const answer: QueueAnswer = await octokit.graphql<QueueAnswer>(MERGE_QUEUE_QUERY, {
      owner: repo.owner,
      name: repo.repo,
      branch,
      after,
    });
    const queue = answer.repository?.mergeQueue;
    if (!queue) return { entries: [], unresolved: `${branch} has no merge queue GitHub shows` };
    for (const e of queue.entries.nodes ?? []) if (e) entries.push(e);
    if (!queue.entries.pageInfo.hasNextPage) break;
    if (entries.length >= MAX_QUEUE_ENTRIES)
      return {
        entries: [],
        unresolved: `the merge queue of ${branch} has more than ${MAX_QUEUE_ENTRIES} entries`,
      };
    after = queue.entries.pageInfo.endCursor;
  }
  const own = entries.filter((e) => e.headCommit?.oid === group.head_sha);
  if (own.length === 0)
    return {
      entries: [],
      unresolved: `no entry of the merge queue of ${branch} has the head ${group.head_sha} (the group was destroyed or dequeued, or is not a merge queue commit)`,
    };
  const last = Math.max(...own.map((e) => e.position));
  const members = entries.filter((e) => e.position <= last).sort((a, b) => a.position - b.position);
  const named = QUEUE_REF.exec(group.head_ref);
  if (named && !own.some((e) => e.pullRequest?.number === Number(named[2])))
    return {
      entries: [],
      unresolved: `the event names pull request #${named[2]} (${group.head_ref}), but the merge queue's entry with head ${group.head_sha} is ${own.map((e) => (e.pullRequest ? `#${e.pullRequest.number}` : "no pull request")).join(", ")}`,
    };
  const broken = members.find((e) => !e.pullRequest || !e.headCommit);
  if (broken)
    return {
      entries: [],
      unresolved: `the merge queue entry at position ${broken.position} shows no pull request or head commit`,
    };
  return { entries: members, unresolved: null };
}

async function groupApproval(
  octokit: GitHubClient,
  repo: RepoRef,
  group: MergeGroupPayload,
  base: BaseRevision,
  config: Config,
  trees: TreeReader,
  change: ChangeAnalysis,
): Promise<CheckResult> {
  const reader = new ApprovalReader(octokit, repo, trees, await ownAppId(octokit));
  const { entries, unresolved } = await queueGroup(octokit, repo, group, base.ref);
  const { changes, incomplete } = groupChanges(change);
  const members = await mapLimit(entries, CONCURRENCY, (e) =>
    member(octokit, repo, reader, trees, config, e.pullRequest!, changes),
  );
  const inGroup = new Set(members.map((m) => m.number));
  const others = new Set<number>();
  for (const m of members)
    if (m.approval.found)
      for (const n of m.approval.record.pullRequests) if (!inGroup.has(n)) others.add(n);
  const otherBases = new Map<number, string>();
  for (const n of others) otherBases.set(n, await reader.pullRequestBase(n));
  // Recorded in the run (see encodeGroupRunId); a head whose digest cannot be read records none.
  const headDigest = (await reader.digest(group.head_sha, config.directories)).digest;
  const verdict = decideMergeGroup({
    baseRef: base.ref,
    headSha: group.head_sha,
    unresolved,
    members,
    otherBases,
    changes,
    incomplete,
  });
  const externalId = encodeGroupRunId(base.ref, headDigest);
  return {
    conclusion: verdict.conclusion,
    title: verdict.title,
    ...(externalId !== null ? { externalId } : {}),
    summary: [
      verdict.summary,
      "",
      `Base: ${inlineCode(base.ref)} at \`${base.sha.slice(0, 7)}\`${group.base_sha ? ` (the event's base_sha: \`${group.base_sha.slice(0, 7)}\`)` : ""}; configuration read there.`,
    ].join("\n"),
  };
}

/** The migration paths the group changes, with their blob at the head (null: deleted). */
function groupChanges(change: ChangeAnalysis): { changes: GroupChange[]; incomplete: string[] } {
  const incomplete = [...change.listed.incomplete];
  if (change.kind === "analyzed") incomplete.push(...change.analysis.report.incomplete);
  const out = new Map<string, string | null>();
  for (const c of change.listed.changes) {
    if (c.previousPath !== undefined) out.set(c.previousPath, null);
    if (c.status === "removed") out.set(c.path, null);
    else if (c.oid === undefined) incomplete.push(`${c.path}: GitHub gave no object id`);
    else out.set(c.path, c.oid);
  }
  return {
    changes: [...out]
      .map(([path, oid]) => ({ path, oid }))
      .sort((a, b) => (a.path < b.path ? -1 : 1)),
    incomplete: [...new Set(incomplete)],
  };
}

async function member(
  octokit: GitHubClient,
  repo: RepoRef,
  reader: ApprovalReader,
  trees: TreeReader,
  config: Config,
  pr: { number: number; headRefOid: string; baseRefName: string },
  changes: readonly GroupChange[],
): Promise<GroupMember> {
  const [approval, digest, headFiles] = await Promise.all([
    latestApproval(octokit, repo, reader.ownAppId, pr.number, pr.headRefOid),
    reader.digest(pr.headRefOid, config.directories),
    filesAt(trees, pr.headRefOid, changes),
  ]);
  return {
    number: pr.number,
    baseRef: pr.baseRefName,
    headSha: pr.headRefOid,
    approval,
    headDigest: digest.digest,
    ...(digest.problem !== null ? { digestProblem: digest.problem } : {}),
    headFiles,
  };
}

/**
 * This app's newest approval run on the pull request's head that was written for it: the one
 * GitHub shows on the pull request. Its record (src/core/approval/record.ts) carries the digest
 * and base binding it was decided for; runs of other apps and malformed records are never read.
 */
async function latestApproval(
  octokit: GitHubClient,
  repo: RepoRef,
  ownAppId: number,
  number: number,
  head: string,
): Promise<MemberApproval> {
  const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
    ...repo,
    ref: head,
    check_name: APPROVAL_CHECK_NAME,
    app_id: ownAppId,
    filter: "all",
    per_page: PER_PAGE,
  });
  let best: { id: number; conclusion: string | null; record: ApprovalRunId } | null = null;
  for (const run of runs) {
    if (run.head_sha !== head) continue;
    const read = readApprovalRun(checkRunFacts(run), ownAppId);
    if (!read.ok || !read.value.pullRequests.includes(number)) continue;
    if (!best || run.id > best.id)
      best = {
        id: run.id,
        conclusion: run.status === "completed" ? (run.conclusion ?? null) : null,
        record: read.value,
      };
  }
  if (!best)
    return {
      found: false,
      reason: `this app has no approval run for it on its head ${head.slice(0, 7)}`,
    };
  return { found: true, runId: best.id, conclusion: best.conclusion, record: best.record };
}

/** The entry at each changed path in a commit: its object id, or null when absent. */
async function filesAt(
  trees: TreeReader,
  sha: string,
  changes: readonly GroupChange[],
): Promise<Map<string, string | null>> {
  const root = await trees.commitTree(sha);
  const parents = [...new Set(changes.map((c) => parentOf(c.path)))];
  const listings = await Promise.all(
    parents.map((dir) => trees.listDirectory(root, dir, `commit ${sha}`)),
  );
  const at = new Map<string, string>();
  parents.forEach((dir, i) => {
    const l = listings[i]!;
    if (l.truncated) throw new EvaluationError(l.truncated);
    for (const e of l.entries ?? []) at.set(joinPath(dir, e.name), e.oid);
  });
  return new Map(changes.map((c) => [c.path, at.get(c.path) ?? null]));
}

function errorResult(reason: string): CheckResult {
  return { ...checkError(reason), title: "Could not check this merge group" };
}

function parentOf(path: string): string {
  return path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
}
