/**
 * Review one pull request: start every check run in_progress on the PR's current head, evaluate
 * once, and complete each run from that evaluation. Whatever fails, every started run ends
 * completed (failure with the reason), never left in progress.
 */
import type { Logger } from "probot";
import { describeTarget, type GitHubClient, type PullRequestTarget } from "./client.js";
import { describeError, EvaluationError } from "./errors.js";
import {
  evaluatePullRequest,
  type DynamicChecksFactory,
  type Evaluation,
  type Tool,
} from "./evaluate.js";
import { CheckRun } from "./checks/check-run.js";
import { errorResult } from "./checks/common.js";
import { externalId } from "./checks/external-id.js";
import { lintCheck } from "./checks/lint.js";
import { ApprovalCheck } from "./approval/check.js";
import type { CheckDefinition, Conclusion } from "./checks/types.js";
import { fetchPullRequest } from "./pull-request.js";
import { requestCounter } from "./request-count.js";

/** The check runs a pull request event writes, in order (fresh for each webhook delivery). */
export function defaultChecks(): CheckDefinition[] {
  return [lintCheck, new ApprovalCheck()];
}

/** Reading and rendering give up after this long, so a hung request cannot leave a run pending. */
export const DEFAULT_EVALUATION_TIMEOUT_MS = 10 * 60 * 1000;

export interface ReviewEnv {
  octokit: GitHubClient;
  log: Logger;
  tool: Tool;
  checks?: readonly CheckDefinition[];
  evaluationTimeoutMs?: number;
  /** Dynamic checks per evaluation (the sandbox replay). */
  dynamic?: DynamicChecksFactory;
}

export interface ReviewOutcome {
  target: PullRequestTarget;
  /** Why nothing was written (e.g. the pull request is closed). */
  skipped?: string;
  headSha?: string;
  conclusions: Record<string, Conclusion>;
  /** API requests this review sent. */
  requests: number;
}

export async function reviewPullRequest(
  env: ReviewEnv,
  target: PullRequestTarget,
): Promise<ReviewOutcome> {
  const { octokit } = env;
  const requests = requestCounter(octokit);
  const before = requests();
  const log = env.log.child({ pr: describeTarget(target) });
  const outcome: ReviewOutcome = { target, conclusions: {}, requests: 0 };
  const done = () => {
    outcome.requests = requests() - before;
    log.info(
      { head: outcome.headSha, conclusions: outcome.conclusions, requests: outcome.requests },
      outcome.skipped ? `skipped: ${outcome.skipped}` : "reviewed",
    );
    return outcome;
  };

  const pr = await fetchPullRequest(octokit, target);
  if (!pr.open) {
    outcome.skipped = "the pull request is closed";
    return done();
  }
  outcome.headSha = pr.headSha;
  const repo = { owner: pr.owner, repo: pr.repo };

  const runs: Array<{ check: CheckDefinition; run: CheckRun }> = [];
  try {
    for (const check of env.checks ?? defaultChecks()) {
      const run = await CheckRun.start(octokit, repo, {
        name: check.name,
        headSha: pr.headSha,
        externalId: externalId(pr),
        ...check.pending,
        ...(check.detailsUrl !== undefined ? { detailsUrl: check.detailsUrl } : {}),
      });
      runs.push({ check, run });
    }
  } catch (err) {
    await failAll(runs, err, log, outcome);
    throw err;
  }

  const deadline = new Deadline(env.evaluationTimeoutMs ?? DEFAULT_EVALUATION_TIMEOUT_MS);
  let ev: Evaluation;
  try {
    ev = await deadline.race(evaluatePullRequest(octokit, pr, env.tool, env.dynamic));
  } catch (err) {
    log.error({ err }, "evaluation failed");
    await failAll(runs, err, log, outcome);
    return done();
  }

  const unfinished: unknown[] = [];
  for (const { check, run } of runs) {
    try {
      const result = await deadline.race(
        Promise.resolve(
          check.render(ev, {
            octokit,
            log,
            tool: env.tool,
            ...(env.dynamic ? { dynamic: env.dynamic } : {}),
          }),
        ),
      );
      await run.complete(result);
      outcome.conclusions[check.name] = result.conclusion;
    } catch (err) {
      log.error({ err, check: check.name }, "writing the check run failed");
      try {
        await run.complete(errorResult(describeError(err)));
        outcome.conclusions[check.name] = "failure";
      } catch (err2) {
        unfinished.push(err2);
      }
    }
  }
  if (unfinished.length > 0) {
    throw new AggregateError(unfinished, "check runs could not be completed");
  }
  return done();
}

/** Completes every started run as failed; throws if even that is impossible (API down). */
async function failAll(
  runs: ReadonlyArray<{ check: CheckDefinition; run: CheckRun }>,
  err: unknown,
  log: Logger,
  outcome: ReviewOutcome,
): Promise<void> {
  const result = errorResult(describeError(err));
  const unfinished: unknown[] = [];
  for (const { check, run } of runs) {
    try {
      await run.complete(result);
      outcome.conclusions[check.name] = "failure";
    } catch (err2) {
      log.error({ err: err2, check: check.name }, "could not complete the check run");
      unfinished.push(err2);
    }
  }
  if (unfinished.length > 0) {
    throw new AggregateError(unfinished, "check runs could not be completed");
  }
}

/** One time limit shared by the steps of an evaluation (writing the result is not limited). */
class Deadline {
  readonly #at: number;
  constructor(readonly ms: number) {
    this.#at = Date.now() + ms;
  }

  /** Rejects when the deadline passes first; the abandoned work's result is ignored. */
  race<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new EvaluationError(
              `the evaluation did not finish within ${duration(this.ms)} (GitHub did not answer in time)`,
            ),
          ),
        Math.max(0, this.#at - Date.now()),
      );
    });
    return Promise.race([work, expired]).finally(() => clearTimeout(timer));
  }
}

function duration(ms: number): string {
  return ms < 1000
    ? `${ms} ms`
    : ms % 60_000 === 0
      ? `${ms / 60_000} minutes`
      : `${Math.round(ms / 1000)} seconds`;
}
