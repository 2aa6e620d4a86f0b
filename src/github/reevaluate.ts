/**
 * Verdicts that change without an event of the pull request: a DBA leaving the team or the
 * organization, a team deleted or renamed, a collaborator's role lowered, the policy tightened on
 * a base branch. A passing check written before stays passing until something re-evaluates it, so
 * these events re-evaluate the open pull requests they may affect. Only those whose latest run of
 * a check concerned still passes are evaluated again: a check that does not pass cannot become a
 * stale success, and the next event of its pull request evaluates it anyway.
 */
import type { GitHubClient, RepoRef } from "./client.js";

const PER_PAGE = 100;

/** Conclusions that satisfy a required check. */
const PASSING: readonly string[] = ["success", "neutral"];

interface RunFacts {
  id: number;
  name: string;
  conclusion: string | null;
  status: string;
}

/**
 * Pure: whether any of `checks` has as its newest run (by id: GitHub assigns them in creation
 * order) one that passes. Runs still in progress count as not passing.
 */
export function passesAny(runs: readonly RunFacts[], checks: readonly string[]): boolean {
  return checks.some((name) => {
    const newest = runs
      .filter((r) => r.name === name)
      .reduce<RunFacts | null>((a, r) => (a === null || r.id > a.id ? r : a), null);
    return (
      newest !== null && newest.status === "completed" && PASSING.includes(newest.conclusion ?? "")
    );
  });
}

/**
 * The open pull requests of a repository (into `base` when given) whose latest run of one of
 * `checks` by this app passes on their head.
 */
export async function passingPullRequests(
  octokit: GitHubClient,
  repo: RepoRef,
  appId: number,
  checks: readonly string[],
  base?: string,
): Promise<number[]> {
  const pulls = await octokit.paginate(octokit.rest.pulls.list, {
    ...repo,
    state: "open",
    ...(base !== undefined ? { base } : {}),
    per_page: PER_PAGE,
  });
  const out: number[] = [];
  for (const pr of pulls) {
    const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
      ...repo,
      ref: pr.head.sha,
      app_id: appId,
      filter: "all",
      per_page: PER_PAGE,
    });
    if (passesAny(runs, checks)) out.push(pr.number);
  }
  return out.sort((a, b) => a - b);
}

/** The repositories of this installation that belong to `owner` (an organization). */
export async function installationRepositories(
  octokit: GitHubClient,
  owner: string,
): Promise<RepoRef[]> {
  const repos = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, {
    per_page: PER_PAGE,
  });
  return repos
    .filter((r) => r.owner.login.toLowerCase() === owner.toLowerCase())
    .map((r) => ({ owner: r.owner.login, repo: r.name }));
}
