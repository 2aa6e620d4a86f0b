/**
 * Verdicts that change without an event of the pull request: a DBA leaving the team or the
 * organization, a team deleted or renamed, a collaborator's role lowered, the policy tightened on
 * a base branch. A passing check written before stays passing until something re-evaluates it, so
 * these events re-evaluate the open pull requests they may affect. Only those whose latest run of
 * a check concerned still passes are evaluated again: a check that does not pass cannot become a
 * stale success, and the next event of its pull request evaluates it anyway; unless an
 * evaluation is still running, which may pass on what it read before the change
 * (pullRequestsToReevaluate).
 */
import type { GitHubClient, RepoRef } from "./client.js";
import type { InFlight } from "./checks/in-flight.js";

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

/** Every open pull request (into `base` when given), and those of them whose checks pass. */
async function openPullRequests(
  octokit: GitHubClient,
  repo: RepoRef,
  appId: number,
  checks: readonly string[],
  base?: string,
): Promise<{ open: number[]; passing: number[] }> {
  const pulls = await octokit.paginate(octokit.rest.pulls.list, {
    ...repo,
    state: "open",
    ...(base !== undefined ? { base } : {}),
    per_page: PER_PAGE,
  });
  const passing: number[] = [];
  for (const pr of pulls) {
    const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
      ...repo,
      ref: pr.head.sha,
      app_id: appId,
      filter: "all",
      per_page: PER_PAGE,
    });
    if (passesAny(runs, checks)) passing.push(pr.number);
  }
  const byNumber = (a: number, b: number) => a - b;
  return { open: pulls.map((p) => p.number).sort(byNumber), passing: passing.sort(byNumber) };
}

/** How long the listing below stays registered at most (it leaves as soon as it is done). */
const LISTING_LEASE_MS = 10 * 60 * 1000;

/**
 * The open pull requests (into `base` when given) that an event which may have made passing
 * `checks` stale must evaluate again: those whose checks pass now, and every open one when an
 * evaluation of those checks in the repository overlapped the listing. An evaluation that read
 * the facts before they changed may still be running: a quick one creates its runs only once it
 * is done, a slow one's run is in_progress, so no listing shows the pass it is about to write, and
 * the pull request, not passing yet, would be left alone for good. The listing therefore
 * registers among the evaluations in progress (checks/in-flight.ts) before its first read, and
 * asks afterwards whether it was alone; if not (or the registry cannot tell), every open pull
 * request is evaluated again. Those evaluations start after the older one, so theirs decide: an
 * older pass written after a newer result is superseded (checks/write.ts).
 */
export async function pullRequestsToReevaluate(
  octokit: GitHubClient,
  repo: RepoRef,
  appId: number,
  checks: readonly string[],
  inFlight: InFlight,
  base?: string,
): Promise<{ numbers: number[]; overlapped: boolean }> {
  const entry = await inFlight.begin(repo, checks, LISTING_LEASE_MS);
  try {
    const { open, passing } = await openPullRequests(octokit, repo, appId, checks, base);
    const alone = await entry.alone(checks);
    const overlapped = !checks.every((c) => alone.has(c));
    return { numbers: overlapped ? open : passing, overlapped };
  } finally {
    await entry.end();
  }
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
