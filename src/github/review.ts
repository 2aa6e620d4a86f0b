/**
 * Review one pull request: evaluate once on the PR's current head and write each check's result
 * as a fresh run. A quick evaluation (within DEFAULT_PENDING_AFTER_MS) writes each result as one
 * completed run, and nothing at all when the newest run of that check already shows exactly that
 * result (checks/written.ts); a slow one (the sandbox replay) starts every run in_progress when
 * the time is up and completes them at the end. Whatever fails, every started run ends completed
 * (failure with the reason), never left in progress.
 */
import type { Logger } from "probot";
import {
  describeTarget,
  ownAppId,
  type GitHubClient,
  type PullRequestTarget,
  type RepoRef,
} from "./client.js";
import { describeError, EvaluationError } from "./errors.js";
import type { DynamicChecksFactory } from "../changeset/source.js";
import { evaluatePullRequest, type Evaluation, type Tool } from "./evaluate.js";
import { CheckRun, prepareResult } from "./checks/check-run.js";
import {
  identicalNewest,
  newerEvaluation,
  runsOnCommit,
  runsOfName,
  type WrittenRun,
} from "./checks/written.js";
import { errorResult } from "./checks/common.js";
import { externalId } from "./checks/external-id.js";
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
  /**
   * How long an evaluation may take before its runs are shown in_progress (default
   * DEFAULT_PENDING_AFTER_MS); 0 starts them before evaluating.
   */
  pendingAfterMs?: number;
  /** Write a fresh run even when the newest one shows the same (a re-run the user asked for). */
  rewrite?: boolean;
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

  const startedAt = Date.now();
  const appId = await ownAppId(octokit).catch(() => null);
  const generation = evaluations.begin(repo, pr, checks);
  try {
    const deadline = new Deadline(env.evaluationTimeoutMs ?? DEFAULT_EVALUATION_TIMEOUT_MS);
    const w: Writing = { env, repo, pr, startedAt, appId, generation, log, outcome };
    const pendingAfter = env.pendingAfterMs ?? DEFAULT_PENDING_AFTER_MS;
    if (pendingAfter <= 0) {
      // Runs in_progress first, then the evaluation.
      await writeSlowly(w, checks, deadline, null);
    } else {
      // Never rejects: an evaluation that fails gives every check the failure with its reason.
      const evaluated = evaluateAndRender(env, checks, pr, deadline, log);
      if (await settledWithin(evaluated, pendingAfter))
        await writeResults(w, checks, await evaluated);
      else await writeSlowly(w, checks, deadline, evaluated);
    }
  } finally {
    evaluations.end(generation);
  }
  return done();
}

/** A result is written straight away when the evaluation takes at most this long. */
export const DEFAULT_PENDING_AFTER_MS = 3000;

interface Rendered {
  check: CheckDefinition;
  result: CheckResult;
}

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
    return await deadline.race(evaluatePullRequest(env.octokit, pr, env.tool, env.dynamic));
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
    return await deadline.race(
      Promise.resolve(
        check.render(ev, {
          octokit: env.octokit,
          log,
          tool: env.tool,
          ...(env.dynamic ? { dynamic: env.dynamic } : {}),
        }),
      ),
    );
  } catch (err) {
    log.error({ err, check: check.name }, "evaluating the check failed");
    return errorResult(describeError(err));
  }
}

/** True when `work` settles within `ms`. */
async function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

interface Writing {
  env: ReviewEnv;
  repo: RepoRef;
  pr: PullRequestInfo;
  startedAt: number;
  /** This app's id; null in token-only setups (then nothing counts as already written). */
  appId: number | null;
  generation: Generation;
  log: Logger;
  outcome: ReviewOutcome;
}

/**
 * A quick evaluation: each result is written as a fresh completed run, unless the newest run of
 * that check on the commit already shows exactly it, or (for a passing result) an evaluation of
 * the same commit that started later has written or is writing its own.
 */
async function writeResults(
  w: Writing,
  checks: readonly CheckDefinition[],
  rendered: readonly Rendered[],
): Promise<void> {
  const { env, repo, pr, log, outcome } = w;
  let written: WrittenRun[] = [];
  if (w.appId !== null) {
    try {
      written = await runsOnCommit(env.octokit, repo, pr.headSha);
    } catch (err) {
      // Unknown is never "already written", and a passing answer is not trusted without it.
      log.error({ err }, "listing the commit's check runs failed");
      rendered = rendered.map(({ check, result }) => ({
        check,
        result: PASSING.has(result.conclusion)
          ? keepRecord(errorResult(describeError(err)), result)
          : result,
      }));
    }
  }
  const unwritten: unknown[] = [];
  for (const rendered1 of rendered) {
    const { check } = rendered1;
    let { result } = rendered1;
    const start = {
      name: check.name,
      headSha: pr.headSha,
      externalId: externalId(pr),
      startedAt: w.startedAt,
      ...(check.detailsUrl !== undefined ? { detailsUrl: check.detailsUrl } : {}),
    };
    if (PASSING.has(result.conclusion)) {
      const inProcess = w.generation.superseded(check.name);
      const listed =
        w.appId !== null
          ? newerEvaluation(written, check.name, w.appId, pr.number, w.startedAt, null)
          : null;
      if (inProcess || listed) {
        const newer = { id: listed?.id ?? null, url: listed?.url ?? null };
        log.info(
          { check: check.name, newer: newer.id },
          "a newer evaluation of the commit decides",
        );
        // A recorded click is written all the same (failing, keeping the record); else nothing.
        if (!result.alwaysWrite) continue;
        result = keepRecord(supersededResult(newer), result);
      }
    }
    const prepared = prepareResult(
      check.name,
      result,
      start.externalId,
      start.detailsUrl,
      w.startedAt,
    );
    // Only a passing result may be left unwritten: a blocking one is always written, so an older
    // evaluation in another process that saw a pass finds this newer one and does not overwrite
    // it (skipping would leave no trace of it). Skipping a pass fails closed.
    const same =
      w.appId !== null && !env.rewrite && !result.alwaysWrite && PASSING.has(result.conclusion)
        ? identicalNewest(written, check.name, w.appId, prepared.shown, prepared.digest)
        : null;
    if (same) {
      log.info({ check: check.name, run: same.id }, "unchanged: the newest run already shows this");
      outcome.conclusions[check.name] = result.conclusion;
      (outcome.unchanged ??= []).push(check.name);
      continue;
    }
    try {
      await CheckRun.write(env.octokit, repo, start, result, prepared);
      outcome.conclusions[check.name] = result.conclusion;
    } catch (err) {
      log.error({ err, check: check.name }, "writing the check run failed");
      try {
        await CheckRun.report(
          env.octokit,
          repo,
          { ...start, externalId: result.externalId ?? start.externalId },
          errorResult(describeError(err)),
        );
        outcome.conclusions[check.name] = "failure";
      } catch (err2) {
        unwritten.push(err2);
      }
    }
  }
  if (unwritten.length > 0) throw new AggregateError(unwritten, "check runs could not be written");
}

/**
 * A slow evaluation (the sandbox replay): every check gets an in_progress run now, completed from
 * the evaluation when it ends; whatever fails, every started run ends completed.
 */
async function writeSlowly(
  w: Writing,
  checks: readonly CheckDefinition[],
  deadline: Deadline,
  /** The evaluation already running; null: evaluate once the runs are started. */
  evaluated: Promise<Rendered[]> | null,
): Promise<void> {
  const { env, repo, pr, log, outcome } = w;
  const { octokit } = env;
  const runs: StartedRun[] = [];
  for (const check of checks) {
    try {
      const run = await CheckRun.start(octokit, repo, {
        name: check.name,
        headSha: pr.headSha,
        externalId: externalId(pr),
        startedAt: w.startedAt,
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
      return;
    }
  }

  const rendered = evaluated ? await evaluated : null;
  const ev = rendered ? null : await evaluateOnce(env, pr, deadline, log);
  const unfinished: unknown[] = [];
  for (const [i, { check, run }] of runs.entries()) {
    let result = rendered ? rendered[i]!.result : await renderCheck(env, check, ev!, deadline, log);
    // A newer evaluation of the same commit may have started meanwhile (a redelivery, a review,
    // a re-run): its run is the one that counts, and this older one must not pass on an older
    // answer, whichever of the two GitHub ranks first. Blocking answers need no such check.
    try {
      const newer = PASSING.has(result.conclusion) ? await newerRun(w, run) : null;
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
  /** Null for an evaluation of this process that has not written its run. */
  id: number | null;
  url: string | null;
}

/**
 * The newest run of this app with the same name on the same commit, for (among others) the same
 * pull request, whose evaluation started after `run`'s (in this process, or by its marker); null
 * when there is none. That evaluation saw facts at least as new as this one.
 */
async function newerRun(w: Writing, run: CheckRun): Promise<NewerRun | null> {
  const inProcess = w.generation.superseded(run.name);
  const appId = run.appId ?? w.appId;
  if (appId === null) return inProcess ? { id: null, url: null } : null;
  const listed = await runsOfName(w.env.octokit, w.repo, w.pr.headSha, run.name, appId);
  const newer = newerEvaluation(listed, run.name, appId, w.pr.number, run.startedAt, run.id);
  if (newer) return { id: newer.id, url: newer.url ?? null };
  return inProcess ? { id: null, url: null } : null;
}

/**
 * An older run's end when it would have passed: failure, pointing at the newer run.
 */
function supersededResult(newer: NewerRun): CheckResult {
  const link =
    newer.id === null
      ? "it writes its own run"
      : newer.url
        ? `[check run ${newer.id}](${newer.url})`
        : `check run ${newer.id}`;
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

/** One evaluation's claim on its checks of one pull request's head (see Evaluations). */
interface Generation {
  readonly seq: number;
  readonly keys: readonly string[];
  /** Non-null when an evaluation of the same check and head started later in this process. */
  superseded(name: string): { seq: number } | null;
}

/**
 * Evaluations in progress in this process, by repository, head, pull request and check: a
 * later-started one decides, even when it wrote nothing because the run it found was already
 * right (which no listing can show). Entries live only while their evaluation runs.
 */
class Evaluations {
  readonly #latest = new Map<string, number>();
  #seq = 0;

  begin(repo: RepoRef, pr: PullRequestInfo, checks: readonly CheckDefinition[]): Generation {
    const seq = ++this.#seq;
    const key = (name: string) =>
      JSON.stringify([
        repo.owner.toLowerCase(),
        repo.repo.toLowerCase(),
        pr.headSha,
        pr.number,
        name,
      ]);
    const keys = checks.map((c) => key(c.name));
    for (const k of keys) this.#latest.set(k, seq);
    return {
      seq,
      keys,
      superseded: (name) => {
        const latest = this.#latest.get(key(name));
        return latest === seq ? null : { seq: latest ?? -1 };
      },
    };
  }

  end(g: Generation): void {
    for (const k of g.keys) if (this.#latest.get(k) === g.seq) this.#latest.delete(k);
  }
}

const evaluations = new Evaluations();
