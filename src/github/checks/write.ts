/**
 * The write stage of a review: each check's rendered result becomes a fresh run on the pull
 * request's head. A quick evaluation writes each result as one completed run (all of them in one
 * mutation request when it can: batch-create.ts), and nothing at all when the newest run of that
 * check already shows exactly that result (written.ts); a slow one
 * (the sandbox replay) starts every run in_progress first and completes them at the end (each
 * end in one mutation request when it can: batch-create.ts, batch-update.ts). An older
 * evaluation never passes over a newer one (in-flight.ts, the runs' markers). Whatever fails,
 * every started run ends completed (failure with the reason), never left in progress.
 *
 * Over 500 lines: both writers share the supersession and failure helpers below, kept in one
 * module so each guarantee reads in one place (splitting the slow writer out is a follow-up).
 */
import type { Logger } from "probot";
import type { GitHubClient, RepoRef } from "../client.js";
import { describeError } from "../errors.js";
import type { PullRequestInfo } from "../pull-request.js";
import type { ReviewEnv, ReviewOutcome } from "../review.js";
import { createCheckRuns, type Created } from "./batch-create.js";
import { updateCheckRuns, type Updated } from "./batch-update.js";
import { CheckRun, prepareResult, type CompletionUpdate, type WriteCreate } from "./check-run.js";
import { errorResult } from "./common.js";
import { externalId } from "./external-id.js";
import type { Generation } from "./in-flight.js";
import type { CheckDefinition, CheckResult, Conclusion } from "./types.js";
import { createCheckRun, updateCheckRun, type CreateCheckRun } from "./uncertain-writes.js";
import {
  identicalNewest,
  newerEvaluation,
  runsOnCommit,
  runsOfApp,
  type WrittenRun,
} from "./written.js";

/**
 * An evaluation's results by the index of their check: rendered already, or rendered when asked
 * (a slow review renders each check just before completing its run).
 */
export interface LazyResults {
  result(i: number): Promise<CheckResult>;
}

export interface Rendered {
  check: CheckDefinition;
  result: CheckResult;
}

export interface Writing {
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
export async function writeResults(
  w: Writing,
  checks: readonly CheckDefinition[],
  rendered: readonly Rendered[],
): Promise<void> {
  const { env, repo, pr, log, outcome } = w;
  let written: WrittenRun[] = [];
  if (w.appId !== null) {
    try {
      written =
        listedByFirstRead(pr, rendered) ?? (await runsOnCommit(env.octokit, repo, pr.headSha));
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
  const passes: WrittenPass[] = [];
  const creates: WriteCreate[] = [];
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
    creates.push(CheckRun.writeCreate(repo, start, result, prepared));
  }
  // Every run to write in one request (batch-create.ts), each answer then handled as before.
  const created = await createAll(
    w,
    creates.map((c) => c.params),
  );
  for (const [i, create] of creates.entries()) {
    const { s: start, result } = create;
    const name = start.name;
    try {
      const answer = created[i]!;
      if ("error" in answer) throw answer.error;
      const run = await CheckRun.written(env.octokit, repo, answer.run, create);
      outcome.conclusions[name] = result.conclusion;
      if (PASSING.has(result.conclusion)) passes.push({ run, result, start });
    } catch (err) {
      await reportFailedWrite(w, name, start, result, err, unwritten);
    }
  }
  // Every pass written, one look at the runs for all of them (see endPassesHidingNewer): its own
  // request after the mutation's answer, never read in that answer's payload (batch-create.ts).
  for (const { pass, replacement } of await endPassesHidingNewer(w, passes)) {
    try {
      await pass.run.complete(keepRecord(replacement, pass.result));
      outcome.conclusions[pass.run.name] = replacement.conclusion;
    } catch (err) {
      await reportFailedWrite(w, pass.run.name, pass.start, pass.result, err, unwritten);
    }
  }
  if (unwritten.length > 0) throw new AggregateError(unwritten, "check runs could not be written");
}

/**
 * Each create's answer: all in one mutation request when the first read gave the repository's
 * node id, else one REST create each, as before.
 */
async function createAll(
  w: Writing,
  creates: readonly CreateCheckRun[],
  stopAtFailure = false,
): Promise<Created[]> {
  if (creates.length === 0) return [];
  const nodeId = w.pr.baseRepoNodeId;
  if (nodeId !== undefined) return createCheckRuns(w.env.octokit, nodeId, creates);
  const out: Created[] = [];
  for (const c of creates) {
    try {
      out.push({ run: await createCheckRun(w.env.octokit, c) });
    } catch (error) {
      out.push({ error });
      // Starts one by one stop at the first failure, as they always did (the rest: reported).
      if (stopAtFailure) {
        while (out.length < creates.length) out.push({ error });
        break;
      }
    }
  }
  return out;
}

/** A passing run this evaluation wrote, with what it was written from. */
interface WrittenPass {
  run: CheckRun;
  result: CheckResult;
  start: RunTarget;
}

/** What a failed write's failure run is written with. */
type RunTarget = Parameters<typeof CheckRun.reportFailedWrite>[2];

/**
 * The runs the first read listed on the head (first-read/head-runs.ts), when they are of this
 * head and cover every check written; null: list them now.
 */
function listedByFirstRead(
  pr: PullRequestInfo,
  rendered: readonly Rendered[],
): WrittenRun[] | null {
  const listed = pr.headRuns;
  if (!listed || listed.sha !== pr.headSha) return null;
  return rendered.every(({ check }) => listed.names.includes(check.name)) ? listed.runs : null;
}

/** A write that failed: its run ends (or is created) as failure with the reason. */
async function reportFailedWrite(
  w: Writing,
  name: string,
  start: RunTarget,
  result: CheckResult,
  err: unknown,
  unwritten: unknown[],
): Promise<void> {
  w.log.error({ err, check: name }, "writing the check run failed");
  try {
    await CheckRun.reportFailedWrite(
      w.env.octokit,
      w.repo,
      { ...start, externalId: result.externalId ?? start.externalId },
      err,
      errorResult,
    );
    w.outcome.conclusions[name] = "failure";
  } catch (err2) {
    unwritten.push(err2);
  }
}

/**
 * A slow evaluation (the sandbox replay): every check gets an in_progress run now, completed from
 * the evaluation when it ends; whatever fails, every started run ends completed.
 */
export async function writeSlowly(
  w: Writing,
  checks: readonly CheckDefinition[],
  /** Called once every run is started: the evaluation, rendered check by check. */
  evaluated: () => Promise<LazyResults>,
): Promise<void> {
  const { env, repo, pr, log, outcome } = w;
  const { octokit } = env;
  const starts = checks.map((check) => ({
    check,
    s: {
      name: check.name,
      headSha: pr.headSha,
      externalId: externalId(pr),
      startedAt: w.startedAt,
      ...check.pending,
      ...(check.detailsUrl !== undefined ? { detailsUrl: check.detailsUrl } : {}),
    },
  }));
  // Every start in one request (batch-create.ts), as a quick evaluation's creates.
  const created = await createAll(
    w,
    starts.map(({ s }) => CheckRun.startCreate(repo, s)),
    true,
  );
  const runs: StartedRun[] = [];
  const notStarted: CheckDefinition[] = [];
  let startError: unknown = undefined;
  for (const [i, { check, s }] of starts.entries()) {
    const answer = created[i]!;
    if ("run" in answer) {
      runs.push({ check, run: CheckRun.started(octokit, repo, answer.run, s) });
      continue;
    }
    log.error({ err: answer.error, check: check.name }, "starting the check run failed");
    if (notStarted.length === 0) startError = answer.error;
    notStarted.push(check);
  }
  if (notStarted.length > 0) {
    // Every check still ends with a run saying why: started ones completed, the rest created.
    const err = startError;
    const errors = await settle([
      () => failAll(runs, err, log, outcome),
      () => reportFailure(octokit, repo, pr.headSha, externalId(pr), notStarted, err, log, outcome),
    ]);
    if (errors.length > 0)
      throw new AggregateError(errors, "check runs could not be written", { cause: err });
    return;
  }

  const results = await evaluated();
  const ends: Array<{ check: CheckDefinition; run: CheckRun; result: CheckResult }> = [];
  for (const [i, { check, run }] of runs.entries())
    ends.push({ check, run, result: await results.result(i) });
  // A newer evaluation of the same commit may have started meanwhile (a redelivery, a review,
  // a re-run): its run is the one that counts, and this older one must not pass on an older
  // answer, whichever of the two GitHub ranks first. Blocking answers need no such check. One
  // listing of this app's runs on the commit serves every pass.
  const passes = ends.filter((e) => PASSING.has(e.result.conclusion));
  const newer = await newerRuns(
    w,
    passes.map((e) => e.run),
  );
  for (const [k, e] of passes.entries()) {
    const found = newer[k]!;
    if ("error" in found) {
      log.error(
        { err: found.error, check: e.check.name },
        "listing the commit's check runs failed",
      );
      e.result = keepRecord(errorResult(describeError(found.error)), e.result);
    } else if (found.newer) {
      log.info({ check: e.check.name, newer: found.newer.id }, "superseded by a newer check run");
      e.result = keepRecord(supersededResult(found.newer), e.result);
    }
  }
  // Every completion in one request (batch-update.ts); a run whose completion fails is completed
  // by REST as failed with the reason, never left in progress.
  const completions: Array<{ end: (typeof ends)[number]; update: CompletionUpdate }> = [];
  const failed: Array<{ end: (typeof ends)[number]; err: unknown }> = [];
  for (const end of ends) {
    try {
      completions.push({ end, update: await end.run.completion(end.result) });
    } catch (err) {
      failed.push({ end, err });
    }
  }
  const answers = await completeAll(
    w,
    completions.map((c) => c.update),
  );
  for (const [i, { end }] of completions.entries()) {
    const answer = answers[i]!;
    if ("error" in answer) failed.push({ end, err: answer.error });
    else {
      end.run.completedBy(answer.run);
      outcome.conclusions[end.check.name] = end.result.conclusion;
    }
  }
  const unfinished: unknown[] = [];
  for (const { end, err } of failed.sort((a, b) => ends.indexOf(a.end) - ends.indexOf(b.end))) {
    log.error({ err, check: end.check.name }, "writing the check run failed");
    try {
      await end.run.complete(errorResult(describeError(err)));
      outcome.conclusions[end.check.name] = "failure";
    } catch (err2) {
      unfinished.push(err2);
    }
  }
  if (unfinished.length > 0) {
    throw new AggregateError(unfinished, "check runs could not be completed");
  }
}

/**
 * Each completion's answer: all in one mutation request when the first read gave the
 * repository's node id, else one REST update each, as before.
 */
async function completeAll(w: Writing, updates: readonly CompletionUpdate[]): Promise<Updated[]> {
  if (updates.length === 0) return [];
  const nodeId = w.pr.baseRepoNodeId;
  if (nodeId !== undefined) return updateCheckRuns(w.env.octokit, nodeId, updates);
  const out: Updated[] = [];
  for (const u of updates) {
    try {
      out.push({ run: await updateCheckRun(w.env.octokit, u.params, u.annotations) });
    } catch (error) {
      out.push({ error });
    }
  }
  return out;
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
 * For each run: the newest run of this app with the same name on the same commit, for (among
 * others) the same pull request, whose evaluation started after the run's (in this process, or
 * by its marker); null when there is none. That evaluation saw facts at least as new. One
 * listing of the app's runs on the commit (every page) for all of them; a listing that fails is
 * each one's error.
 */
async function newerRuns(
  w: Writing,
  runs: readonly CheckRun[],
): Promise<Array<{ newer: NewerRun | null } | { error: unknown }>> {
  const listings = new Map<number, Promise<WrittenRun[]>>();
  const out: Array<{ newer: NewerRun | null } | { error: unknown }> = [];
  for (const run of runs) {
    const inProcess = w.generation.superseded(run.name);
    const appId = run.appId ?? w.appId;
    const fallback = inProcess ? { id: null, url: null } : null;
    if (appId === null) {
      out.push({ newer: fallback });
      continue;
    }
    let listing = listings.get(appId);
    if (!listing) {
      listing = runsOfApp(w.env.octokit, w.repo, w.pr.headSha, appId);
      listing.catch(() => undefined);
      listings.set(appId, listing);
    }
    try {
      const listed = await listing;
      const newer = newerEvaluation(listed, run.name, appId, w.pr.number, run.startedAt, run.id);
      out.push({ newer: newer ? { id: newer.id, url: newer.url ?? null } : fallback });
    } catch (error) {
      out.push({ error });
    }
  }
  return out;
}

/**
 * After the passing runs are written: an evaluation that started later (another process, which
 * in-flight.ts cannot see) may have written its run between this one's listing and its create.
 * GitHub shows the newest run, so an older pass would hide it: when such a run, created before
 * the pass, does not show a pass, the pass ends as superseded (failure). One listing of this
 * app's runs on the commit (every page) serves every pass; a listing that fails leaves them all
 * untrusted: each ends as failure with the reason. Returns the passes to end, with their end.
 */
async function endPassesHidingNewer(
  w: Writing,
  passes: readonly WrittenPass[],
): Promise<Array<{ pass: WrittenPass; replacement: CheckResult }>> {
  const ends: Array<{ pass: WrittenPass; replacement: CheckResult }> = [];
  const byApp = new Map<number, WrittenPass[]>();
  for (const pass of passes) {
    const appId = pass.run.appId ?? w.appId;
    if (appId !== null) byApp.set(appId, [...(byApp.get(appId) ?? []), pass]);
  }
  for (const [appId, ofApp] of byApp) {
    let listed: WrittenRun[];
    try {
      listed = await runsOfApp(w.env.octokit, w.repo, w.pr.headSha, appId);
    } catch (err) {
      w.log.error({ err }, "listing the commit's check runs failed");
      const replacement = errorResult(describeError(err));
      ends.push(...ofApp.map((pass) => ({ pass, replacement })));
      continue;
    }
    for (const pass of ofApp) {
      const { run } = pass;
      const hidden = listed.filter(
        (r) =>
          r.id < run.id &&
          !(r.status === "completed" && PASSING.has((r.conclusion ?? "") as Conclusion)),
      );
      const newer = newerEvaluation(hidden, run.name, appId, w.pr.number, run.startedAt, run.id);
      if (!newer) continue;
      w.log.info(
        { check: run.name, newer: newer.id },
        "a newer evaluation's run was written first",
      );
      ends.push({ pass, replacement: supersededResult({ id: newer.id, url: newer.url ?? null }) });
    }
  }
  return ends;
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
