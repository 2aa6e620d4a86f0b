/**
 * Webhook events → the pull requests to review, and which checks. Every event ends in
 * reviewPullRequest, which re-reads the PR, so a late or repeated delivery reviews the current
 * head and nothing older.
 */
import type { Context } from "probot";
import { APPROVAL_CHECK_NAME, recordTime } from "../core/approval/index.js";
import { ApprovalCheck } from "./approval/check.js";
import type { GitHubClient, PullRequestTarget, RepoRef } from "./client.js";
import { pullNumbersOf } from "./checks/external-id.js";
import type { CheckDefinition } from "./checks/types.js";
import type { DynamicChecksFactory, Tool } from "./evaluate.js";
import { defaultChecks, reviewPullRequest } from "./review.js";

export const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.synchronize",
  "pull_request.reopened",
  "pull_request.ready_for_review",
  "pull_request.edited",
] as const;

/** Reviews change only the approval: lint does not depend on them and is not run again. */
export const REVIEW_EVENTS = [
  "pull_request_review.submitted",
  "pull_request_review.edited",
  "pull_request_review.dismissed",
] as const;

/** Check runs of this app: lint and approval. */
export const CHECK_NAME_PREFIX = "migration-warden/";

type PullRequestContext = Context<(typeof PULL_REQUEST_EVENTS)[number]>;
type ReviewContext = Context<(typeof REVIEW_EVENTS)[number]>;

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
    checks: readonly CheckDefinition[],
  ): Promise<void> {
    const errors: unknown[] = [];
    for (const t of targets) {
      // An approval run written for an earlier target of this delivery may cover this one too.
      const todo = checks.filter((c) => !c.covers?.(t.number));
      if (todo.length === 0) continue;
      try {
        await reviewPullRequest(
          { ...options, octokit: context.octokit, log: context.log, checks: todo },
          t,
        );
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
      await review(
        context,
        [{ ...repoOf(p.repository), number: p.pull_request.number }],
        defaultChecks(),
      );
    },

    async pullRequestReview(context: ReviewContext): Promise<void> {
      const p = context.payload;
      await review(
        context,
        [{ ...repoOf(p.repository), number: p.pull_request.number }],
        [new ApprovalCheck()],
      );
    },

    async checkRunRerequested(context: Context<"check_run.rerequested">): Promise<void> {
      const { check_run: run, repository } = context.payload;
      if (!run.name.startsWith(CHECK_NAME_PREFIX)) return;
      const numbers = await runPullRequests(context.octokit, repository, run);
      if (numbers.length === 0)
        context.log.info({ sha: run.head_sha }, "no pull request to re-run");
      // Re-running one check runs that check only.
      const named = defaultChecks().filter((c) => c.name === run.name);
      await review(
        context,
        numbers.map((number) => ({ ...repoOf(repository), number })),
        named.length > 0 ? named : defaultChecks(),
      );
    },

    /**
     * "Approve migrations": the click is judged on the pull request's current state and the
     * result written as a new approval run (see ApprovalCheck); it is never trusted as it comes.
     */
    async checkRunRequestedAction(context: Context<"check_run.requested_action">): Promise<void> {
      const { check_run: run, requested_action: action, sender, repository } = context.payload;
      if (run.name !== APPROVAL_CHECK_NAME) {
        context.log.info({ check: run.name }, "requested action on another check run ignored");
        return;
      }
      const click = {
        identifier: action?.identifier ?? "",
        sender: { login: sender.login, type: sender.type },
        run: {
          id: run.id,
          name: run.name,
          appId: run.app?.id ?? null,
          headSha: run.head_sha,
          externalId: run.external_id ?? null,
        },
        at: recordTime(new Date()),
      };
      const numbers = await runPullRequests(context.octokit, repository, run);
      if (numbers.length === 0)
        context.log.info({ sha: run.head_sha }, "approval click for no open pull request");
      await review(
        context,
        numbers.map((number) => ({ ...repoOf(repository), number })),
        [new ApprovalCheck(click)],
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
        .flatMap((r) => pullNumbersOf(r.external_id) ?? []);
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
        defaultChecks(),
      );
    },
  };
}

/** The pull requests a run of ours was for: its external_id, else the payload or the commit. */
async function runPullRequests(
  octokit: GitHubClient,
  repository: { id: number; owner: { login: string }; name: string },
  run: {
    external_id: string | null;
    head_sha: string;
    pull_requests: readonly PullRef[] | null;
  },
): Promise<number[]> {
  // check_run.pull_requests is empty for forks; our own external_id always names the PR.
  const own = pullNumbersOf(run.external_id);
  if (own !== null) return own;
  return pullsOf(octokit, repoOf(repository), repository.id, run.pull_requests, run.head_sha);
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
  // The list can hold pull requests of other repositories of the fork network.
  return unique(
    data.filter((p) => p.state === "open" && p.base.repo.id === repoId).map((p) => p.number),
  );
}

function unique(ns: readonly number[]): number[] {
  return [...new Set(ns)].sort((a, b) => a - b);
}
