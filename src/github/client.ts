/** The GitHub client the adapter uses: Probot's installation-authenticated Octokit. */
import type { ProbotOctokit } from "probot";

export type GitHubClient = ProbotOctokit;

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface PullRequestTarget extends RepoRef {
  number: number;
}

export function describeTarget(t: PullRequestTarget): string {
  return `${t.owner}/${t.repo}#${t.number}`;
}

/** Run `fn` over `items` with at most `limit` calls in flight, keeping the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
