/**
 * The slow writer (the sandbox replay): every check's run starts in_progress, and is completed
 * from the evaluation when it ends (each end in one mutation request when it can:
 * batch-create.ts, batch-update.ts). Whatever fails, every started run ends completed (failure
 * with the reason), never left in progress.
 */
import type { Logger } from "probot";
import { describeError } from "../errors.js";
import type { ReviewOutcome } from "../review.js";
import { updateCheckRuns, type Updated } from "./batch-update.js";
import { CheckRun, type CompletionUpdate } from "./check-run.js";
import { errorResult } from "./common.js";
import { externalId } from "./external-id.js";
import type { CheckDefinition, CheckResult, Conclusion } from "./types.js";
import { updateCheckRun } from "./uncertain-writes.js";
import {
  createAll,
  expiredResult,
  keepRecord,
  PASSING,
  reportFailure,
  supersededResult,
  type LazyResults,
  type NewerRun,
  type Writing,
} from "./write-shared.js";
import { newerEvaluation, runsOfApp, unweighedBlock, type WrittenRun } from "./written.js";

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
    passes.map((e) => e.result.weighed),
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
  // A pass of an evaluation others may no longer see (in-flight.ts): failure instead, looked at
  // before its annotation batches and again right before the request that completes it, both
  // times asked of the store (held()). No look after: an evaluation that skipped because the
  // store forgot this one read the runs after the loss, so after this one's in_progress run was
  // created or before it; after, it saw that run and wrote; before, the loss was before this
  // look too.
  const expired = async (e: (typeof ends)[number]) =>
    PASSING.has(e.result.conclusion) && w.inFlight !== undefined && !(await w.inFlight.held());
  for (const e of ends) if (await expired(e)) e.result = keepRecord(expiredResult(), e.result);
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
  for (const c of [...completions]) {
    if (!(await expired(c.end))) continue;
    c.end.result = keepRecord(expiredResult(), c.end.result);
    try {
      c.update = await c.end.run.completion(c.end.result);
    } catch (err) {
      failed.push({ end: c.end, err });
      completions.splice(completions.indexOf(c), 1);
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
  weighed: ReadonlyArray<readonly number[] | undefined>,
): Promise<Array<{ newer: NewerRun | null } | { error: unknown }>> {
  const listings = new Map<number, Promise<WrittenRun[]>>();
  const out: Array<{ newer: NewerRun | null } | { error: unknown }> = [];
  for (const [k, run] of runs.entries()) {
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
      const ofOthers = weighed[k];
      const newer =
        newerEvaluation(listed, run.name, appId, w.pr.number, run.startedAt, run.id) ??
        // Started earlier, but for a pull request of the head this evaluation never saw: its run,
        // created before this one, is hidden by it (write.ts endPassesHidingNewer).
        (ofOthers
          ? unweighedBlock(
              listed.filter(
                (r) =>
                  r.id < run.id &&
                  !(r.status === "completed" && PASSING.has((r.conclusion ?? "") as Conclusion)),
              ),
              run.name,
              appId,
              ofOthers,
            )
          : null);
      out.push({ newer: newer ? { id: newer.id, url: newer.url ?? null } : fallback });
    } catch (error) {
      out.push({ error });
    }
  }
  return out;
}
