/**
 * Which pull requests a commit, a check run or a check suite is for: the reads the event router
 * (events.ts) and the approval's head group (approval/head-group.ts) need, so the router itself
 * only routes.
 */
import type { GitHubClient, RepoRef } from "./client.js";
import { pullNumbersOf } from "./checks/external-id.js";
import { CHECK_NAME_PREFIX } from "./checks/types.js";

/** A pull request as a webhook payload lists it (check_run.pull_requests, check_suite's). */
export interface PullRef {
  number: number;
  base: { repo: { id: number } };
}

/** What the runs of this app in a check suite say: the pull requests and groups they were for. */
export interface SuiteRuns {
  /** Their external ids (a merge group's names its base branch). */
  externalIds: Array<string | null>;
  /** The pull requests their external ids name. */
  pullNumbers: number[];
}

/** The runs of this app (by name) in a check suite. */
export async function ownSuiteRuns(
  octokit: GitHubClient,
  repo: RepoRef,
  suiteId: number,
): Promise<SuiteRuns> {
  const { data } = await octokit.rest.checks.listForSuite({
    ...repo,
    check_suite_id: suiteId,
    per_page: 100,
  });
  const own = data.check_runs.filter((r) => r.name.startsWith(CHECK_NAME_PREFIX));
  return {
    externalIds: own.map((r) => r.external_id),
    pullNumbers: own.flatMap((r) => pullNumbersOf(r.external_id) ?? []),
  };
}

/** The pull requests a run of ours was for: its external_id, else the payload or the commit. */
export async function runPullRequests(
  octokit: GitHubClient,
  repo: RepoRef,
  repoId: number,
  run: {
    external_id: string | null;
    head_sha: string;
    pull_requests: readonly PullRef[] | null;
  },
): Promise<number[]> {
  // check_run.pull_requests is empty for forks; our own external_id always names the PR.
  const own = pullNumbersOf(run.external_id);
  if (own !== null) return own;
  return commitPullRequests(octokit, repo, repoId, run.pull_requests, run.head_sha);
}

/**
 * Pull requests of this repository for a head sha: the payload's list when it has one (never for
 * forks), else GitHub's commit → pull requests lookup.
 */
export async function commitPullRequests(
  octokit: GitHubClient,
  repo: RepoRef,
  repoId: number,
  listed: readonly PullRef[] | null | undefined,
  sha: string,
): Promise<number[]> {
  const local = (listed ?? []).filter((p) => p.base.repo.id === repoId).map((p) => p.number);
  if (local.length > 0) return unique(local);
  const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
    ...repo,
    commit_sha: sha,
  });
  // The list can hold pull requests of other repositories of the fork network.
  return unique(
    data.filter((p) => p.state === "open" && p.base.repo.id === repoId).map((p) => p.number),
  );
}

/**
 * What GitHub's commit lookup says of a head: the other open pull requests of this repository on
 * it, and whether it listed the evaluated one. It lists only the merged pull request of a commit
 * already on the default branch, so a lookup without the evaluated (open) pull request cannot be
 * trusted to hold the others either (approval/head-group.ts).
 */
export interface HeadPulls {
  others: number[];
  listsSelf: boolean;
}

/**
 * The other open pull requests of this repository whose head is exactly `sha` (every page).
 * GitHub's endpoint lists every pull request containing the commit, also as an ancestor, and may
 * list pull requests of other repositories of the fork network: both are left out.
 */
export async function pullRequestsWithHead(
  octokit: GitHubClient,
  repo: RepoRef,
  repoId: number,
  sha: string,
  except: number,
): Promise<HeadPulls> {
  const listed = await octokit.paginate(octokit.rest.repos.listPullRequestsAssociatedWithCommit, {
    ...repo,
    commit_sha: sha,
    per_page: 100,
  });
  const open = listed.filter(
    (p) => p.state === "open" && p.head.sha === sha && p.base.repo.id === repoId,
  );
  return {
    others: unique(open.filter((p) => p.number !== except).map((p) => p.number)),
    listsSelf: open.some((p) => p.number === except),
  };
}

export function unique(ns: readonly number[]): number[] {
  return [...new Set(ns)].sort((a, b) => a - b);
}
