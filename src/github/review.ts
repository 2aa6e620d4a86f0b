/**
 * Review one pull request: start every check run in_progress on the PR's current head, evaluate
 * once, and complete each run from that evaluation. Whatever fails, every started run ends
 * completed (failure with the reason), never left in progress.
 */
import type { Logger } from "probot";
import {
  describeTarget,
  type GitHubClient,
  type PullRequestTarget,
  type RepoRef,
} from "./client.js";
import { describeError, EvaluationError } from "./errors.js";
import type { DynamicChecksFactory } from "../changeset/source.js";
import { evaluatePullRequest, type Evaluation, type Tool } from "./evaluate.js";
import { CheckRun } from "./checks/check-run.js";
import { errorResult } from "./checks/common.js";
import { externalId, pullNumbersOf } from "./checks/external-id.js";
import { lintCheck } from "./checks/lint.js";
import { ApprovalCheck } from "./approval/check.js";
import type { CheckDefinition, CheckResult, Conclusion } from "./checks/types.js";
import { fetchPullRequest, type PullRequestInfo } from "./pull-request.js";
import { requestCounter } from "./request-count.js";

/**
 * The check runs a pull request event writes, in order (fresh for each webhook delivery).
 * `baseChanged`: the delivery reported a change of the pull request's base (see ApprovalCheck).
 */
export function defaultChecks(baseChanged?: { pr: number; at: string }): CheckDefinition[] {
  return [lintCheck, new ApprovalCheck(null, baseChanged)];
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
  /**
   * The head sha the webhook named: where the failure is reported when the pull request itself
   * cannot be read (the runs of a readable pull request always go on its current head).
   */
  knownHead?: string,
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
  const checks = env.checks ?? defaultChecks();
  const repo = { owner: target.owner, repo: target.repo };

  let pr: PullRequestInfo;
  try {
    pr = await fetchPullRequest(octokit, target);
  } catch (err) {
    if (knownHead === undefined) throw err;
    log.error({ err }, "reading the pull request failed");
    outcome.headSha = knownHead;
    await reportFailure(octokit, repo, knownHead, externalId(target), checks, err, log, outcome);
    return done();
  }
  if (!pr.open) {
    outcome.skipped = "the pull request is closed";
    return done();
  }
  outcome.headSha = pr.headSha;

  const runs: StartedRun[] = [];
  for (const check of checks) {
    try {
      const run = await CheckRun.start(octokit, repo, {
        name: check.name,
        headSha: pr.headSha,
        externalId: externalId(pr),
        ...check.pending,
        ...(check.detailsUrl !== undefined ? { detailsUrl: check.detailsUrl } : {}),
      });
      runs.push({ check, run });
    } catch (err) {
      log.error({ err, check: check.name }, "starting the check run failed");
      // Every check still ends with a run saying why: started ones completed, the rest created.
      const rest = checks.slice(runs.length);
      const errors = await settle([
        () => failAll(runs, err, log, outcome),
        () => reportFailure(octokit, repo, pr.headSha, externalId(pr), rest, err, log, outcome),
      ]);
      if (errors.length > 0)
        throw new AggregateError(errors, "check runs could not be written", { cause: err });
      return done();
    }
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
    let result: CheckResult;
    try {
      result = await deadline.race(
        Promise.resolve(
          check.render(ev, {
            octokit,
            log,
            tool: env.tool,
            ...(env.dynamic ? { dynamic: env.dynamic } : {}),
          }),
        ),
      );
    } catch (err) {
      log.error({ err, check: check.name }, "evaluating the check failed");
      result = errorResult(describeError(err));
    }
    // A newer evaluation of the same commit may have started meanwhile (a redelivery, a review,
    // a re-run): its run is the one that counts, and this older one must not pass on an older
    // answer, whichever of the two GitHub ranks first. Blocking answers need no such check.
    try {
      const newer = PASSING.has(result.conclusion) ? await newerRun(octokit, repo, pr, run) : null;
      if (newer) {
        log.info({ check: check.name, newer: newer.id }, "superseded by a newer check run");
        result = keepRecord(supersededResult(newer), result);
      }
    } catch (err) {
      log.error({ err, check: check.name }, "listing the commit's check runs failed");
      result = keepRecord(errorResult(describeError(err)), result);
    }
    try {
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

interface StartedRun {
  check: CheckDefinition;
  run: CheckRun;
}

/** Completes every started run as failed; throws if even that is impossible (API down). */
async function failAll(
  runs: readonly StartedRun[],
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

/**
 * Writes each check as a completed failure with the reason, on `headSha`: for failures before
 * any run could be started. Throws when GitHub accepts none of it.
 */
export async function reportFailure(
  octokit: GitHubClient,
  repo: RepoRef,
  headSha: string,
  externalId: string,
  checks: readonly CheckDefinition[],
  err: unknown,
  log: Logger,
  outcome?: ReviewOutcome,
): Promise<void> {
  const result = errorResult(describeError(err));
  const unwritten: unknown[] = [];
  for (const check of checks) {
    try {
      await CheckRun.report(
        octokit,
        repo,
        {
          name: check.name,
          headSha,
          externalId,
          ...(check.detailsUrl !== undefined ? { detailsUrl: check.detailsUrl } : {}),
        },
        result,
      );
      if (outcome) outcome.conclusions[check.name] = "failure";
    } catch (err2) {
      log.error({ err: err2, check: check.name }, "could not report the failure");
      unwritten.push(err2);
    }
  }
  if (unwritten.length > 0) throw new AggregateError(unwritten, "check runs could not be written");
}

/** Runs every step, collecting what they throw. */
async function settle(steps: ReadonlyArray<() => Promise<void>>): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      errors.push(err);
    }
  }
  return errors;
}

/** Conclusions that satisfy a required check. */
const PASSING = new Set<Conclusion>(["success", "neutral"]);

interface NewerRun {
  id: number;
  url: string | null;
}

/**
 * The newest run of this app with the same name on the same commit, created after `run` for (among
 * others) the same pull request; null when there is none. GitHub shows the newest run of a name,
 * and that one was evaluated at least as late as this one.
 */
async function newerRun(
  octokit: GitHubClient,
  repo: RepoRef,
  pr: PullRequestInfo,
  run: CheckRun,
): Promise<NewerRun | null> {
  if (run.appId === null) return null;
  const listed = await octokit.paginate(octokit.rest.checks.listForRef, {
    ...repo,
    ref: pr.headSha,
    check_name: run.name,
    app_id: run.appId,
    filter: "all",
    per_page: 100,
  });
  let newest: NewerRun | null = null;
  for (const other of listed) {
    if (other.name !== run.name || other.head_sha !== pr.headSha || other.id <= run.id) continue;
    if (!pullNumbersOf(other.external_id)?.includes(pr.number)) continue;
    if (!newest || other.id > newest.id) newest = { id: other.id, url: other.html_url ?? null };
  }
  return newest;
}

/**
 * An older run's end when it would have passed: failure, pointing at the newer run.
 */
function supersededResult(newer: NewerRun): CheckResult {
  const link = newer.url ? `[check run ${newer.id}](${newer.url})` : `check run ${newer.id}`;
  return {
    conclusion: "failure",
    title: "Superseded by a newer check run",
    summary: [
      `A newer evaluation of this commit started while this one ran: ${link}. Its result is the one that counts; this run ends as failure rather than pass on an older answer.`,
      "",
      "If GitHub shows this run as the latest one, re-run the check.",
    ].join("\n"),
  };
}

/**
 * `replacement`, keeping the approval record `own` would have written: an accepted click was
 * judged on complete facts, and later evaluations must still find it.
 */
function keepRecord(replacement: CheckResult, own: CheckResult): CheckResult {
  return own.externalId !== undefined
    ? { ...replacement, externalId: own.externalId }
    : replacement;
}

/** One time limit shared by the steps of an evaluation (writing the result is not limited). */
export class Deadline {
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
