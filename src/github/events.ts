/**
 * Webhook events → the pull requests to review. Every event ends in reviewPullRequest, which
 * re-reads the PR, so a late or repeated delivery reviews the current head and nothing older.
 */
import type { Context } from "probot";
import type { GitHubClient, PullRequestTarget, RepoRef } from "./client.js";
import { pullNumberOf } from "./checks/external-id.js";
import type { DynamicChecksFactory, Tool } from "./evaluate.js";
import { reviewPullRequest } from "./review.js";

export const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.synchronize",
  "pull_request.reopened",
  "pull_request.ready_for_review",
  "pull_request.edited",
] as const;

/** Check runs of this app: lint now, approval later. */
export const CHECK_NAME_PREFIX = "migration-warden/";

type PullRequestContext = Context<(typeof PULL_REQUEST_EVENTS)[number]>;

interface PullRef {
  number: number;
  base: { repo: { id: number } };
}

export interface HandlerOptions {
  tool: Tool;
  /** See DEFAULT_EVALUATION_TIMEOUT_MS. */
  evaluationTimeoutMs?: number;
  dynamic?: DynamicChecksFactory;
}

export function createHandlers(options: HandlerOptions) {
  async function review(
    context: { octokit: GitHubClient; log: Context["log"] },
    targets: readonly PullRequestTarget[],
  ): Promise<void> {
    const errors: unknown[] = [];
    for (const t of targets) {
      try {
        await reviewPullRequest({ ...options, octokit: context.octokit, log: context.log }, t);
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, "reviews failed");
  }

  return {
    async pullRequest(context: PullRequestContext): Promise<void> {
      const p = context.payload;
      // An edit matters only when it moves the PR to another base (other config, other tree).
      if (p.action === "edited" && !p.changes.base) return;
      await review(context, [{ ...repoOf(p.repository), number: p.pull_request.number }]);
    },

    async checkRunRerequested(context: Context<"check_run.rerequested">): Promise<void> {
      const { check_run: run, repository } = context.payload;
      if (!run.name.startsWith(CHECK_NAME_PREFIX)) return;
      const repo = repoOf(repository);
      // check_run.pull_requests is empty for forks; our own external_id always names the PR.
      const own = pullNumberOf(run.external_id);
      const numbers =
        own !== null
          ? [own]
          : await pullsOf(context.octokit, repo, repository.id, run.pull_requests, run.head_sha);
      if (numbers.length === 0)
        context.log.info({ sha: run.head_sha }, "no pull request to re-run");
      await review(
        context,
        numbers.map((number) => ({ ...repo, number })),
      );
    },

    async checkSuiteRerequested(context: Context<"check_suite.rerequested">): Promise<void> {
      const { check_suite: suite, repository } = context.payload;
      const repo = repoOf(repository);
      const { data } = await context.octokit.rest.checks.listForSuite({
        ...repo,
        check_suite_id: suite.id,
        per_page: 100,
      });
      const own = data.check_runs
        .filter((r) => r.name.startsWith(CHECK_NAME_PREFIX))
        .map((r) => pullNumberOf(r.external_id))
        .filter((n): n is number => n !== null);
      const numbers =
        own.length > 0
          ? unique(own)
          : await pullsOf(
              context.octokit,
              repo,
              repository.id,
              suite.pull_requests,
              suite.head_sha,
            );
      if (numbers.length === 0)
        context.log.info({ sha: suite.head_sha }, "no pull request to re-run");
      await review(
        context,
        numbers.map((number) => ({ ...repo, number })),
      );
    },
  };
}

function repoOf(repository: { owner: { login: string }; name: string }): RepoRef {
  return { owner: repository.owner.login, repo: repository.name };
}

/**
 * Pull requests of this repository for a head sha: the payload's list when it has one (never for
 * forks), else GitHub's commit → pull requests lookup.
 */
async function pullsOf(
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
  return unique(data.filter((p) => p.state === "open").map((p) => p.number));
}

function unique(ns: readonly number[]): number[] {
  return [...new Set(ns)].sort((a, b) => a - b);
}
