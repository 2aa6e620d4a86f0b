/**
 * Review one pull request, in the stages gather → decide → render → write: the pull request as it
 * is now, one evaluation of it (evaluate.ts), each check's own facts and its rendered result
 * (checks/types.ts), then the runs written on its current head (checks/write.ts). A quick
 * evaluation (within DEFAULT_PENDING_AFTER_MS) is written as completed runs; a slow one (the
 * sandbox replay) shows its runs in_progress while it runs.
 */
import type { Logger } from "probot";
import { describeTarget, ownAppId, type GitHubClient, type PullRequestTarget } from "./client.js";
import { describeError } from "./errors.js";
import type { DynamicChecksFactory } from "../changeset/source.js";
import type { EnforcementCache } from "./enforcement-cache.js";
import { TreeReader } from "./git.js";
import type { GitObjectCache } from "./git-object-cache.js";
import { evaluatePullRequest, type Evaluation, type Tool } from "./evaluate.js";
import { errorResult } from "./checks/common.js";
import { externalId } from "./checks/external-id.js";
import {
  evaluations,
  InProcessInFlight,
  type InFlight,
  type InFlightEntry,
} from "./checks/in-flight.js";
import { lintCheck } from "./checks/lint.js";
import type { CheckDefinition, CheckResult, Conclusion } from "./checks/types.js";
import {
  reportFailure,
  writeResults,
  writeSlowly,
  type Rendered,
  type Writing,
} from "./checks/write.js";
import { ApprovalCheck } from "./approval/check.js";
import { Deadline, settledWithin } from "./deadline.js";
import type { PullRequestInfo } from "./pull-request.js";
import { readPullRequest } from "./pull-request-query.js";
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

/**
 * An evaluation's registration among those in progress (checks/in-flight.ts) lasts its reading
 * and rendering time limit plus this, for its writes (paced, retried); one still writing after
 * that writes no pass.
 */
export const IN_FLIGHT_WRITE_ALLOWANCE_MS = 5 * 60 * 1000;

/** The registry of evaluations in progress when no other is given: this process's. */
export const processInFlight = new InProcessInFlight();

export interface ReviewEnv {
  octokit: GitHubClient;
  log: Logger;
  tool: Tool;
  checks?: readonly CheckDefinition[];
  evaluationTimeoutMs?: number;
  /** Dynamic checks per evaluation (the sandbox replay). */
  dynamic?: DynamicChecksFactory;
  /**
   * How long an evaluation may take before its runs are shown in_progress (default
   * DEFAULT_PENDING_AFTER_MS); 0 starts them before evaluating.
   */
  pendingAfterMs?: number;
  /** Write a fresh run even when the newest one shows the same (a re-run the user asked for). */
  rewrite?: boolean;
  /** Branch protection and rulesets read recently (enforcement-cache.ts). */
  enforcement?: EnforcementCache;
  /** Verified git objects read by earlier events of this process (git-object-cache.ts). */
  gitObjects?: GitObjectCache;
  /**
   * Evaluations in progress, shared by every process that writes this app's runs (Redis in
   * queue mode); default: this process's own (checks/in-flight.ts).
   */
  inFlight?: InFlight;
  /**
   * The repository's id, when the delivery gave it for the reviewed repository: the registry of
   * evaluations in progress keys by it too, so a rename or transfer meanwhile does not split it.
   */
  repositoryId?: number;
}

export interface ReviewOutcome {
  target: PullRequestTarget;
  /** Why nothing was written (e.g. the pull request is closed). */
  skipped?: string;
  headSha?: string;
  conclusions: Record<string, Conclusion>;
  /** API requests this review sent. */
  requests: number;
  /** Checks not written because the newest run already showed exactly their result. */
  unchanged?: string[];
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

  // Registered before the first read: an evaluation that ends after it is seen by this one's
  // registry checks, one that ended before it is seen in this one's reads (checks/in-flight.ts).
  const timeoutMs = env.evaluationTimeoutMs ?? DEFAULT_EVALUATION_TIMEOUT_MS;
  const entry = await (env.inFlight ?? processInFlight).begin(
    repo,
    checks.map((c) => c.name),
    timeoutMs + IN_FLIGHT_WRITE_ALLOWANCE_MS,
    env.repositoryId,
  );
  try {
    return await reviewRegistered(env, target, knownHead, entry, checks, outcome, log, done);
  } finally {
    await entry.end();
  }
}

async function reviewRegistered(
  env: ReviewEnv,
  target: PullRequestTarget,
  knownHead: string | undefined,
  entry: InFlightEntry,
  checks: readonly CheckDefinition[],
  outcome: ReviewOutcome,
  log: Logger,
  done: () => ReviewOutcome,
): Promise<ReviewOutcome> {
  const { octokit } = env;
  const repo = { owner: target.owner, repo: target.repo };
  // Before the first read: a run whose evaluation started later saw facts at least as new
  // (checks/written.ts), and the first query already reads the approval facts.
  const startedAt = Date.now();
  let pr: PullRequestInfo;
  try {
    pr = await readPullRequest(octokit, target, (reason) =>
      log.warn({ reason }, "pull request read by REST: the GraphQL answer was not usable"),
    );
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

  const appId = await ownAppId(octokit).catch(() => null);
  const generation = evaluations.begin(repo, pr, checks);
  try {
    const deadline = new Deadline(env.evaluationTimeoutMs ?? DEFAULT_EVALUATION_TIMEOUT_MS);
    const w: Writing = {
      env,
      repo,
      pr,
      startedAt,
      appId,
      generation,
      inFlight: entry,
      log,
      outcome,
    };
    const pendingAfter = env.pendingAfterMs ?? DEFAULT_PENDING_AFTER_MS;
    if (pendingAfter <= 0) {
      // Runs in_progress first, then the evaluation.
      await writeSlowly(w, checks, async () => {
        const ev = await evaluateOnce(env, pr, deadline, log);
        return { result: (i) => renderCheck(env, checks[i]!, ev, deadline, log) };
      });
    } else {
      // Never rejects: an evaluation that fails gives every check the failure with its reason.
      const evaluated = evaluateAndRender(env, checks, pr, deadline, log);
      if (await settledWithin(evaluated, pendingAfter))
        await writeResults(w, checks, await evaluated);
      else
        await writeSlowly(w, checks, async () => {
          const rendered = await evaluated;
          return { result: async (i) => rendered[i]!.result };
        });
    }
  } finally {
    evaluations.end(generation);
  }
  return done();
}

/** A result is written straight away when the evaluation takes at most this long. */
export const DEFAULT_PENDING_AFTER_MS = 3000;

async function evaluateAndRender(
  env: ReviewEnv,
  checks: readonly CheckDefinition[],
  pr: PullRequestInfo,
  deadline: Deadline,
  log: Logger,
): Promise<Rendered[]> {
  const ev = await evaluateOnce(env, pr, deadline, log);
  const out: Rendered[] = [];
  for (const check of checks)
    out.push({ check, result: await renderCheck(env, check, ev, deadline, log) });
  return out;
}

/** The evaluation, or the failure every check reports instead. */
async function evaluateOnce(
  env: ReviewEnv,
  pr: PullRequestInfo,
  deadline: Deadline,
  log: Logger,
): Promise<Evaluation | { failed: CheckResult }> {
  try {
    return await deadline.race(
      evaluatePullRequest(
        env.octokit,
        pr,
        env.tool,
        env.dynamic,
        env.gitObjects
          ? new TreeReader(
              env.octokit,
              { owner: pr.owner, repo: pr.repo },
              { cache: env.gitObjects, repoId: pr.baseRepoId },
            )
          : undefined,
        undefined,
        env.enforcement,
      ),
    );
  } catch (err) {
    log.error({ err }, "evaluation failed");
    return { failed: errorResult(describeError(err)) };
  }
}

async function renderCheck(
  env: ReviewEnv,
  check: CheckDefinition,
  ev: Evaluation | { failed: CheckResult },
  deadline: Deadline,
  log: Logger,
): Promise<CheckResult> {
  if ("failed" in ev) return ev.failed;
  try {
    const facts = await deadline.race(
      Promise.resolve(
        check.gather(ev, {
          octokit: env.octokit,
          log,
          tool: env.tool,
          ...(env.dynamic ? { dynamic: env.dynamic } : {}),
          ...(env.enforcement ? { enforcement: env.enforcement } : {}),
        }),
      ),
    );
    return check.render(facts);
  } catch (err) {
    log.error({ err, check: check.name }, "evaluating the check failed");
    return errorResult(describeError(err));
  }
}
