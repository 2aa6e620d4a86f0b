/**
 * Which approvals cover a push: the passing `migration-warden/approval` runs of this app on the
 * heads of pull requests merged into the branch by the pushed commits, or on a pushed commit itself
 * (a merge queue's group head). A run counts only when its record binds it to this branch and to
 * the migration digest the commit has now; the caller then compares content file by file.
 */
import type { DirectoryConfig } from "../../config/types.js";
import { parseGroupRunId } from "../../core/approval/group.js";
import { APPROVAL_CHECK_NAME, baseBinding, readApprovalRun } from "../../core/approval/index.js";
import { checkRunFacts, type ApprovalReader } from "../approval/reader.js";
import type { GitHubClient, RepoRef } from "../client.js";
import { EvaluationError } from "../errors.js";

/** Which approval may cover a commit: a merged pull request's own record, or a group run. */
export type ApprovalSource = { kind: "pull-request"; number: number } | { kind: "group" };

export interface ApprovedHead {
  sha: string;
  pullRequests: number[];
  checkRunId: number;
}

/** A pull request GitHub associates with a pushed commit, trusted only as `trustedMerge` says. */
export interface MergedPullRequest {
  number: number;
  headSha: string;
  mergeCommitSha: string | null;
}

interface AssociatedPull {
  number: number;
  merged_at?: string | null;
  merge_commit_sha?: string | null;
  head: { sha: string };
  base: { ref: string; repo: { full_name: string } | null };
}

/**
 * Pure: a pull request the push merged into `branch`. GitHub lists open pull requests containing a
 * commit too, and pull requests of the fork network; a commit message naming "(#123)" proves
 * nothing. Trusted: merged, into this repository's `branch`, and its head or merge commit is one
 * of the pushed commits.
 */
export function trustedMerge(
  pr: AssociatedPull,
  repo: RepoRef,
  branch: string,
  pushed: ReadonlySet<string>,
): MergedPullRequest | null {
  if (!pr.merged_at) return null;
  if (pr.base.ref !== branch) return null;
  if (pr.base.repo?.full_name.toLowerCase() !== `${repo.owner}/${repo.repo}`.toLowerCase())
    return null;
  const merge = pr.merge_commit_sha ?? null;
  if (!pushed.has(pr.head.sha) && (merge === null || !pushed.has(merge))) return null;
  return { number: pr.number, headSha: pr.head.sha, mergeCommitSha: merge };
}

/** The exact shape test/support/fake-github.mjs answers. */
export const MERGED_PULLS_QUERY = `query MigrationWardenMergedPulls($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Commit { oid associatedPullRequests(first: 20) { totalCount nodes { number mergedAt headRefOid baseRefName mergeCommit { oid } baseRepository { nameWithOwner } } } }
  }
}`;

const BATCH = 100;

interface MergedPullsAnswer {
  nodes: Array<{
    oid?: string;
    associatedPullRequests?: {
      totalCount: number;
      nodes: Array<{
        number: number;
        mergedAt: string | null;
        headRefOid: string;
        baseRefName: string;
        mergeCommit: { oid: string } | null;
        baseRepository: { nameWithOwner: string } | null;
      }>;
    };
  } | null>;
}

/**
 * The merged pull requests of these pushed commits: GitHub's `associatedPullRequests` of each
 * commit (the merged pull request that introduced it), one GraphQL request per 100 commits.
 * Pull requests GitHub does not list cover nothing, which can only fail the audit.
 */
export async function mergedPullRequests(
  octokit: GitHubClient,
  repo: RepoRef,
  branch: string,
  commits: readonly { sha: string; nodeId: string }[],
  pushed: ReadonlySet<string>,
): Promise<MergedPullRequest[]> {
  const out = new Map<number, MergedPullRequest>();
  for (let i = 0; i < commits.length; i += BATCH) {
    const batch = commits.slice(i, i + BATCH);
    const answer = await octokit.graphql<MergedPullsAnswer>(MERGED_PULLS_QUERY, {
      ids: batch.map((c) => c.nodeId),
    });
    batch.forEach((c, j) => {
      const node = answer.nodes?.[j];
      if (!node || node.oid !== c.sha || !node.associatedPullRequests)
        throw new EvaluationError(`GitHub did not list the pull requests of commit ${c.sha}`);
      for (const p of node.associatedPullRequests.nodes) {
        const t = trustedMerge(
          {
            number: p.number,
            merged_at: p.mergedAt,
            merge_commit_sha: p.mergeCommit?.oid ?? null,
            head: { sha: p.headRefOid },
            base: {
              ref: p.baseRefName,
              repo: p.baseRepository ? { full_name: p.baseRepository.nameWithOwner } : null,
            },
          },
          repo,
          branch,
          pushed,
        );
        if (t) out.set(t.number, t);
      }
    });
  }
  return [...out.values()].sort((a, b) => a.number - b.number);
}

/**
 * The approval this app passed on `sha` for `branch`, or why there is none. The newest approval
 * run decides (a later change request or a lost approval fails it); its record must be bound to
 * pull requests all into `branch` and to the digest the commit has under `dirs`.
 */
export async function approvalAt(
  octokit: GitHubClient,
  repo: RepoRef,
  reader: ApprovalReader,
  sha: string,
  branch: string,
  dirs: readonly DirectoryConfig[],
  source: ApprovalSource,
): Promise<{ ok: true; head: ApprovedHead } | { ok: false; reason: string }> {
  const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
    ...repo,
    ref: sha,
    check_name: APPROVAL_CHECK_NAME,
    app_id: reader.ownAppId,
    filter: "all",
    per_page: 100,
  });
  const own = runs.filter((r) => r.name === APPROVAL_CHECK_NAME && r.app?.id === reader.ownAppId);
  const newest = own.reduce<(typeof own)[number] | null>(
    (a, r) => (a === null || r.id > a.id ? r : a),
    null,
  );
  if (newest === null) return { ok: false, reason: "no approval run" };
  if (newest.status !== "completed" || newest.conclusion !== "success")
    return { ok: false, reason: `the latest approval run ${newest.id} did not pass` };
  // A merge queue's group head (src/github/merge-group.ts): its approval run names the branch and
  // the digest it passed on, and passed only if every queued pull request's own approval did.
  const group = parseGroupRunId(newest.external_id);
  if ((group !== null) !== (source.kind === "group"))
    return {
      ok: false,
      reason:
        source.kind === "group"
          ? `${sha} is no merge queue group head (a pushed commit is covered only by a group run)`
          : `approval run ${newest.id} is not pull request #${source.number}'s`,
    };
  if (group) {
    if (group.baseRef !== branch)
      return {
        ok: false,
        reason: `group approval run ${newest.id} was for branch ${group.baseRef}`,
      };
    if (group.digest === null)
      return { ok: false, reason: `group approval run ${newest.id} records no digest` };
    const digest = await reader.digest(sha, dirs, "missing");
    if (digest.digest === null) return { ok: false, reason: digest.problem };
    if (digest.digest !== group.digest)
      return {
        ok: false,
        reason: `group approval run ${newest.id} approved other migration content`,
      };
    return { ok: true, head: { sha, pullRequests: [], checkRunId: newest.id } };
  }
  const read = readApprovalRun(checkRunFacts(newest), reader.ownAppId);
  if (!read.ok) return { ok: false, reason: read.reason };
  const rec = read.value;
  if (source.kind === "pull-request" && !rec.pullRequests.includes(source.number))
    return {
      ok: false,
      reason: `approval run ${newest.id} is not pull request #${source.number}'s`,
    };
  if (rec.digest === null || rec.base === null)
    return { ok: false, reason: `approval run ${newest.id} records no digest or base` };
  const bound = baseBinding(rec.pullRequests.map((number) => ({ number, baseRef: branch })));
  if (rec.base !== bound)
    return { ok: false, reason: `approval run ${newest.id} was given against another base` };
  const digest = await reader.digest(sha, dirs, "missing");
  if (digest.digest === null) return { ok: false, reason: digest.problem };
  if (digest.digest !== rec.digest)
    return { ok: false, reason: `approval run ${newest.id} approved other migration content` };
  return { ok: true, head: { sha, pullRequests: rec.pullRequests, checkRunId: newest.id } };
}
