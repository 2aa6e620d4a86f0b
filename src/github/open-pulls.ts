/**
 * The repository's open pull requests whose head is a given commit, by listing every open pull
 * request (GraphQL `repository.pullRequests(states: OPEN)`, pages of 100). The approval's head
 * group (approval/head-group.ts) reads it only when GitHub's commit association cannot be trusted
 * to name the open ones: for a commit already on the default branch GitHub lists only the merged
 * pull request that introduced it.
 */
import type { GitHubClient, RepoRef } from "./client.js";
import { unique } from "./commit-pulls.js";
import { EvaluationError } from "./errors.js";

/** Pages of 100 read at most; a repository with more open pull requests fails the read. */
export const MAX_OPEN_PULL_PAGES = 10;
const PER_PAGE = 100;

export const OPEN_PULLS_QUERY = `query MigrationWardenOpenPulls($owner: String!, $name: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequests(states: OPEN, first: ${PER_PAGE}, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { number headRefOid }
    }
  }
}`;

interface Answer {
  repository: {
    pullRequests: {
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      nodes: Array<{ number: number; headRefOid: string } | null> | null;
    } | null;
  } | null;
}

/**
 * The open pull requests of `repo` (a fork's into it included: its runs are on this repository)
 * whose head is exactly `sha`, other than `except`. Throws an EvaluationError saying why when
 * the listing fails, is malformed or is longer than the bound: the caller then decides nothing.
 */
export async function openPullsWithHead(
  octokit: GitHubClient,
  repo: RepoRef,
  sha: string,
  except: number,
): Promise<number[]> {
  const found: number[] = [];
  let after: string | null = null;
  for (let page = 1; ; page++) {
    let answer: Answer;
    try {
      answer = await octokit.graphql<Answer>(OPEN_PULLS_QUERY, {
        owner: repo.owner,
        name: repo.repo,
        after,
      });
    } catch (err) {
      throw new EvaluationError(
        `the open pull requests of ${repo.owner}/${repo.repo} could not be listed (${err instanceof Error ? err.message : String(err)}); they are read because GitHub does not list the open pull requests of a commit on the default branch, such as ${sha}`,
      );
    }
    const listing = answer.repository?.pullRequests;
    if (
      !listing ||
      !Array.isArray(listing.nodes) ||
      typeof listing.pageInfo?.hasNextPage !== "boolean"
    )
      throw new EvaluationError(
        `GitHub answered no listing of the open pull requests of ${repo.owner}/${repo.repo}; they are read because GitHub does not list the open pull requests of a commit on the default branch, such as ${sha}`,
      );
    for (const p of listing.nodes) {
      if (!p || !Number.isSafeInteger(p.number) || typeof p.headRefOid !== "string")
        throw new EvaluationError(
          `GitHub listed an open pull request of ${repo.owner}/${repo.repo} without its number or head`,
        );
      if (p.headRefOid === sha && p.number !== except) found.push(p.number);
    }
    if (!listing.pageInfo.hasNextPage) break;
    if (page >= MAX_OPEN_PULL_PAGES || !listing.pageInfo.endCursor)
      throw new EvaluationError(
        `${repo.owner}/${repo.repo} has more than ${MAX_OPEN_PULL_PAGES * PER_PAGE} open pull requests: the ones with the head commit ${sha} (on the default branch, where GitHub's commit lookup lists no open pull request) cannot all be found. Push a commit that is not on the default branch, or close pull requests.`,
      );
    after = listing.pageInfo.endCursor;
  }
  return unique(found);
}
