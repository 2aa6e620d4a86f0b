/** The pull request as it is now (events can arrive late or out of order). */
import type { GitHubClient, PullRequestTarget } from "./client.js";

export interface PullRequestInfo extends PullRequestTarget {
  open: boolean;
  headSha: string;
  baseRef: string;
  /** GitHub's count of changed files (pulls.listFiles stops at 3,000). */
  changedFiles: number;
  /** "owner/name" of the head repository; null when the fork was deleted. */
  headRepo: string | null;
}

export async function fetchPullRequest(
  octokit: GitHubClient,
  target: PullRequestTarget,
): Promise<PullRequestInfo> {
  const { data } = await octokit.rest.pulls.get({
    owner: target.owner,
    repo: target.repo,
    pull_number: target.number,
  });
  return {
    ...target,
    open: data.state === "open",
    headSha: data.head.sha,
    baseRef: data.base.ref,
    changedFiles: data.changed_files,
    headRepo: data.head.repo?.full_name ?? null,
  };
}
